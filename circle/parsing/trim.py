"""Extract the member's new words from a reply body: cut quotes, history, signatures."""

from __future__ import annotations

import re

from circle.parsing.html_text import CUT_MARK
from circle.parsing.splitters import Split, clean, find_split, split_shared_line

_MOBILE = re.compile(
    r"^\s*(?:sent\s+(?:from|with|via|using)\s|get\s+outlook\s+for\s|envoyé\s+de\s|"
    r"von\s+meinem\s.{0,60}gesendet|gesendet\s+von\s|enviado\s+desde\s|enviado\s+do\s+meu\s|"
    r"inviato\s+da(?:l)?\s|verzonden\s+(?:vanaf|met)\s|verstuurd\s+vanaf\s|skickat\s+från\s|"
    r"sendt\s+fra\s|wysłane\s+z\s|отправлено\s+с\s|lähetetty\s|odesláno\s+z\s)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*\**\s*(?:confidentiality\s+notice|disclaimer|this\s+e-?mail\s+(?:and|message|is|"
    r"may|contains)|this\s+message\s+(?:and|is|may|contains|\(including)|"
    r"the\s+information\s+(?:contained|in\s+this)|please\s+consider\s+the\s+environment|"
    r"diese\s+e-?mail\s+(?:enthält|ist|kann)|ce\s+message\s+(?:et|est|peut)|"
    r"este\s+(?:correo|mensaje)\s+(?:y|es|puede|contiene)|questo\s+messaggio|"
    r"dit\s+(?:e-?mail)?bericht\s+(?:is|kan|bevat))",
    re.IGNORECASE,
)
_LIST_FOOTER = re.compile(r"mailing\s+list|unsubscribe|abmelden|désinscri", re.IGNORECASE)
_MAX_TAIL = 12  # lines a signature / footer block may have


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


def _cut_history(lines: list[str]) -> list[bool]:
    """Mark lines to keep: cut at reply boundaries, keep inline answers after quote blocks."""
    keep = [True] * len(lines)
    i = 0
    n = len(lines)
    while i < n:
        found = find_split(lines, i) if lines[i].strip() else None
        if found is None:
            i += 1
            continue
        kind, start, span = found
        if kind is Split.FORWARD:
            break  # a forwarded message is content the member chose to share
        after = _next_nonempty(lines, start + span)
        if after < n and _is_quote(lines[after]) and lines[start].strip() != CUT_MARK:
            end = _quote_block_end(lines, after)
            for k in range(start, end):
                keep[k] = False
            i = end
            continue
        for k in range(start, n):
            keep[k] = False
        break
    return keep


def _strip_edge_quotes(lines: list[str], keep: list[bool]) -> None:
    """Drop a quote block at the very start (bottom-posting) or at the very end."""
    idx = [k for k in range(len(lines)) if keep[k]]
    text_idx = [k for k in idx if lines[k].strip() and not _is_quote(lines[k])]
    if not text_idx:
        for k in idx:
            if _is_quote(lines[k]):
                keep[k] = False
        return
    first, last = text_idx[0], text_idx[-1]
    for k in idx:
        if (k < first or k > last) and _is_quote(lines[k]):
            keep[k] = False


def _strip_tail(lines: list[str]) -> int:
    """How many leading lines remain once signatures, mobile footers, list footers and
    disclaimers are removed from the end."""
    end = len(lines)
    while True:
        while end and not lines[end - 1].strip():
            end -= 1
        if not end:
            return 0
        start = max(0, end - _MAX_TAIL)
        cut = -1
        for k in range(end - 1, start - 1, -1):
            s = clean(lines[k]).strip()
            if s in ("--", "—-"):
                cut = k
                break
            if re.fullmatch(r"_{2,}", s) and any(
                    _LIST_FOOTER.search(x) for x in lines[k + 1 : min(k + 4, end)]):
                cut = k
                break
        last = clean(lines[end - 1]).strip()
        if cut < 0 and _MOBILE.match(last) and len(last.split()) <= 8 and "," not in last:
            cut = end - 1
        if cut < 0:
            para = end - 1
            while para > 0 and lines[para - 1].strip():
                para -= 1
            if para > 0 and _DISCLAIMER.match(clean(lines[para])):
                cut = para
        if cut < 0:
            return end
        end = cut


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


def trim_reply(text: str) -> tuple[str, str]:
    """Split a plain-text body into (the member's new words, everything elided, in order)."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[str] = []
    for line in raw_lines:
        lines.extend(split_shared_line(line))
    keep = _cut_history(lines)
    _strip_edge_quotes(lines, keep)
    for _ in range(3):
        kept_idx = [k for k in range(len(lines)) if keep[k]]
        remaining = _strip_tail([lines[k] for k in kept_idx])
        for k in kept_idx[remaining:]:
            keep[k] = False
        before = sum(keep)
        _strip_edge_quotes(lines, keep)  # a quote block left dangling before a signature
        if sum(keep) == before:
            break
    words = [x for x, k in zip(lines, keep, strict=True) if k and x.strip() != CUT_MARK]
    elided = [x for x, k in zip(lines, keep, strict=True) if not k and x.strip() != CUT_MARK]
    return _tidy(words), _tidy(elided)
