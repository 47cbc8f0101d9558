"""Out-of-office replies: the return date ("back on 3 March", "bis 12.08.2026",
"hasta el 24 de abril", "4月24日まで"), read as the sender's calendar day, and recognition
by wording when the automatic headers are missing.

Decisions:
- the return day is the day written, on the sender's own calendar: the Date header's offset
  is dropped, never converted (a notice sent at 00:30 in Tokyo saying "1月7日に戻ります"
  returns on 7 January, not on the 6th in UTC); a month without a day is its first day;
  dotted European dates ("vom 21.12. bis 06.01.") are day.month; a Turkish date comes
  before its "until" ("7 Ocak'a kadar");
- without automatic headers a notice is recognised only when it is short (at most 700
  characters and 60 words), says in the present tense that the sender is away ("I am out of
  the office", "je suis absente", "ich bin ... nicht erreichbar", "estoy de vacaciones",
  "sono in ferie", "ik ben met vakantie", "estou de férias", "jestem na urlopie", "jag är
  ledig", "不在にしております", "я в отпуске", "izindeyim", "olen lomalla", "jeg er på
  ferie"; en, de, fr, es, it, nl, pt, pl, sv, ja, ru, uk, tr, fi, da, no), not inside a
  when/if clause ("When I'm away from the ward I miss the noise"), and gives a return date;
  a past holiday ("I was away on holiday and came back with...") never matches, and a
  longer message is a story even if it opens by saying the member is away (missing a
  notice only shows it to the steward; taking a story for one would lose the story);
- hu, cs, el, ro, ko, he away wording in the same first-person present form ("December
  14-ig szabadságon vagyok", "jsem na dovolené", "είμαι εκτός γραφείου", "sunt în
  concediu", "휴가 중입니다", "אני בחופשה"), their month names in months.py, Hungarian's
  "-ig" after the date, Korean 월/일 dates;
- a person's reply that quotes the message it answers ("I'll be away until 14 March, Jana
  covers for me." above "> ..." lines) is no notice unless worded in the classic notice form
  (`notice_form`: "out of the office", "limited access to email", "will respond on my
  return", "in urgent cases", "automatic"); classify.py asks this.
"""

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
    r"till och med|tillbaka|tilbake|tilbage|do dnia|do|wracam|wrócę|powrócę|powrót|"
    r"będę z powrotem|z powrotem|вернусь|вернуся|повернуся|буду на месте|буду в офисе|"
    r"до|по|palaan|takaisin|έως|μέχρι|ως|până(?:\s+(?:pe|la|în))?|עד(?:\s+ה-?)?)\b[\s:,]*",
    re.IGNORECASE,
)
_DATE_THEN_UNTIL = re.compile(
    r"(\d{1,2}(?:\.\d{1,2}\.(?:\d{2,4})?|\s+[^\W\d_]{3,}(?:['’][^\W\d_]{1,3})?(?:\s+\d{4})?))"
    r"\s+(?:tarihine\s+|tarihinde\s+)?(?:kadar|dönece\w*|ofiste)\b", re.IGNORECASE)
