"""Plain-text helpers for outgoing mail: wrapping at 72 columns, English dates, safe names."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from datetime import datetime

WIDTH = 72

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def clean_line(value: str, limit: int = 200) -> str:
    """One line of text safe for a header or a heading: no CR/LF/control characters.

    Line breaks and other controls become spaces, runs of spaces collapse, and the result is cut
    at `limit` characters, so a name like "Ana\\r\\nBcc: x@y" stays one inert display name.
    """
    flat = _CONTROL.sub(" ", unicodedata.normalize("NFC", value))
    flat = "".join(ch for ch in flat if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    flat = " ".join(flat.split())
    return flat[:limit].rstrip()


def wrap(text: str, width: int = WIDTH) -> str:
    """Wrap each line longer than `width`, keeping the author's own line breaks and indents.

    Words longer than a line (URLs, mailto links) are never broken, so links stay clickable.
    """
    out: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.rstrip()
        if len(line) <= width:
            out.append(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        bullet = re.match(r"([-*•]|\d+[.)])\s+", stripped)
        follow = indent + (" " * len(bullet.group(0)) if bullet else "")
        out.extend(textwrap.wrap(stripped, width=width, initial_indent=indent,
                                 subsequent_indent=follow, break_long_words=False,
                                 break_on_hyphens=False) or [""])
    return "\n".join(out)


def indent(text: str, prefix: str = "    ", width: int = WIDTH) -> str:
    """`text` wrapped to fit `width` including `prefix`, every line prefixed (blank lines bare)."""
    wrapped = wrap(text, width - len(prefix))
    return "\n".join(prefix + line if line else "" for line in wrapped.split("\n"))


def underline(title: str, char: str = "-") -> str:
    """A heading and a line of `char` under it, as plain-text mail readers expect."""
    title = clean_line(title)
    return f"{title}\n{char * min(len(title), WIDTH)}"


def long_date(at: datetime) -> str:
    """'Wednesday 25 November 2026' (English, locale-independent)."""
    return f"{_DAYS[at.weekday()]} {at.day} {_MONTHS[at.month - 1]} {at.year}"


def short_date(at: datetime) -> str:
    """'25 November'."""
    return f"{at.day} {_MONTHS[at.month - 1]}"


def clock_time(at: datetime) -> str:
    """'18:00'."""
    return f"{at.hour:02d}:{at.minute:02d}"


def when(at: datetime) -> str:
    """'Wednesday 25 November 2026 at 18:00'."""
    return f"{long_date(at)} at {clock_time(at)}"


def month_name(at: datetime) -> str:
    """'November 2026'."""
    return f"{_MONTHS[at.month - 1]} {at.year}"


def names_list(names: list[str]) -> str:
    """'Ana', 'Ana and Ben', 'Ana, Ben and Chloé'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def first_line(text: str, limit: int = 60) -> str:
    """The first line of `text`, shortened with an ellipsis to at most `limit` characters."""
    line = clean_line(text.strip().split("\n", 1)[0] if text.strip() else "", 1000)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def subject_question(text: str, limit: int = 100) -> str:
    """The question for a subject line, never cut in the middle of a word or a sentence.

    Kept whole (its first line) up to `limit` characters; a longer question ends after its
    last whole sentence that fits, else at a word, with "…".
    """
    line = clean_line(text.strip().split("\n", 1)[0] if text.strip() else "", 1000)
    if len(line) <= limit:
        return line
    ends = [m.end() for m in re.finditer(r"[.?!](?=\s)", line[:limit + 1])]
    if ends and ends[-1] >= limit // 3:
        return line[:ends[-1]]
    return first_line(line, limit)
