"""Dates in a member's own words ("March", "3 January", "1. März", "fin de mars", "this month").

`find_until` picks the date phrase out of a sentence (as written); `resolve_until` turns it into
the day the member's mail starts again, the next such day after `today` (`today` is a
parameter: the domain has no clock). "Until March" is 1 March; "until the end of March" and
"this month" are the first day of the following month.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

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
          r"à\s+la|a)?|hasta(?:\s+(?:el|la|finales|final))?|tot(?:\s+en\s+met)?|até(?:\s+(?:o|a|"
          r"ao))?|fino\s+(?:a|al|alla|ad)|in|im|en|en\s+el|a|ab|from|dès|desde|vanaf|dal|a\s+partir\s+de")
_FIND = re.compile(
    rf"\b(?P<this>{_THIS_MONTH})\b|(?P<until>\b(?:{_UNTIL})\s+)?(?:the\s+|el\s+|le\s+|de\s+|il\s+|"
    rf"o\s+)?(?P<end>(?:{_END})\s+)?(?P<date>{_DATE})(?![\w-])",
    re.IGNORECASE)
_ENDISH = re.compile(rf"^(?:{_END})\b", re.IGNORECASE)
_THISISH = re.compile(rf"^(?:{_THIS_MONTH})$", re.IGNORECASE)


def find_until(sentence: str) -> str:
    """The date phrase in `sentence` as the member wrote it ("" if none)."""
    for m in _FIND.finditer(sentence):
        if m.group("this"):
            return " ".join(m.group("this").split())
        bare = not re.search(r"\d", m.group("date"))
        if bare and not (m.group("until") or m.group("end")):
            continue  # "I may be late": a month name alone is a date only after "until"
        phrase = (m.group("end") or "") + m.group("date")
        return " ".join(phrase.split()).rstrip(".")
    return ""


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