_CJK_DATE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
# Hungarian puts "until" after the date as a suffix: "december 14-ig"
_HU_IG = re.compile(r"\b([^\W\d_]{3,}\s+\d{1,2})\.?-(?:ig|éig|jéig|áig)\b", re.IGNORECASE)
_DATEISH = re.compile(r"\d")
# Present-tense "I am away" wording (a story about a past holiday does not match): a first
# person "am / will be" and an away state, a few words apart at most (bounded: linear).
_GAP = r"(?:[^.!?\n]|(?<=\d)\.){0,40}?"  # "vom 21.12. bis 06.01." is no full stop
_AWAY = re.compile(
    r"\b(?:i\s+am|i'm|i’m|i\s+will\s+be|i'll\s+be)\s+(?:currently\s+|now\s+)?(?:out\s+of\s+"
    r"(?:the\s+)?office|away|on\s+(?:annual\s+|parental\s+|maternity\s+|sick\s+|study\s+)?leave|"
    r"on\s+holiday|on\s+vacation|off\s+work|out\s+until)|"
    r"\bje\s+(?:suis|serai)\s+(?:actuellement\s+|en\s+ce\s+moment\s+)?(?:absente?|en\s+congés?|"
    r"en\s+vacances|hors\s+du\s+bureau)|"
    r"\bich\s+bin\b" + _GAP + r"\b(?:nicht\s+im\s+büro|abwesend|im\s+urlaub|außer\s+haus|"
    r"ausser\s+haus|nicht\s+erreichbar|in\s+elternzeit)|"
    r"\b(?:estoy|me\s+encuentro|estaré)\s+(?:\w+\s+){0,2}?(?:fuera\s+de\s+la\s+oficina|"
    r"de\s+vacaciones|ausente|fuera)|"
    r"\b(?:sono|sarò)\s+(?:\w+\s+){0,2}?(?:fuori\s+ufficio|assente|in\s+ferie|in\s+vacanza)|"
    r"\bik\s+ben\b" + _GAP + r"\b(?:afwezig|met\s+vakantie|niet\s+op\s+kantoor|"
    r"niet\s+aanwezig|met\s+verlof)|"
    r"\b(?:estou|estarei)\s+(?:\w+\s+){0,2}?(?:ausente|de\s+férias|fora\s+do\s+escritório)|"
    r"\bjestem\s+(?:\w+\s+){0,2}?(?:nieobecn|na\s+urlopie|poza\s+biurem)|"
    r"\bjag\s+är\s+(?:\w+\s+){0,2}?(?:ledig|borta|inte\s+på\s+kontoret|på\s+semester|"
    r"tjänstledig|föräldraledig)|"
    r"不在にして|休暇をいただいて|休暇中|お休みをいただいて|"
    r"\bя\s+(?:\w+\s+){0,2}?(?:в\s+отпуске|в\s+командировке|отсутствую|не\s+в\s+офисе|"
    r"буду\s+отсутствовать|у\s+відпустці|відсутн\w*)|\bменя\s+нет\s+в\s+офисе|"
    r"\b(?:izindeyim|izinliyim|ofis\s+dışındayım|tatildeyim)\b|"
    r"\b(?:olen|olemme)\s+(?:\w+\s+){0,2}?(?:lomalla|poissa)\b|"
    r"\bjeg\s+er\s+(?:\w+\s+){0,2}?(?:på\s+ferie|fraværende|bortrejst|ikke\s+på\s+kontoret|"
    r"ute\s+av\s+kontoret|på\s+kursus|på\s+kurs)|"
    # hu, cs, el, ro, ko, he: the away state with a first-person verb ("szabadságon vagyok",
    # "jsem na dovolené", "είμαι εκτός γραφείου", "sunt în concediu", "휴가 중입니다",
    # "אני בחופשה")
    r"\b(?:szabadságon|házon\s+kívül|irodán\s+kívül|távol)\s+(?:vagyok|leszek)\b|"
    r"\bnem\s+vagyok\s+elérhető|"
    r"\b(?:jsem|budu)\s+(?:\w+\s+){0,2}?(?:na\s+dovolené|mimo\s+kancelář|nepřítomn\w*|"
    r"mimo\s+(?:úřad|pracoviště))|\bnejsem\s+v\s+kanceláři|"
    r"\b(?:είμαι|βρίσκομαι|θα\s+είμαι|θα\s+βρίσκομαι)\s+(?:\w+\s+){0,2}?(?:εκτός\s+γραφείου|"
    r"σε\s+άδεια|σε\s+διακοπές|εκτός)|"
    r"\b(?:sunt|voi\s+fi)\s+(?:\w+\s+){0,2}?(?:în\s+concediu|in\s+concediu|plecat\w*|"
    r"în\s+afara\s+biroului|absent\w*)|"
    r"부재\s*중입니다|휴가\s*중입니다|부재중이며|휴가\s*중이며|사무실에\s*없습니다|"
    r"\bאני\s+(?:\S+\s+)?(?:מחוץ\s+למשרד|בחופשה|בחופש|לא\s+במשרד)|\bאינני\s+במשרד",
    re.IGNORECASE,
)
# The classic notice form: a human reply that quotes our mail ("I'll be away until 14
# March, Jana covers for me." above a quote) is still a notice only with these words.
_NOTICE_FORM = re.compile(
    r"\bout\s+of\s+(?:the\s+)?office\b|\blimited\s+(?:access\s+to\s+(?:e-?mail|my\s+e-?mail)|"
    r"e-?mail\s+access)|\b(?:respond|reply|answer|get\s+back)\b[^.!?\n]{0,40}\b(?:on|upon|after)\s+"
    r"my\s+return\b|\bautomatic|\bauto-?reply|\bnicht\s+im\s+büro|\babwesenheit|\bhors\s+du\s+bureau|"
    r"\bfuera\s+de\s+la\s+oficina|\bfuori\s+ufficio|\bniet\s+op\s+kantoor|\bfora\s+do\s+escritório|"
    r"\bautomati\w+|\b(?:répondrai|traiterai|responderé|contestaré|antworte|beantworte|"
    r"risponderò|beantwoord|responderei)\b[^.!?\n]{0,50}\b(?:mon\s+retour|mi\s+regreso|mi\s+vuelta|"
    r"meiner\s+rückkehr|mio\s+rientro|mijn\s+terugkeer|meu\s+retorno)|\bmimo\s+kancelář|\bházon\s+kívül|\bεκτός\s+γραφείου|"
    r"\bîn\s+afara\s+biroului|부재|\bמחוץ\s+למשרד|"
    r"\b(?:accès|acceso|accesso|acesso)\s+limit\w+|\beingeschränkt\w*\s+(?:zugriff|zugang)|"
    r"\bbeperkte\s+toegang|\b(?:for|in)\s+urgent\s+(?:matters|cases)|\burgent\s+(?:matters|enquiries)|"
    r"\ben\s+cas\s+d['’]urgence|\bin\s+dringenden\s+fällen|\ben\s+caso\s+de\s+urgencia|"
    r"\bin\s+caso\s+di\s+urgenza|\bin\s+dringende\s+gevallen|\bem\s+caso\s+de\s+urgência",
    re.IGNORECASE,
)
# "When I'm away from the ward I miss..." is a story: the away words in a when/if clause.
_CLAUSE = re.compile(r"\b(?:when|whenever|if|wenn|falls|quand|lorsque|si|cuando|quando|se|als|"
                     r"als\s+ik|kiedy|jeśli|när|om)\W+(?:\w+\W+){0,2}$", re.IGNORECASE)
