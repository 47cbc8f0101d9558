"""Recognise where quoted history starts: attribution lines, header blocks, separators."""

from __future__ import annotations

import re
from enum import Enum

from circle.parsing.html_text import CUT_MARK

_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u200b\ufeff\u00ad"), None)

_VERBS = (
    r"wrote|sent|schrieb|a\s+écrit|a\s+ecrit|écrit|escribió|escribio|ha\s+escrito|scrisse|"
    r"ha\s+scritto|schreef|geschreven|escreveu|skrev|kirjoitti|napisał|napisal|napsal|"
    r"написал|написала|пишет|đã\s+viết|yazdı|έγραψε|írta|a\s+scris|wrote\s+on|"
    r"het\s+volgende\s+geschreven|enviou|skriver|kirjutas|rašė|rakstīja|написа"
)
# "On <date>, <name> wrote:" (any language) once the lines are joined; bounded quantifiers only.
_ATTRIBUTION = re.compile(
    r"^[-\s*>]{0,12}\S.{0,400}?\s(?:" + _VERBS + r")\s*(?::|-{2,})[-\s*]{0,12}$", re.IGNORECASE
)
# "Op 13-02-2014 3:18 schreef Julius Caesar <pantheon@rome.com>:" (verb before the name)
_VERB_FIRST = re.compile(r"^.{0,200}?\s(?:" + _VERBS + r")\s.{0,200}:\s*$", re.IGNORECASE)
# "2014-10-17 11:28 GMT+03:00 Name <a@b>:" / "26.06.2014, 14:41, "Name" <a@b>:"
_DATE_START = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+\d)",
    re.IGNORECASE,
)
# Words an attribution line starts with, in many languages (or a date, or an address).
_OPENER = re.compile(
    r"^[-\s*]{0,12}(?:(?:on|am|le|el|il|op|em|den|på|w\s+dniu|dnia|vào|dne|pada|στις|в|kun|ar|"
    r"sent\s+from|the|at|quoting|citando|zitat\s+von|zitiere|a\s+las?|el\s+día|il\s+giorno)"
    r"\b|\d|(?:mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|lun|mar|mer|"
    r"jeu|ven|sam|dim)[a-z]*[.,]|\"?[^\s@]{1,64}@)",
    re.IGNORECASE,
)
_DATE_EMAIL_END = re.compile(r"<?[^\s<>@]{1,100}@[^\s<>@]{1,200}>\s*:?\s*$")
# "---- John Smith wrote ----" (Android)
_ANDROID = re.compile(
    r"^\s*+-{2,}+\s*+[^-\s].{0,200}?\s(?:wrote|schrieb|a\s+écrit)\s*-{2,}+\s*$", re.I)
_SEPARATOR_WORDS = (
    "original message|reply message|ursprüngliche nachricht|antwort nachricht|"
    "oprindelig meddelelse|message d'origine|mensaje original|messaggio originale|"
    "oorspronkelijk bericht|originalnachricht|ursprungligt meddelande|opprinnelig melding|"
    "alkuperäinen viesti|mensagem original|původní zpráva|wiadomość oryginalna|"
    "исходное сообщение|oryginalna wiadomość|eredeti üzenet|original"
)
_ORIGINAL = re.compile(
    r"^\s*+[-_=*]{2,}+\s*+(?:" + _SEPARATOR_WORDS + r")\s*+[-_=*]{2,}+\s*$", re.I)
_FORWARD = re.compile(
    r"^\s*+(?:[-_=*]{2,}+\s*+(?:forwarded message|weitergeleitete nachricht|message transféré|"
    r"mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|videresendt meddelelse|"
    r"vidarebefordrat meddelande|mensagem encaminhada|przekazana wiadomość|"
    r"пересылаемое сообщение)\s*[-_=*]{2,}|begin forwarded message:|"
    r"début du message réexpédié\s*:|inicio del mensaje reenviado:|anfang der weitergeleiteten)",
    re.I,
)
_RULE = re.compile(r"^\s*+[-_=*]{5,}+\s*$")

_FROM = {"from", "von", "de", "fra", "från", "van", "da", "od", "от", "lähettäjä", "feladó",
         "kimden", "gönderen", "发件人", "寄件者", "差出人", "từ", "afzender", "remitente"}
_DATE = {"sent", "date", "gesendet", "datum", "envoyé", "enviado", "fecha", "inviato", "data",
         "verzonden", "sendt", "skickat", "dato", "отправлено", "дата", "wysłano", "lähetetty",
         "发送时间", "送信日時", "enviada", "päivämäärä", "gönderildi", "tarih", "ngày gửi"}
_TO = {"to", "an", "à", "a", "para", "aan", "til", "till", "до", "кому", "do", "vastaanottaja",
       "收件人", "宛先", "címzett", "kime", "alıcı", "đến", "destinatario"}
