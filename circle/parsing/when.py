"""Dates in a member's own words ("March", "3 January", "1. März", "fin de mars", "this month",
"for two months").

`find_until` picks the date phrase out of a sentence (as written); `resolve_until` turns it into
the day the member's mail starts again, the next such day after `today` (`today` is a
parameter: the domain has no clock). "Until March" is 1 March; "until the end of March" and
"this month" are the first day of the following month; a span ("for two months", "für drei
Wochen", "pendant deux mois", "por dos semanas") counts from `today` (months by the
calendar, the day clamped to the month's last: 31 January + 1 month is 28 February).
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as dateparser

from circle.parsing.months import MONTH_WORDS, english_months

_MONTH = "(?:" + "|".join(re.escape(m) for m in MONTH_WORDS) + r")\.?"
_DAY = r"(?:[0-3]?\d(?:st|nd|rd|th|er|º|°)?\.?)"
_YEAR = r"(?:\s+20\d\d)?"
_DATE = (rf"(?:\d{{4}}-\d\d-\d\d|{_DAY}\s*(?:de\s+)?{_MONTH}{_YEAR}|{_MONTH}\s+{_DAY}(?!\d){_YEAR}"
         rf"|{_MONTH}{_YEAR})")
_END = (r"(?:the\s+)?end\s+of|ende|ende\s+des|enden|fin\s+(?:de|d')|finales\s+de|final\s+de|"
        r"eind|het\s+eind\s+van|fim\s+de|final\s+de|fine|la\s+fine\s+di|fine\s+di")
_THIS_MONTH = (r"this\s+month|the\s+rest\s+of\s+(?:the|this)\s+month|diesen\s+monat|"
               r"ce\s+mois(?:-ci)?|este\s+mes|deze\s+maand|este\s+m[eê]s|questo\s+mese")
_UNTIL = (r"until|till|til|through|bis(?:\s+(?:zum|zur|anfang))?|jusqu['’]?\s*(?:à|au|en|"
          r"à\s+la|a)?|hasta(?:\s+(?:el|la))?|tot(?:\s+en\s+met)?|até(?:\s+(?:o|a|"
          r"ao))?|fino\s+(?:a|al|alla|ad)|in|im|en|en\s+el|a|ab|from|dès|desde|vanaf|dal|a\s+partir\s+de")
_FIND = re.compile(
    rf"\b(?P<this>{_THIS_MONTH})\b|(?P<until>\b(?:{_UNTIL})\s+)?(?:the\s+|el\s+|le\s+|de\s+|il\s+|"
    rf"o\s+)?(?P<end>(?:{_END})\s+)?(?P<date>{_DATE})(?![\w-])",
    re.IGNORECASE)
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "ein": 1, "eine": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vijf": 5, "zes": 6,
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4,
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
}
_WEEKS = r"weeks?|wochen?|semaines?|semanas?|weken|week|settimane?"
_MONTHS = r"months?|monate?n?|mois|mes(?:es)?|maanden?|meses|m[eê]s|mesi|mese"
_SPAN = re.compile(
    rf"\b(?:for|für|pendant|pour|durante|por|voor|per)\s+(?:the\s+next\s+|die\s+nächsten\s+|"
    rf"les\s+|los\s+|próximos\s+|de\s+komende\s+|os\s+|i\s+prossimi\s+)?"
    rf"(?P<n>\d{{1,2}}|{'|'.join(sorted(_NUMBERS, key=len, reverse=True))})\s+"
    rf"(?P<unit>{_WEEKS}|{_MONTHS})\b", re.IGNORECASE)
_WEEK_UNIT = re.compile(rf"^(?:{_WEEKS})$", re.IGNORECASE)
_MAX_SPAN = 12  # months (or weeks) a member may ask for in words; longer is read as no date
_ISO = re.compile(r"^\d{4}-\d\d-\d\d$")
_ENDISH = re.compile(rf"^(?:{_END})\b", re.IGNORECASE)
_THISISH = re.compile(rf"^(?:{_THIS_MONTH})$", re.IGNORECASE)


def find_until(sentence: str) -> str:
    """The date phrase in `sentence` as the member wrote it ("" if none)."""
    span = _SPAN.search(sentence)
    if span and _span_count(span) is not None:
        return " ".join(span.group(0).split())
    for m in _FIND.finditer(sentence):
        if m.group("this"):
            return " ".join(m.group("this").split())
        bare = not re.search(r"\d", m.group("date"))
        if bare and not (m.group("until") or m.group("end")):
            continue  # "I may be late": a month name alone is a date only after "until"
        phrase = (m.group("end") or "") + m.group("date")
        return " ".join(phrase.split()).rstrip(".")
    return ""


_ENGLISH = ("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December")
_SOME_TODAY = date(2000, 1, 1)  # a leap year's first day: any day and month of a phrase fits


def as_day(phrase: str) -> str:
    """The phrase as the day it names, in one form whatever the language: 'März' → '1 March',
    'fin de mars' → '1 April', '15 de enero' → '15 January' (with its year when written).
    ISO dates, 'this month' and spans ('for two months') need today and stay as written, and
    so does anything unreadable; `resolve_until` reads both forms."""
    text = " ".join(phrase.split())
    if not text or _ISO.match(text) or _THISISH.match(text) or _SPAN.fullmatch(text):
        return text
    try:
        day = resolve_until(text, _SOME_TODAY)
    except ValueError:
        return text
    year = f" {day.year}" if re.search(r"\b20\d\d\b", text) else ""
    return f"{day.day} {_ENGLISH[day.month - 1]}{year}"


def _span_count(m: re.Match[str]) -> int | None:
    n = m.group("n").lower()
    count = int(n) if n.isdigit() else _NUMBERS.get(n)
    return count if count and count <= _MAX_SPAN else None


def _after(today: date, count: int, weeks: bool) -> date:
    """`count` weeks or calendar months after `today`."""
    if weeks:
        return today + timedelta(weeks=count)
    months = today.month - 1 + count
    year, month = today.year + months // 12, months % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def resolve_until(phrase: str, today: date) -> date:
    """The day `phrase` names, the next such day after `today`; ValueError if unreadable."""
    text = " ".join(phrase.split())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    if _THISISH.match(text):
        return _first_of_next_month(today)
    span = _SPAN.fullmatch(text)
    count = _span_count(span) if span else None
    if span is not None and count is not None:
        return _after(today, count, bool(_WEEK_UNIT.match(span.group("unit"))))
    end = _ENDISH.match(text)
    body = _ENDISH.sub("", text).strip() if end else text
    english = english_months(body.replace("º", "").replace("°", ""))
    english = re.sub(r"(\d)(?:st|nd|rd|th|er)\b", r"\1", english)
    try:
        parsed = dateparser.parse(english, default=datetime(today.year, 1, 1, tzinfo=UTC),
                                  dayfirst=True, fuzzy=True)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"could not read the date {phrase!r}") from exc
    day = parsed.date()
    if end:
        day = _first_of_next_month(day)
    if day <= today and not re.search(r"\b20\d\d\b", text):
        day = day.replace(year=day.year + 1)
    return day