_DOTTED = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_SHORT = 700  # an out-of-office notice is short; a story is not read as one
_SHORT_WORDS = 60  # nor one of many words: notices are a few sentences, and a story that
# mentions a holiday is lost if read as one (missing a notice only shows it to the steward)


def _parse(snippet: str, default: datetime) -> datetime | None:
    from dateutil import parser as date_parser

    dotted = _DOTTED.match(snippet)  # "06.01." / "6.1.2027": day.month, as Europe writes it
    if dotted:
        year = int(dotted.group(3) or default.year)
        try:
            return default.replace(year=year + 2000 if year < 100 else year,
                                   month=int(dotted.group(2)), day=int(dotted.group(1)))
        except ValueError:
            return None
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
        window = head[match.end() : end]
        snippet = window.split("\n", maxsplit=1)[0]
        if snippet == window and end < len(head) and head[end - 1 : end + 1].isalpha():
            snippet = snippet.rsplit(" ", 1)[0]  # no half word ("mails" cut to "mai")
        snippet = re.split(r"(?<!\d)[.;!?](?:\s|$)|\(|\)", snippet)[0]
        if not _DATEISH.search(snippet) and not re.search(r"[^\W\d_]{3}", snippet):
            continue
        got = _parse(snippet, base if _DATEISH.search(snippet) else base.replace(day=1))
        if got is None or got == base:
            continue
        if sent is None and _parse(snippet, base.replace(year=2001)) != got:
            continue  # no year given and nothing to anchor it on
        found = _plausible(got.replace(tzinfo=None), base)
        if found is not None:
            return found
    after = _DATE_THEN_UNTIL.search(head)
    if after is not None and sent is not None:
        got = _parse(after.group(1).strip(), base)
        found = _plausible(got, base) if got is not None and got != base else None
        if found is not None:
            return found
    ig = _HU_IG.search(head)
    if ig is not None and sent is not None:
        got = _parse(ig.group(1), base)
        found = _plausible(got, base) if got is not None and got != base else None
        if found is not None:
            return found
    cjk = _cjk(head, base)
    return _plausible(cjk, base) if cjk is not None and sent is not None else None


def may_be_away(text: str) -> bool:
    """Short, and saying in the present tense that the sender is away (the cheap half)."""
    if len(text) > _SHORT or len(text.split()) > _SHORT_WORDS:
        return False
    return says_away(text)


def says_away(text: str) -> bool:
    """Its opening (700 characters) says in the present tense that the sender is away, and
    not inside a when/if clause."""
    head = text[:_SHORT]
    found = prefiltered(_AWAY, head)
    if found is None:
        return False
    sentence = re.split(r"[.!?\n]", head[max(0, found.start() - 60):found.start()])[-1]
    return not _CLAUSE.search(sentence)


def looks_away(text: str, sent: datetime | None) -> bool:
    """A short notice saying, in the present tense, that the sender is away until a date."""
    return may_be_away(text) and find_return_date(text, sent) is not None


def notice_form(text: str) -> bool:
    """Worded as the classic notice ("I am out of the office", "with limited access to email",
    "will respond on my return"), not as a person telling the steward they are away."""
    return prefiltered(_NOTICE_FORM, text[:_SHORT]) is not None
