"""Find the return date in an out-of-office reply ("back on 3 March", "bis 12.08.2026")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNTIL = re.compile(
    r"\b(?:until|till|through|back on|back in the office on|return(?:ing)? on|returning|"
    r"return|back|bis(?: einschließlich| zum| am)?|ab dem|zurück am|wieder am|"
    r"jusqu'au|jusqu’au|jusqu'à|de retour le|retour le|hasta el|hasta|regreso el|"
    r"fino al|fino a|rientro il|tot en met|tot|terug op|vanaf|até|de volta em|"
    r"till och med|tillbaka|tilbake|tilbage)\b[\s:,]*",
    re.IGNORECASE,
)
_DATEISH = re.compile(r"\d")


def _parse(snippet: str, default: datetime) -> datetime | None:
    from dateutil import parser as date_parser

    try:
        got, _ = date_parser.parse(snippet, default=default, fuzzy_with_tokens=True,
                                   dayfirst=not re.match(r"^\s*[A-Za-z]", snippet))
    except (ValueError, OverflowError, TypeError):
        return None
    return got


def find_return_date(text: str, sent: datetime | None) -> datetime | None:
    """The first plausible return date after an 'until'-like word, timezone-aware."""
    base = sent or datetime(2000, 1, 1, tzinfo=UTC)
    if base.tzinfo is None:
        base = base.replace(tzinfo=UTC)
    base = base.replace(hour=0, minute=0, second=0, microsecond=0)
    for match in _UNTIL.finditer(text[:5000]):
        snippet = text[match.end() : match.end() + 40].split("\n", maxsplit=1)[0]
        snippet = re.split(r"[.;!?](?:\s|$)|\(|\)", snippet)[0]
        if not _DATEISH.search(snippet) and not re.search(r"[A-Za-z]{3}", snippet):
            continue
        got = _parse(snippet, base)
        if got is None or got == base:
            continue
        if sent is None and _parse(snippet, base.replace(year=2001)) != got:
            continue  # no year given and nothing to anchor it on
        if got.tzinfo is None:
            got = got.replace(tzinfo=base.tzinfo)
        if got < base:
            try:
                got = got.replace(year=got.year + 1)
            except ValueError:
                continue
        if got - base > timedelta(days=400):
            continue
        return got
    return None
