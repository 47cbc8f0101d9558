"""A small, linear-time HTML tokenizer for mail bodies (tags, text, attributes).

The standard library's `HTMLParser` is pure Python and slow on the Word-generated HTML of
Outlook (a 90 KB body took well over 100 ms). Mail HTML only needs tags, a few attributes
and text, so one compiled regular expression finds every tag and the text between tags.
Every pattern is bounded, so no input can make the scan quadratic.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

_LIMIT = 5000  # longest tag looked for; longer "tags" are text
_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comment (Outlook's conditional comments included)
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^>]{0,5000}>"  # doctype, processing instructions
    r"|<(/?)([A-Za-z][A-Za-z0-9:_-]{0,40})([^>]{0,5000})>",  # a tag and its attributes
    re.DOTALL,
)
_ATTR = re.compile(
    r"([^\s=/\"'>]{1,60})(?:\s*=\s*(?:\"([^\"]{0,4000})\"|'([^']{0,4000})'|([^\s>]{1,4000})))?")
# Elements whose content is never shown; skipped up to their closing tag.
RAW_SKIP = ("script", "style", "head", "title", "template", "noscript", "xml", "svg",
            "object")
_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in RAW_SKIP}


@dataclass(frozen=True)
class Token:
    """One piece of HTML: a start tag, an end tag, or decoded text."""

    kind: str  # "start", "end" or "text"
    name: str = ""  # lower-cased tag name
    attrs: dict[str, str] | None = None
    text: str = ""


def attributes(source: str) -> dict[str, str]:
    """Attributes of a start tag, names lower-cased, entities decoded."""
    out: dict[str, str] = {}
    if not source.strip(" /\t\n"):
        return out
    for m in _ATTR.finditer(source):
        value = m.group(2) if m.group(2) is not None else (m.group(3) or m.group(4) or "")
        out.setdefault(m.group(1).lower(), html.unescape(value) if "&" in value else value)
    return out


def tokens(source: str) -> Iterator[Token]:
    """Every token of `source`, in order; unknown or broken markup becomes text."""
    pos = 0
    text_from = 0
    n = len(source)
    unclosed: set[str] = set()
    while pos < n:
        lt = source.find("<", pos)
        if lt < 0:
            break
        m = _TAG.match(source, lt)
        if m is None:
            gt = source.find(">", lt)
            if gt < 0:
                break  # no tag can follow: the rest is text
            # every '<' more than _LIMIT before the next '>' fails too: skip them at once
            pos = max(lt + 1, gt - _LIMIT)
            continue
        if lt > text_from:
            yield Token("text", text=html.unescape(source[text_from:lt]))
        pos = text_from = m.end()
        name = m.group(2)
        if not name:
            continue  # comment, doctype, processing instruction
        name = name.lower()
        if m.group(1):
            yield Token("end", name)
            continue
        yield Token("start", name, attributes(m.group(3)))
        if name in _CLOSE and name not in unclosed and not m.group(3).rstrip().endswith("/"):
            close = _CLOSE[name].search(source, pos)
            if close is not None:
                pos = text_from = close.end()
            elif name != "head":
                return
            else:
                unclosed.add(name)  # an unclosed <head> still holds the body
    if text_from < n:
        yield Token("text", text=html.unescape(source[text_from:]))
