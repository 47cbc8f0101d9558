"""Extract the member's new words from a reply body: cut quotes, history, signatures.

Decisions (besides those of `splitters`, `attribution`, `rewrap` and `align`):

* Before lines are classified, addresses split over two attribution lines are joined and
  the wrapped ends of long quoted lines are quote-marked (`rewrap.py`).
* An attribution, a separator or a header block with a quote under it cuts that quote
  block; the member's inline answers after it stay. With unquoted text under it (clients
  that quote without '>'), everything from it down is history, unless the member wrote
  nothing above it: then only the attribution / header lines go, the text under them is
  the member's (a header block or attribution at the very top is a damage case).
* Quoted ('>') lines are never the member's new words: between inline answers they go to
  the elided part too (the answers stay, in order; the question they answer is restorable),
  except a single quoted line wedged between two of the member's lines with no blank line
  (a '>' of the member's own, or a terse inline answer kept readable), and a block under
  the member's own line ending with a colon ("He wrote to us:"), which is their story.
* A forward ("---------- Forwarded message ---------", "-------- Weitergeleitete Nachricht
  --------", Thunderbird's "-------- Forwarded Message --------", "-------- Message
  transféré --------", Apple's "Begin forwarded message:") under a comment of the member's
  own (more than five words): the comment is the text, everything from the separator down
  is elided (restorable): a third party's words are not the member's story, and the steward
  can restore them. A bare forward (nothing above it but a pointer like "FYI", at most five
  words) is what the member shares: kept whole, its header saying whose words they are.
* A mobile footer ("Sent from my Wiko", "iPhoneから送信") with unquoted text under it,
  below something the member wrote: phones put the footer under what the member typed,
  so the footer and everything under it go (the footer is signature, the rest history);
  unless what follows starts with a postscript ("P.S.", "PS:"), which is the member's.
"""

from __future__ import annotations

import re

from circle.parsing.align import attribution_above, our_lines
from circle.parsing.attribution import above_quote, clean
from circle.parsing.html_text import CUT_MARK, SIG_MARK
from circle.parsing.rewrap import join_addresses, mark_continuations
from circle.parsing.signature import is_mobile_footer, strip_tail
from circle.parsing.splitters import Split, find_split, split_shared_line


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _continues_quote(line: str) -> bool:
    """A wrapped link fragment that broke a run of quoted lines."""
    s = line.strip()
    return s.endswith(">") or (" " not in s and len(s) < 80)


def _quote_block_end(lines: list[str], start: int) -> int:
    """Index after the run of quoted / empty lines (and broken link fragments) at start."""
    j = start
    n = len(lines)
    while j < n:
        s = lines[j].strip()
        if not s or _is_quote(lines[j]):
            j += 1
            continue
        nxt = j + 1
        while nxt < n and not lines[nxt].strip():
            nxt += 1
        if _continues_quote(lines[j]) and nxt < n and _is_quote(lines[nxt]):
            j += 1
            continue
        break
    # give trailing empty lines back to the text after the block
    while j > start and not lines[j - 1].strip():
        j -= 1
    return j


