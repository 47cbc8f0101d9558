"""Out-of-office replies: the return date ("back on 3 March", "bis 12.08.2026",
"hasta el 24 de abril", "4月24日まで"), read as the sender's calendar day, and recognition
by wording when the automatic headers are missing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from circle.parsing.months import english_months
from circle.parsing.prefilter import search as prefiltered

_UNTIL = re.compile(
    r"\b(?:until|till|through|back on|back in the office on|return(?:ing)? on|returning|"
    r"return|back|bis(?: einschließlich| zum| am)?|ab dem|zurück am|wieder am|"
    r"jusqu'au|jusqu’au|jusqu'à|de retour le|retour le|hasta el|hasta|regreso el|"
    r"regresaré el|volveré el|de vuelta el|fino al|fino a|rientro il|rientrerò il|"
    r"di ritorno il|tot en met|tot|terug op|vanaf|até|de volta em|retorno em|"
    r"till och med|tillbaka|tilbake|tilbage|do dnia|do|wracam|powrót)\b[\s:,]*",
    re.IGNORECASE,
)
_CJK_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATEISH = re.compile(r"\d")
# Present-tense "I am away" wording (a story about a past holiday does not match).
_AWAY = re.compile(
    r"\b(?:i\s+am|i'm|i’m)\s+(?:currently\s+)?(?:out\s+of\s+(?:the\s+)?office|away|on\s+leave|"
    r"on\s+holiday|on\s+vacation)|\bje\s+(?:suis|serai)\s+(?:actuellement\s+)?absente?|"
    r"\bich\s+bin\s+(?:derzeit\s+|zurzeit\s+|bis\s.{0,30}?)?(?:nicht\s+im\s+büro|abwesend|"
    r"im\s+urlaub)|\bestoy\s+(?:fuera\s+de\s+la\s+oficina|de\s+vacaciones|ausente)|"
    r"\bsono\s+(?:fuori\s+ufficio|assente|in\s+ferie)|\bik\s+ben\s+(?:afwezig|met\s+vakantie|"
    r"niet\s+op\s+kantoor)|\bestou\s+(?:ausente|de\s+férias|fora\s+do\s+escritório)|"
    r"\bjestem\s+nieobecn|\bjag\s+är\s+(?:ledig|borta|inte\s+på\s+kontoret)|不在にして",
    re.IGNORECASE,
)
_SHORT = 700  # an out-of-office notice is short; a story is not read as one


def _parse(snippet: str, default: datetime) -> datetime | None:
    from dateutil import parser as date_parser

    try:
        got, _ = date_parser.parse(english_months(snippet), default=default,
                                   fuzzy_with_tokens=True,
                                   dayfirst=not re.match(r"^\s*[A-Za-z]", snippet))
    except (ValueError, OverflowError, TypeError):
        return None
    return got


def _cjk(text: str, base: datetime) -> datetime | None:
    m = _CJK_DATE.search(text)
    if not m:
        return None
    try:
        return datetime(  # noqa: DTZ001 - a calendar day, deliberately without a zone
            int(m.group(1) or base.year), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _plausible(got: datetime, base: datetime) -> datetime | None:
    if got < base:
        try:
            got = got.replace(year=got.year + 1)
        except ValueError:
            return None
    return None if got - base > timedelta(days=400) else got


def find_return_date(text: str, sent: datetime | None) -> datetime | None:
    """The first plausible return date after an 'until'-like word, as a naive datetime
    (midnight) on the sender's calendar day: no time-zone conversion can move the day."""
    local = sent.replace(tzinfo=None) if sent is not None else datetime(2000, 1, 1)  # noqa: DTZ001
    base = local.replace(hour=0, minute=0, second=0, microsecond=0)
    head = text[:5000]
    for match in _UNTIL.finditer(head):
        end = match.end() + 40
        snippet = head[match.end() : end].split("\n", maxsplit=1)[0]
        if end < len(head) and head[end - 1 : end + 1].isalpha():
            snippet = snippet.rsplit(" ", 1)[0]  # no half word ("mails" cut to "mai")
        snippet = re.split(r"(?<!\d)[.;!?](?:\s|$)|\(|\)", snippet)[0]
        if not _DATEISH.search(snippet) and not re.search(r"[^\W\d_]{3}", snippet):
            continue
        got = _parse(snippet, base)
        if got is None or got == base:
            continue
        if sent is None and _parse(snippet, base.replace(year=2001)) != got:
            continue  # no year given and nothing to anchor it on
        found = _plausible(got.replace(tzinfo=None), base)
        if found is not None:
            return found
    cjk = _cjk(head, base)
    return _plausible(cjk, base) if cjk is not None and sent is not None else None


def may_be_away(text: str) -> bool:
    """Short, and saying in the present tense that the sender is away (the cheap half)."""
    return len(text) <= _SHORT and prefiltered(_AWAY, text) is not None


def looks_away(text: str, sent: datetime | None) -> bool:
    """A short notice saying, in the present tense, that the sender is away until a date."""
    return may_be_away(text) and find_return_date(text, sent) is not None
