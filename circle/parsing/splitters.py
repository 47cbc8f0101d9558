"""Recognise where quoted history starts: attribution lines, header blocks, separators.

Decisions:

* A separator is a line of one to four words between runs of dashes (any Unicode
  hyphen), '=' or '_'
  ("-------- Oprindelig besked --------", "-----Ursprüngliche Nachricht-----") in any
  language: history when its words are a known separator phrase, or when a header-like
  line, an attribution or a quoted line follows within two non-empty lines.
* A header block is a run of mail-header lines ("Key: value" / "Key : value", keys in many
  languages) with a from- or date-like key and another known key, one of them holding an
  address, a date or a time ("From: me / To: the team / Subject: patience" is the
  member's). It grows upward over
  header-like lines with unknown keys whose value holds a date, a time or an address
  ("Message du : 12/12/2016 13:20"), then over a rule line ("====", "-----") or a title
  between runs of dashes, whatever its words ("---------- Původní e-mail ----------"), at
  most one blank line above it: all of it is history. Flattened HTML may put several headers on
  one line ("From: bob@x.com Date: Thu, 24 Mar 2016 08:07"): its later keys count too.
"""

from __future__ import annotations

import re
from enum import Enum

from circle.parsing.attribution import by_wording, clean
from circle.parsing.html_text import CUT_MARK

__all__ = [
    "Split",
    "clean",
    "find_split",
    "header_block_end",
    "header_category",
    "split_shared_line",
]

_SEPARATOR_WORDS = (
    "original message|reply message|ursprüngliche nachricht|antwort nachricht|"
    "oprindelig meddelelse|message d'origine|mensaje original|messaggio originale|"
    "oorspronkelijk bericht|originalnachricht|ursprungligt meddelande|opprinnelig melding|"
    "alkuperäinen viesti|mensagem original|původní zpráva|wiadomość oryginalna|"
    "исходное сообщение|oryginalna wiadomość|eredeti üzenet|original"
)
_ORIGINAL = re.compile(
    r"^\s*+[-_=*]{2,}+\s*+(?:" + _SEPARATOR_WORDS + r")\s*+[-_=*]{2,}+\s*$", re.I)
_FORWARD_WORDS = (
    "forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|"
    "messaggio inoltrato|doorgestuurd bericht|videresendt meddelelse|vidarebefordrat meddelande|"
    "vidarebefordrat mejl|mensagem encaminhada|mensagem reencaminhada|przekazana wiadomość|"
    "wiadomość przekazana dalej|пересылаемое сообщение|переслане повідомлення|"
    "転送されたメッセージ|转发的邮件|轉寄的郵件|전달된 메시지|välitetty viesti|"
    "přeposlaná zpráva|iletilen ileti|forwarded e-?mail"
)
_FORWARD = re.compile(
    r"^\s*+(?:[-_=*]{2,}+\s*+(?:" + _FORWARD_WORDS + r")\s*[-_=*]{2,}|"
    r"begin forwarded message\s*:|début du message réexpédié\s*:|inicio del mensaje reenviado"
    r"\s*:|anfang der weitergeleiteten|inizio messaggio inoltrato\s*:|begin doorgestuurd "
    r"bericht\s*:|início da mensagem reencaminhada\s*:|vidarebefordrat mejl\s*:|"
    r"転送されたメッセージ\s*[:：])",
    re.I,
)
_RULE = re.compile(r"^\s*+[-_=*]{5,}+\s*$")
_SHORT_RULE = re.compile(r"^\s*+[-_=*~\u2010-\u2015]{3,}+\s*$")
# "---- Mensaje original ----": one to four words between runs of dashes ('-', U+2010-2015
# as old Proton writes them), '=' or '_'
# ("---------- Původní e-mail ----------": a hyphen inside a word is part of the title)
_DASHED = re.compile(
    r"^\s*+[-_=\u2010-\u2015]{2,}+\s*+([^\s\-_=\u2010-\u2015]"
    r"(?:[^\-_=\u2010-\u2015]|[-\u2010\u2011](?![-_=\u2010-\u2015\s])){0,60}?)"
    r"\s*+[-_=\u2010-\u2015]{2,}+\s*$")