_CC = {"cc", "kopie", "cópia", "copia", "kopi", "копия", "kopio", "másolat", "bilgi"}
_SUBJECT = {"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "emne", "ämne",
            "тема", "temat", "assunto", "aihe", "主题", "件名", "predmet", "tárgy", "konu",
            "chủ đề", "angående"}
_HEADER_KEY = re.compile(r"^\s*\*{0,2}([^\W\d_][^:*]{0,20}?)\s*\*{0,2}\s*:(?!//)", re.UNICODE)


class Split(Enum):
    """What kind of boundary a line starts."""

    QUOTE = "quote"  # quoted history of a reply starts here
    FORWARD = "forward"  # a forwarded message starts here: not the member's quote


def clean(line: str) -> str:
    """A line without invisible direction/zero-width marks."""
    return line.translate(_INVISIBLE)


def header_category(line: str) -> str:
    """'from', 'date', 'to', 'cc', 'subject' for a mail-header-like line, else ''."""
    m = _HEADER_KEY.match(clean(line))
    if not m:
        return ""
    key = m.group(1).strip().lower()
    for name, words in (("from", _FROM), ("date", _DATE), ("to", _TO), ("cc", _CC),
                        ("subject", _SUBJECT)):
        if key in words:
            return name
    return ""


def _header_block(lines: list[str], i: int) -> bool:
    """Do lines[i:] start a block of quoted mail headers (From/Sent/To/Subject...)?"""
    first = header_category(lines[i])
    if first not in ("from", "date"):
        return False
    seen = {first}
    for line in lines[i + 1 : i + 9]:
        cat = header_category(line)
        if cat:
            seen.add(cat)
        elif not line.strip() and len(seen) >= 2:
            break
    return len(seen) >= 2 and bool(seen & {"to", "subject", "date", "from", "cc"} - {first})


def _joined(lines: list[str], i: int, count: int) -> str:
    return " ".join(clean(x).strip() for x in lines[i : i + count] if x.strip())


_TIME_OR_YEAR = re.compile(r"\d{1,2}:\d{2}|\b(?:19|20)\d\d\b")


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _quote_follows(lines: list[str], j: int) -> bool:
    """Is the next non-empty line from j on a quoted ('>') line?"""
    for line in lines[j : j + 4]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


def _attribution(lines: list[str], i: int) -> int:
    """Number of lines an attribution starting at i spans (0 if none)."""
    first = clean(lines[i]).strip()
    if not first or first.startswith(">") or len(first) > 400:
        return 0
    if _ANDROID.match(first):
        return 1
    if not _OPENER.match(first):
        # No opening word: only a one-line "Name <address> wrote:" counts.
        if "@" in first and _ATTRIBUTION.match(first):
            return 1
        return 0
    for count in range(1, 6):
        if i + count > len(lines):
            break
        last = lines[i + count - 1]
        text = _joined(lines, i, count)
        if len(text) > 500:
            break
        if not last.strip():
            continue
        if text[-1] not in ":->":
            continue
        strong = "@" in text or bool(_TIME_OR_YEAR.search(text))
        if not strong and not (_quote_follows(lines, i + count) and _has_digit(text)):
            continue
        if _ATTRIBUTION.match(text) or _VERB_FIRST.match(text):
            return count
        if _DATE_START.match(text) and _DATE_EMAIL_END.search(text):
            return count
    return 0


def find_split(lines: list[str], i: int) -> tuple[Split, int, int] | None:
    """If a boundary starts at line i: (kind, first line to cut, lines it spans)."""
    line = lines[i]
    stripped = line.strip()
    if not stripped or stripped.startswith(">"):
        return None
    if stripped == CUT_MARK:
        return Split.QUOTE, i, 1
    if _FORWARD.match(line):
        return Split.FORWARD, i, 1
    if _ORIGINAL.match(line):
        return Split.QUOTE, i, 1
    if header_category(line) in ("from", "date") and _header_block(lines, i):
        start = i
        for back in (i - 1, i - 2):
            if back >= 0 and _RULE.match(lines[back]):
                start = back
                break
            if back >= 0 and lines[back].strip():
                break
        return Split.QUOTE, start, 1 + (i - start)
    span = _attribution(lines, i)
    if span:
        return Split.QUOTE, i, span
    return None


_INLINE_ATTRIBUTION = re.compile(r"(?:-{2,}\s*)?\bOn\s.{0,300}?\s(?:wrote|sent):\s*$")


def split_shared_line(line: str) -> list[str]:
    """'reply On <date>, X wrote:' → ['reply', 'On <date>, X wrote:']."""
    if len(line) > 600 or "On " not in line or not line.rstrip().endswith(":"):
        return [line]
    m = _INLINE_ATTRIBUTION.search(line)
    if not m or m.start() == 0 or not line[: m.start()].strip():
        return [line]
    attribution = line[m.start() :].lstrip("- ")
    if not any(c.isdigit() for c in attribution) and "@" not in attribution:
        return [line]
    return [line[: m.start()].rstrip(), attribution]