def _next_nonempty(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _attributions_above_quotes(lines: list[str], quoted: list[bool]) -> dict[int, int]:
    """{first line: line count} of every attribution found right above a quote block."""
    found: dict[int, int] = {}
    for q in range(1, len(lines)):
        if not quoted[q] or quoted[q - 1]:
            continue
        a = q - 1
        while a >= 0 and q - a <= 3 and (not lines[a].strip() or lines[a].strip() == CUT_MARK):
            a -= 1
        if a < 0 or not lines[a].strip() or _is_quote(lines[a]):
            continue
        span = above_quote(lines, a)
        if span is not None:
            found[span[0]] = span[1]
    return found


def _is_text(line: str) -> bool:
    s = line.strip()
    return bool(s) and not _is_quote(line) and s != CUT_MARK and not s.startswith(SIG_MARK)


_POSTSCRIPT = re.compile(r"^\s*p\.?\s?p?\.?\s?s\b", re.IGNORECASE)  # "P.S.", "PS:", "PPS"
_POINTER_WORDS = 5  # "FYI", "see below", "thought you'd like this": no comment of one's own


def _comment_words(lines: list[str], keep: list[bool], end: int) -> int:
    """Words the member wrote (kept, unquoted) above line `end`."""
    return sum(len(lines[k].split()) for k in range(end) if keep[k] and _is_text(lines[k]))


def _cut_history(lines: list[str], quoted: list[bool]) -> list[bool]:
    """Mark lines to keep: cut at reply boundaries, keep inline answers after quote blocks.

    Nothing the member wrote is lost to an attribution: one at the very top that no quote
    follows only loses its own lines, the text under it stays. Under a comment of the
    member's own, a forwarded message is elided from its separator down (restorable); a
    forward under nothing but a pointer ("FYI", at most five words) is what the member
    shares and is kept whole (module docstring)."""
    keep = [True] * len(lines)
    above = _attributions_above_quotes(lines, quoted)
    seen_text = False  # has the member written anything above line i?
    i = 0
    n = len(lines)
    while i < n:
        if quoted[i]:
            i += 1
            continue
        found: tuple[Split, int, int] | None = None
        if i in above:
            found = (Split.ATTRIBUTION, i, above[i])
        elif lines[i].strip():
            found = find_split(lines, i)
        if found is not None and found[0] is Split.ATTRIBUTION and any(
                k in above for k in range(i + 1, i + found[2])):
            found = None  # the attribution right above the quote starts lower down
        if found is None and seen_text and is_mobile_footer(lines[i]):
            after = _next_nonempty(lines, i + 1)
            if (after < n and not quoted[after] and _is_text(lines[after])
                    and not _POSTSCRIPT.match(lines[after])):
                for k in range(i, n):
                    keep[k] = False  # the phone's footer, then the original under it
                break
        if found is None:
            seen_text = seen_text or _is_text(lines[i])
            i += 1
            continue
        kind, start, span = found
        if kind is Split.HEADERS:
            if _comment_words(lines, keep, start) == 0:
                for k in range(start, start + span):
                    keep[k] = False  # headers at the very top: the text under them stays
                i = start + span
                continue
            for k in range(start, n):
                keep[k] = False
            break
        if kind is Split.FORWARD:
            if _comment_words(lines, keep, start) > _POINTER_WORDS:
                for k in range(start, n):
                    keep[k] = False  # a third party's message under the member's comment
                break
            i = start + span  # a bare forward ("FYI") is the content: kept whole
            continue
        after = _next_nonempty(lines, start + span)
        if after < n and _is_quote(lines[after]) and lines[start].strip() != CUT_MARK:
            end = _quote_block_end(lines, after)
            for k in range(start, end):
                keep[k] = False
            i = end
            continue
        if kind is Split.ATTRIBUTION and not seen_text:
            for k in range(start, start + span):
                keep[k] = False
            i = start + span
            continue
        for k in range(start, n):
            keep[k] = False
        break
    return keep


def _strip_edge_quotes(lines: list[str], quoted: list[bool], keep: list[bool]) -> None:
    """Drop a quote block at the very start (bottom-posting) or at the very end."""
    idx = [k for k in range(len(lines)) if keep[k]]
    text_idx = [k for k in idx if not quoted[k] and lines[k].strip()]
    if not text_idx:
        for k in idx:
            if quoted[k]:
                keep[k] = False
        return
    first, last = text_idx[0], text_idx[-1]
    for k in idx:
        if (k < first or k > last) and quoted[k]:
            keep[k] = False


def _drop_inner_quotes(lines: list[str], quoted: list[bool], keep: list[bool]) -> None:
    """Quoted blocks between kept text go too, except one quoted line wedged between two
    of the member's lines without a blank line ("See:" / ">>> http://..." / "there"):
    that may be the member's own use of '>', and an inline answer stays readable; and a
    block the member introduces with a line of their own ending with a colon ("My head of
    department wrote this to us:"): quoting it is part of the story."""
    n = len(lines)
    k = 0
    while k < n:
        if not quoted[k]:
            k += 1
            continue
        end = k
        while end < n and quoted[end]:
            end += 1
        wedged = (end - k == 1 and k > 0 and end < n and keep[k - 1] and keep[end]
                  and _is_text(lines[k - 1]) and _is_text(lines[end]))
        above = k - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        introduced = (above >= 0 and keep[above] and _is_text(lines[above])
                      and clean(lines[above]).rstrip().endswith((":", "：")))
        if not wedged and not introduced:
            for j in range(k, end):
                keep[j] = False
        k = end


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _mark_our_text(lines: list[str], sent: str) -> list[str]:
    """`lines` with our own sent text, and the attribution right above it, quote-marked."""
    ours = our_lines(lines, sent)
    if not any(ours):
        return lines
    marked = list(lines)
    for top in range(len(lines)):
        if not ours[top] or any(ours[k] for k in range(max(0, top - 1), top)):
            continue
        prev = top - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        if prev >= 0 and ours[prev]:
            continue  # a blank line inside the block, not a new block
        span = attribution_above(lines, top, ours)
        if span is not None:
            for k in range(span[0], span[0] + span[1]):
                marked[k] = "> " + lines[k]
    for k, mine in enumerate(ours):
        if mine and not _is_quote(lines[k]):
            marked[k] = "> " + lines[k]
    return marked


def trim_reply(text: str, sent: str = "", sender_name: str = "") -> tuple[str, str]:
    """Split a plain-text body into (the member's new words, everything elided, in order).

    `sent` is the text of our own message the member replies to, when known: the lines
    that align with it are quoted history whatever the client did to them (`align.py`).
    `sender_name` (the From display name) lets a trailing block that opens with it be
    recognised as a signature (`signature.strip_tail`)."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    shown: list[str] = []
    for line in raw_lines:
        shown.extend(split_shared_line(line))
    joined = join_addresses(shown)
    lines = _mark_our_text(joined, sent) if sent.strip() else joined
    lines = mark_continuations(lines)
    quoted = [line.lstrip().startswith(">") for line in lines]
    keep = _cut_history(lines, quoted)
    _drop_inner_quotes(lines, quoted, keep)
    for k, line in enumerate(shown):
        if line.startswith(SIG_MARK):
            keep[k] = False  # inside a client's signature container (HTML)
    _strip_edge_quotes(lines, quoted, keep)
    for _ in range(3):
        kept_idx = [k for k in range(len(lines)) if keep[k]]
        remaining = strip_tail([lines[k] for k in kept_idx], sender_name)
        for k in kept_idx[remaining:]:
            keep[k] = False
        before = sum(keep)
        _strip_edge_quotes(lines, quoted, keep)  # a quote block left dangling before a signature
        if sum(keep) == before:
            break
    words = [x for x, k in zip(shown, keep, strict=True) if k and x.strip() != CUT_MARK]
    elided = [x.removeprefix(SIG_MARK) for x, k in zip(shown, keep, strict=True)
              if not k and x.strip() != CUT_MARK]
    return _tidy(words), _tidy(elided)