# Any title between runs of dashes: right above a header block it is that block's title.
_DASH_TITLE = re.compile(r"^\s*+[-_=\u2010-\u2015]{2,}+[^\n]{0,80}?[-_=\u2010-\u2015]{2,}+\s*$")
_ANY_KEY = re.compile(r"^\s*[^\W\d_][^:：]{0,24}?\s?[:：]\s")
_EVIDENCE = re.compile(r"@|\d{1,2}[:.]\d{2}\b|\b(?:19|20)\d\d\b|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")

_FROM = {"from", "von", "de", "fra", "från", "van", "da", "od", "от", "від", "lähettäjä",
         "feladó", "kimden", "gönderen", "发件人", "寄件者", "差出人", "보낸 사람", "từ",
         "afzender", "remitente", "afsender", "avsändare", "expéditeur", "absender",
         "autor", "nadawca", "odesílatel", "αποστολέας", "mittente", "dari", "de la",
         "šalje", "pošiljatelj", "nuo", "saatja", "מאת", "من", "από", "จาก", "от кого",
         "送信者", "发件者", "寄件人", "发信人"}
_DATE = {"sent", "date", "gesendet", "datum", "envoyé", "enviado", "fecha", "inviato",
         "data", "verzonden", "verstuurd", "sendt", "skickat", "dato", "отправлено", "дата",
         "wysłano", "wysłane", "lähetetty", "发送时间", "日期", "送信日時", "日付",
         "enviada", "päivämäärä", "gönderildi", "tarih", "ngày gửi", "надіслано",
         "відправлено", "보낸 날짜", "odesláno", "elküldve", "ημερομηνία", "sent at",
         "sendt dato", "dikirim", "tanggal", "trimis", "poslano", "poslato", "odoslané",
         "išsiųsta", "nosūtīts", "saadetud", "נשלח", "تاريخ", "στάλθηκε", "enviat",
         "enviado el", "時間", "时间", "日時", "寄件日期", "发送日期", "gesendet am"}
_TO = {"to", "an", "à", "a", "para", "aan", "til", "till", "до", "кому", "do",
       "vastaanottaja", "收件人", "宛先", "címzett", "kime", "alıcı", "đến", "destinatario",
       "destinataire", "받는 사람", "komu", "per", "προς", "empfänger", "adresat", "kepada",
       "către", "prima", "primatelj", "kam", "adressaat", "אל", "إلى", "ถึง", "per a",
       "收件者", "收信人"}
_CC = {"cc", "kopie", "cópia", "copia", "kopi", "копия", "копія", "kopio", "másolat",
       "bilgi", "dw", "抄送", "副本", "参照", "참조", "kopia", "cco", "bcc", "tembusan",
       "kopie an", "kopija"}
_SUBJECT = {"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "emne", "ämne",
            "тема", "temat", "assunto", "aihe", "主题", "主旨", "件名", "predmet",
            "předmět", "tárgy", "konu", "chủ đề", "angående", "제목", "θέμα", "tema",
            "sujet", "perihal", "subjek", "subiect", "zadeva", "tēma", "teema", "נושא",
            "الموضوع", "เรื่อง", "assumpte", "主題", "標題", "标题"}
_HEADER_KEY = re.compile(r"^\s*\*{0,2}([^\W\d_][^:：*]{0,20}?)\s*\*{0,2}\s*[:：](?!//)")


class Split(Enum):
    """What kind of boundary a line starts."""

    QUOTE = "quote"  # quoted history of a reply starts here (separator, header block)
    ATTRIBUTION = "attribution"  # an "On <date>, <name> wrote:" line (or lines)
    FORWARD = "forward"  # a forwarded message (and its header block) starts here
    HEADERS = "headers"  # a block of quoted mail headers (and the rule above it) starts here


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


