"""Month names of the common languages (en, de, fr, es, it, nl, pt, pl, sv, ru, uk, tr, fi,
hu, cs, el, ro, he, da, no),
mapped to English so that dateutil can read them."""

from __future__ import annotations

import re

_NAMES = {
    "january": ("jan|januar|janvier|enero|gennaio|januari|janeiro|stycznia|styczeń|"
              "januari|января|январь|січня|січень|ocak|ocak'a|ocak'ta|tammikuuta"
              "|január|januárja|ledna|leden|ιανουαρίου|ιανουάριος|ianuarie|ינואר|בינואר|tammikuu|januar"),
    "february": ("feb|februar|février|fevrier|febrero|febbraio|februari|fevereiro|lutego|"
              "luty|февраля|февраль|лютого|лютий|şubat|şubat'a|şubat'ta|helmikuuta"
              "|február|februárja|února|únor|φεβρουαρίου|φεβρουάριος|februarie|פברואר|בפברואר|helmikuu"),
    "march": ("mär|märz|maerz|mars|marzo|maart|março|marco|marca|marzec|mars|марта|"
              "март|березня|березень|mart|mart'a|mart'ta|maaliskuuta"
              "|március|márciusa|března|březen|μαρτίου|μάρτιος|martie|מרץ|במרץ|marts|maaliskuu"),
    "april": ("apr|avril|abril|aprile|kwietnia|kwiecień|апреля|апрель|квітня|квітень|"
              "nisan|nisan'a|nisan'da|huhtikuuta"
              "|április|áprilisa|dubna|duben|απριλίου|απρίλιος|aprilie|אפריל|באפריל|huhtikuu"),
    "may": ("mai|mayo|maggio|mei|maio|maja|maj|мая|май|травня|травень|mayıs|mayıs'a|"
              "mayıs'ta|toukokuuta"
              "|május|májusa|května|květen|μαΐου|μαίου|μάιος|מאי|במאי|toukokuu"),
    "june": ("juni|juin|junio|giugno|junho|czerwca|czerwiec|июня|июнь|червня|червень|"
              "haziran|haziran'a|haziran'da|kesäkuuta"
              "|június|júniusa|června|červen|ιουνίου|ιούνιος|iunie|יוני|ביוני|kesäkuu"),
    "july": ("juli|juillet|julio|luglio|julho|lipca|lipiec|июля|июль|липня|липень|"
              "temmuz|temmuz'a|temmuz'da|heinäkuuta"
              "|július|júliusa|července|červenec|ιουλίου|ιούλιος|iulie|יולי|ביולי|heinäkuu"),
    "august": ("aug|août|aout|agosto|augustus|sierpnia|sierpień|augusti|августа|август|"
              "серпня|серпень|ağustos|ağustos'a|ağustos'ta|elokuuta"
              "|augusztus|augusztusa|srpna|srpen|αυγούστου|αύγουστος|אוגוסט|באוגוסט|elokuu"),
    "september": ("sept|septembre|septiembre|settembre|setembro|września|wrzesień|"
              "сентября|сентябрь|вересня|вересень|eylül|eylül'e|eylül'de|syyskuuta"
              "|szeptember|szeptembere|září|σεπτεμβρίου|σεπτέμβριος|septembrie|ספטמבר|בספטמבר|syyskuu"),
    "october": ("okt|oktober|octobre|octubre|ottobre|outubro|października|październik|"
              "октября|октябрь|жовтня|жовтень|ekim|ekim'e|ekim'de|lokakuuta"
              "|október|októbere|října|říjen|οκτωβρίου|οκτώβριος|octombrie|אוקטובר|באוקטובר|lokakuu"),
    "november": ("nov|novembre|noviembre|novembro|listopada|listopad|ноября|ноябрь|"
              "листопада|листопад|kasım|kasım'a|kasım'da|marraskuuta"
              "|novembere|listopadu|νοεμβρίου|νοέμβριος|noiembrie|נובמבר|בנובמבר|marraskuu"),
    "december": ("dez|dezember|décembre|decembre|diciembre|dicembre|dezembro|grudnia|"
              "grudzień|декабря|декабрь|грудня|грудень|aralık|aralık'a|aralık'ta|"
              "joulukuuta"
              "|decembere|prosince|prosinec|δεκεμβρίου|δεκέμβριος|decembrie|דצמבר|בדצמבר|joulukuu"),
}
_LOOKUP = {alias: english for english, aliases in _NAMES.items() for alias in
           aliases.split("|")}
MONTH_WORDS: tuple[str, ...] = tuple(sorted(
    {*_LOOKUP, *_NAMES, "sep", "oct", "dec", "jun", "jul", "mar", "août"}, key=len, reverse=True))
"""Every month name and abbreviation known here, longest first (for building regexes)."""
_WORD = re.compile(r"[^\W\d_]{3,}(?:['’][^\W\d_]{1,3})?\.?")  # Turkish "Ocak'a"
_FILLER = re.compile(r"\b(?:de|del|di)\b", re.IGNORECASE)


def english_months(text: str) -> str:
    """'24 de abril' → '24 april', '1. März' → '1. march' (other words unchanged)."""
    def swap(m: re.Match[str]) -> str:
        word = m.group(0).rstrip(".").lower()
        return _LOOKUP.get(word, m.group(0))

    return _WORD.sub(swap, _FILLER.sub(" ", text))
