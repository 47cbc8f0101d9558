"""Undo what line wrapping did to quotes and attributions before lines are classified.

Two repairs, both structural (no words of any language):

* `join_addresses(lines)`: a client that hard-wraps an attribution may break it inside
  the address: "... schreef Company Questions <" / "questions@company.com>:", or
  "... skrev Test user <test@example.com" / ">:" (the second line looks like a quote
  line!), or "... John Coe" / "<john@x.org> kirjoitti:". Two lines are joined only when
  the lower one is the rest of an address and ends with a colon (at most three short
  words between the address and the colon): a member's own line never ends so, and the
  member's "Ana" / "<ana@x.org>" signature is left alone.
* `mark_continuations(lines)`: a client that hard-wraps a long quoted line after adding
  "> " leaves the end of it unquoted between two quoted lines ("> ... pharetra d" /
  "ignissim odio?" / ">"). Such a fragment is quoted history when it sits right between
  quoted lines (no blank line above it; a quoted line right below it or after blank
  lines: never the last words of the message), it is short (at
  most eight words), and the quoted line above was long enough that the fragment's first
  word would have passed the wrap width: more than 70 columns when the fragment starts
  in lower case, more than 76 and no sentence end above it otherwise; never under a
  quoted question. A member's inline answer under a quoted question ("> What went
  wrong?" / "The deadline...") stays.
"""

from __future__ import annotations

import re

from circle.parsing.attribution import clean

# the rest of an address, then a colon: "questions@company.com>:", "<a@b.c> kirjoitti:"
_ADDRESS_REST = re.compile(
    r"^\s*<?[^\s<>@]{1,64}@[^\s<>@]{1,200}\.\w{2,}>?[\"')\]]?(?:\s+[^\s:：]{1,24}){0,3}"
    r"\s*[:：]\s*$")
_CLOSE_REST = re.compile(r"^\s*>\s*(?:[^\s:：]{1,24}\s*){0,3}[:：]\s*$")  # ">:" / "> wrote:"
_OPEN_ADDRESS = re.compile(r"<[^\s<>@]{1,64}@[^\s<>@]{1,200}\.\w{2,}\s*$")  # "<a@b.c" unclosed
_WRAP_LOWER = 70  # columns past which a wrapped fragment starting in lower case was cut off
_WRAP_UPPER = 76  # the same for a fragment starting otherwise (it may be a new sentence)
_MIN_ABOVE = 55  # a quoted line shorter than this was not wrapped
_MAX_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?。！？:]\s*$")


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def join_addresses(lines: list[str]) -> list[str]:
    """`lines` with attribution lines broken inside an address joined back together: the
    upper line gets the whole, the lower one is left empty (line numbers stay)."""
    out: list[str] = []
    for line in lines:
        if (out and ("@" in line or ">" in line) and len(line) < 300 and out[-1].strip()
                and not _is_quote(out[-1])):
            prev = clean(out[-1]).rstrip()
            cur = clean(line)
            if ((prev.endswith("<") and _ADDRESS_REST.match(cur))
                    or (_OPEN_ADDRESS.search(prev) and _CLOSE_REST.match(cur))
                    or (not _is_quote(cur) and cur.lstrip().startswith("<")
                        and len(prev) < 300 and _ADDRESS_REST.match(cur))):
                glue = "" if prev.endswith("<") or cur.lstrip().startswith(">") else " "
                out[-1] = prev + glue + cur.strip()
                out.append("")
                continue
        out.append(line)
    return out


def _wrapped(above: str, fragment: str) -> bool:
    """Is `fragment` the rest of the long quoted line `above`, cut by a wrapping client?"""
    a = above.rstrip()
    s = fragment.strip()
    words = s.split()
    if len(a) < _MIN_ABOVE or not words or len(words) > _MAX_WORDS or a.endswith(("?", "？")):
        return False  # a question above is answered inline, even in lower case
    reach = len(a) + 1 + len(words[0])
    if s[0].islower():
        return reach > _WRAP_LOWER
    return reach > _WRAP_UPPER and not _SENTENCE_END.search(a)


def mark_continuations(lines: list[str]) -> list[str]:
    """`lines` with wrapped ends of quoted lines quote-marked like the line they belong to."""
    out = list(lines)
    n = len(lines)
    for k in range(1, n):
        line = lines[k]
        if not line.strip() or _is_quote(line) or not _is_quote(out[k - 1]):
            continue
        below = lines[k + 1] if k + 1 < n else ""
        if below.strip() and not _is_quote(below):
            continue  # a paragraph of its own under the quote: the member's
        if not below.strip():
            j = k + 1
            while j < n and not lines[j].strip():
                j += 1
            if j >= n or not _is_quote(lines[j]):
                continue  # text, or nothing, follows: this may be the member's answer
        if _wrapped(out[k - 1], line):
            out[k] = "> " + line
    return out