_INLINE_KEY = re.compile(r"\s([^\W\d_]{2,15}(?: [^\W\d_]{2,10})?)\s?[:：]\s")


def _inline_keys(line: str) -> set[str]:
    """Known header keys later on a header line that holds an address or a date: HTML
    flattened into "From: bob@example.com Date: Thu, 24 Mar 2016 08:07 -0700"."""
    s = clean(line)
    if len(s) > 400 or not _EVIDENCE.search(s):
        return set()
    found = {header_category(m.group(1) + ": ") for m in _INLINE_KEY.finditer(s, 1)}
    return found - {""}


def _header_block(lines: list[str], i: int) -> bool:
    """Do lines[i:] start a block of quoted mail headers (From/Sent/To/Subject...)?"""
    first = header_category(lines[i])
    if first not in ("from", "date"):
        return False
    seen = {first} | _inline_keys(lines[i])
    evidence = bool(_EVIDENCE.search(lines[i]))
    for line in lines[i + 1 : i + 9]:
        cat = header_category(line)
        if cat:
            seen.add(cat)
            evidence = evidence or bool(_EVIDENCE.search(line))
        elif not line.strip() and len(seen) >= 2:
            break
    return (len(seen) >= 2 and evidence
            and bool(seen & {"to", "subject", "date", "from", "cc"} - {first}))


def header_block_end(lines: list[str], i: int) -> int:
    """Index after a block of header lines starting at i (to the first empty line)."""
    j = i
    while j < len(lines) and j < i + 12 and lines[j].strip():
        j += 1
    return j


def _header_like(line: str) -> bool:
    """A known header key, or any short key whose value holds an address, date or time."""
    s = clean(line)
    return bool(header_category(s) or (_ANY_KEY.match(s) and _EVIDENCE.search(s)))


def _dashed_separator(lines: list[str], i: int) -> bool:
    """'-------- Oprindelig besked --------' with history right under it (module docstring)."""
    m = _DASHED.match(clean(lines[i]))
    if not m or len(m.group(1).split()) > 4:
        return False
    seen = 0
    for j in range(i + 1, min(len(lines), i + 5)):
        s = lines[j].strip()
        if not s:
            continue
        if s.startswith(">") or header_category(lines[j]) or by_wording(lines, j):
            return True
        seen += 1
        if seen == 2:
            break
    return False


def _header_top(lines: list[str], i: int) -> int:
    """First line of the header block whose first known key is at i (module docstring)."""
    start = i
    while start > 0 and i - start < 4:
        if _header_like(lines[start - 1]):
            start -= 1
            continue
        break
    for back in (start - 1, start - 2):
        if back >= 0 and (_SHORT_RULE.match(lines[back]) or _ORIGINAL.match(lines[back])
                          or _DASH_TITLE.match(clean(lines[back]))):
            return back
        if back >= 0 and lines[back].strip():
            break
    return start


def find_split(lines: list[str], i: int) -> tuple[Split, int, int] | None:
    """If a boundary starts at line i: (kind, first line to cut, lines it spans)."""
    line = lines[i]
    stripped = line.strip()
    if not stripped or stripped.startswith(">"):
        return None
    if stripped == CUT_MARK:
        return Split.QUOTE, i, 1
    if _FORWARD.match(line):
        j = i + 1
        while j < len(lines) and j < i + 3 and not lines[j].strip():
            j += 1
        end = header_block_end(lines, j) if j < len(lines) and _header_like(lines[j]) else i + 1
        return Split.FORWARD, i, end - i
    if _ORIGINAL.match(line) or _dashed_separator(lines, i):
        return Split.QUOTE, i, 1
    if header_category(line) in ("from", "date") and _header_block(lines, i):
        start = _header_top(lines, i)
        return Split.HEADERS, start, header_block_end(lines, i) - start
    span = by_wording(lines, i)
    if span:
        return Split.ATTRIBUTION, i, span
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
