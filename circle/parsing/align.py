"""Find our own sent text inside a reply: what only Circle knows about the mail it answers.

Circle composed the message a member replies to (question, reminder, invitation, digest,
receipt). `our_lines(lines, sent)` marks the lines of the reply that are that text: every
line is stripped of quote markers ('>') and cut into lower-case words; a word is *ours*
when a run of `SHINGLE` consecutive words through it (across line breaks, so re-wrapped
quotes align) also occurs in what we sent. A line is ours when nearly all its words are
(`LINE_SHARE`). Runs of our lines (blank lines inside allowed) that hold fewer than
`MIN_BLOCK_WORDS` words of ours are dropped again: a member who repeats three words of the
question keeps them.

`attribution_above(lines, top, ours)` is the line or two right above such a block that
introduce it, in any language: an `above_quote` attribution, a separator rule, a block of
header lines, or a short line ending with a colon that names an address, a time or a date
(one line; two only when the upper one is no sentence and holds a date or time itself).
When in doubt the lines stay the member's.
"""

from __future__ import annotations

import re

from circle.parsing.attribution import above_quote, clean
from circle.parsing.splitters import header_category

SHINGLE = 3  # words in a run that must match our text
LINE_SHARE = 0.8  # share of a line's words that must be ours for the line to be ours
MIN_BLOCK_WORDS = 6  # a block with fewer of our words is a coincidence, not a quote

_WORD = re.compile(r"\w+")
_QUOTE_MARKS = re.compile(r"^[\s>|]*")
_RULE = re.compile(r"^\s*[-_=*~]{3,}\s*$")
_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")
_EMAIL = re.compile(r"[^\s<>@]{1,64}@[^\s<>@]{1,200}\.\w{2,}")
_TIME = re.compile(r"\b\d{1,2}\s?[:.h]\s?\d{2}\b|午[前後]|오[전후]|\d{1,2}\s?(?:am|pm)\b", re.I)
_DATE = re.compile(r"\b(?:19|20)\d\d\b|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,4}\s?[年月日년월일]")
_MAX_ATTRIBUTION = 300


def words(text: str) -> list[str]:
    """The lower-case words of `text`, quote markers and punctuation aside."""
    return _WORD.findall(text.lower())


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def our_lines(lines: list[str], sent: str) -> list[bool]:
    """Which lines of the reply are our own sent text (quoted, pasted or re-wrapped)."""
    ours = [False] * len(lines)
    sent_words = words(sent)
    if len(sent_words) < SHINGLE:
        return ours
    known = _shingles(sent_words)
    stream: list[str] = []
    owner: list[int] = []  # the line each word of the stream comes from
    for i, line in enumerate(lines):
        found = words(_QUOTE_MARKS.sub("", clean(line), count=1))
        stream.extend(found)
        owner.extend([i] * len(found))
    covered = [False] * len(stream)
    for k in range(len(stream) - SHINGLE + 1):
        if tuple(stream[k : k + SHINGLE]) in known:
            for j in range(k, k + SHINGLE):
                covered[j] = True
    total = [0] * len(lines)
    mine = [0] * len(lines)
    for j, i in enumerate(owner):
        total[i] += 1
        mine[i] += covered[j]
    for i in range(len(lines)):
        ours[i] = total[i] > 0 and mine[i] >= LINE_SHARE * total[i]
    _drop_small_blocks(lines, ours, mine)
    return ours


def _drop_small_blocks(lines: list[str], ours: list[bool], mine: list[int]) -> None:
    """Un-mark runs of our lines (blank lines inside allowed) with too few of our words."""
    i = 0
    n = len(lines)
    while i < n:
        if not ours[i]:
            i += 1
            continue
        j = i
        count = 0
        last = i
        while j < n and (ours[j] or not lines[j].strip() or _QUOTE_MARKS.sub("", lines[j]) == ""):
            if ours[j]:
                count += mine[j]
                last = j
            j += 1
        if count < MIN_BLOCK_WORDS:
            for k in range(i, last + 1):
                ours[k] = False
        i = last + 1


def _evidence(text: str) -> bool:
    """An attribution names an address, a time or a date."""
    return bool(_EMAIL.search(text) or _TIME.search(text) or _DATE.search(text))


def attribution_above(lines: list[str], top: int, ours: list[bool]) -> tuple[int, int] | None:
    """(first line, line count) of what introduces the block of our lines starting at `top`."""
    last = top - 1
    while last >= 0 and not lines[last].strip():
        last -= 1
    if last < 0 or ours[last]:
        return None
    span = above_quote(lines, last)
    if span is not None:
        return span
    s = clean(lines[last]).strip()
    if _RULE.match(s):
        return last, 1
    if header_category(s):  # an Outlook block: From / Sent / To / Subject over our text
        first = last
        while first > 0 and first > last - 8 and header_category(lines[first - 1]):
            first -= 1
        if first > 0 and _RULE.match(lines[first - 1]):
            first -= 1
        return (first, last - first + 1) if last > first or _EMAIL.search(s) else None
    if len(s) > _MAX_ATTRIBUTION or s[-1:] not in (":", "："):
        return None
    upper = last - 1
    if upper >= 0 and lines[upper].strip() and not ours[upper]:
        u = clean(lines[upper]).strip()
        joined = f"{u} {s}"
        if (not _SENTENCE_END.search(u) and len(joined) <= _MAX_ATTRIBUTION
                and (_TIME.search(u) or _DATE.search(u)) and _evidence(joined)):
            return upper, 2
    return (last, 1) if _evidence(s) else None
