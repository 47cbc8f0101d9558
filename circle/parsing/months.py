"""Month names of the common languages, mapped to English so that dateutil can read them."""

from __future__ import annotations

import re

_NAMES = {
    "january": "jan|januar|janvier|enero|gennaio|januari|janeiro|stycznia|styczeń|januari",
    "february": "feb|februar|février|fevrier|febrero|febbraio|februari|fevereiro|lutego|luty",
    "march": "mär|märz|maerz|mars|marzo|maart|março|marco|marca|marzec|mars",
    "april": "apr|avril|abril|aprile|kwietnia|kwiecień",
    "may": "mai|mayo|maggio|mei|maio|maja|maj",
    "june": "juni|juin|junio|giugno|junho|czerwca|czerwiec",
    "july": "juli|juillet|julio|luglio|julho|lipca|lipiec",
    "august": "aug|août|aout|agosto|augustus|sierpnia|sierpień|augusti",
    "september": "sept|septembre|septiembre|settembre|setembro|września|wrzesień",
    "october": "okt|oktober|octobre|octubre|ottobre|outubro|października|październik",
    "november": "nov|novembre|noviembre|novembro|listopada|listopad",
    "december": "dez|dezember|décembre|decembre|diciembre|dicembre|dezembro|grudnia|grudzień",
}
_LOOKUP = {alias: english for english, aliases in _NAMES.items() for alias in
           aliases.split("|")}
MONTH_WORDS: tuple[str, ...] = tuple(sorted(
    {*_LOOKUP, *_NAMES, "sep", "oct", "dec", "jun", "jul", "mar", "août"}, key=len, reverse=True))
"""Every month name and abbreviation known here, longest first (for building regexes)."""
_WORD = re.compile(r"[^\W\d_]{3,}\.?")
_FILLER = re.compile(r"\b(?:de|del|di)\b", re.IGNORECASE)


def english_months(text: str) -> str:
    """'24 de abril' → '24 april', '1. März' → '1. march' (other words unchanged)."""
    def swap(m: re.Match[str]) -> str:
        word = m.group(0).rstrip(".").lower()
        return _LOOKUP.get(word, m.group(0))

    return _WORD.sub(swap, _FILLER.sub(" ", text))
