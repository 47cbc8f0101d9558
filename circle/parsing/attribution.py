"""Attribution lines ("On <date>, <name> wrote:") in any language and date form.

Two ways to find one:

* structurally, above a block of quoted ('>') lines: the one to three lines right above
  the block, ending with a colon, holding an address, a "wrote"-like verb, or a date and a
  time. Wrapped attributions are joined only while the top line starts like an attribution
  (an opening word, a digit, a weekday; or the name with its bracketed address when the
  whole holds a date and a time) and no joined line ends a sentence, so the member's
  last lines are never taken for the first half of a wrapped attribution;
* by wording, when no quote marks follow (clients that quote without '>'): an opening word,
  a verb from many languages and a date or an address;
* without words (`language_free`), in any language: one line, or two or three wrapped
  lines, ending with a bracketed address ("<x@y>", "(x@y)": a member's sentence names a
  bare one) and a colon (at most three short words, a verb in some
  language, between them: "<x@y> kirjoitti:", "<x@y>님이 작성:") that also hold a date
  (a year, a numeric date, 年月日) or a time: "11:00 AM, November 17, 2021, "John"
  <john@x.com>:", "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@x.com>:". Lines above the
  first one are joined only while they hold no sentence end and the top one holds the
  date or time itself (an attribution starts with its date or its opener, never with the
  member's words). Also "On <date> <name> <address> wrote" with no colon: an opening
  word, an address, a date or time and a "wrote"-like verb as the very last word. And
  name-first forms ("Circle <c@x.org> hat am 09.11.2026 08:00 geschrieben:"): the line
  opens with at most four words of name (none in lower case: "I wrote to <a@b.c> on ..."
  is the member's sentence) and the bracketed address, ends with a colon and
  holds both a date and a time.

A weekday-like opening word needs a digit soon after ("Mon, 1 Dec", "Saturday, 5"):
"Terveisin," and "Saludos," are closings. Worded joining goes over a blank line only when
the part above it holds a date or a time, so a closing and a name above a name-first
attribution ("Terveisin,\nPekka\n\nX kirjoitti 1.12.2026 klo 9.14:") are never part of it.
Lines are read through `clean()`: zero-width and bidi controls are dropped (Gmail wraps
Hebrew and Arabic attributions in U+202A-202E / U+2066-2069 / U+200E-200F / U+061C).
A time is "9:14", "9h14", "9 am", or "klo 9.14" / "kl. 09.14" (Finnish, Danish, Norwegian).
"""

from __future__ import annotations

import re

# Zero-width and bidi controls: LRM/RLM, embeddings and overrides (U+202A-202E), isolates
# (U+2066-2069), the Arabic letter mark, the word joiner, BOM, soft hyphen. Gmail wraps
# Hebrew / Arabic attributions in them ("\u202b...<\u202acircle@x\u202c\u200f>:\u202c").
# ZWJ / ZWNJ (U+200C/D) are letters' glue in Persian, Indic scripts and emoji: kept.
_INVISIBLE_RE = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff\u00ad]")

VERBS = (
    r"wrote|sent|schrieb|a\s+écrit|a\s+ecrit|écrit|escribió|escribio|ha\s+escrito|scrisse|"
    r"ha\s+scritto|schreef|geschreven|escreveu|skrev|kirjoitti|napisał(?:\(a\))?|napisala?|"
    r"napsal(?:\(a\))?|pisze|написал(?:\(а\))?|написала|пишет|пише|написав(?:\(ла\))?|"
    r"написала|đã\s+viết|yazdı|έγραψε|írta|a\s+scris|wrote\s+on|het\s+volgende\s+geschreven|"
    r"enviou|skriver|kirjutas|rašė|rakstīja|написа|写道|寫道|のメール|작성|書きました|"
    r"kirjoitti"
)
_VERB = re.compile(r"(?:^|[\s,>)])(?:" + VERBS + r")(?:\s*[:：]|\s*$|\s*-{2,})", re.IGNORECASE)
# "On <date>, <name> wrote:" (any language) once the lines are joined; bounded quantifiers only.
_ATTRIBUTION = re.compile(
    r"^[-\s*>]{0,12}\S.{0,400}?\s(?:" + VERBS + r")\s*(?:[:：]|-{2,})[-\s*]{0,12}$", re.I)
# "Op 13-02-2014 3:18 schreef Julius Caesar <pantheon@rome.com>:" (verb before the name)
_VERB_FIRST = re.compile(r"^.{0,200}?\s(?:" + VERBS + r")\s.{0,200}[:：]\s*$", re.IGNORECASE)
# "2014-10-17 11:28 GMT+03:00 Name <a@b>:" / "26.06.2014, 14:41, "Name" <a@b>:"
_DATE_START = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+\d)",
    re.IGNORECASE,
)
# Words an attribution starts with, in many languages, or a digit, or a weekday.
_OPENER_WORDS = (
    r"on|am|le|el|il|op|em|den|på|w\s+dniu|dnia|vào|dne|pada|στις|в|у|kun|ar|the|at|"
    r"quoting|citando|zitat\s+von|zitiere|a\s+las?|el\s+día|il\s+giorno|"
    r"在|于|於|sent\s+from"
)
_WEEKDAY = (
    r"mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|lun|mar|mer|jeu|ven|sam|dim|mié|"
    r"jue|vie|sáb|dom|seg|ter|qua|qui|sex|ma|wo|vr|za|zo|pon|wt|śr|czw|pt|sob|niedz|"
    r"пн|вт|ср|чт|пт|сб|вс|нд|mån|tis|ons|tors|fre|lör|sön"
)
# Stricter, for joining wrapped lines: no article or "sent from", weekday with '.'/',' or a day.
_STRONG_WORDS = (
    r"on|am|le|el|il|op|em|den|på|w\s+dniu|dnia|vào|dne|pada|στις|в|у|kun|quoting|citando|"
    r"zitat\s+von|el\s+día|il\s+giorno|在|于|於"
)
_STRONG_OPENER = re.compile(
    r"^[-\s*]{0,12}(?:(?:" + _STRONG_WORDS + r")\s|\d|(?:" + _WEEKDAY + r")(?:\.,?|,)\s|"
    r"(?:" + _WEEKDAY + r")\s+\d)",
    re.IGNORECASE)
# A line that starts an attribution of its own (wrapped address parts may start with digits).
_LATER_START = re.compile(
    r"^[-\s*]{0,12}(?:(?:" + _STRONG_WORDS + r")\s|\d{1,4}[-/.年]\d{1,2}|(?:" + _WEEKDAY
    + r")(?:\.,?|,)\s|(?:" + _WEEKDAY + r")\s+\d)", re.IGNORECASE)
_OPENER = re.compile(
    r"^[-\s*]{0,12}(?:(?:" + _OPENER_WORDS + r")\b|\d|(?:" + _WEEKDAY + r")[a-z]*[.,]\D{0,30}\d|"
    r"\"?[^\s@]{1,64}@)",
    re.IGNORECASE,
)
# A line that starts an attribution of its own (wrapped address parts may start with digits).
_LATER_START = re.compile(
    r"^[-\s*]{0,12}(?:(?:" + _STRONG_WORDS + r")\s|\d{1,4}[-/.年]\d{1,2}|(?:" + _WEEKDAY
    + r")(?:\.,?|,)\s|(?:" + _WEEKDAY + r")\s+\d)", re.IGNORECASE)
_DATE_EMAIL_END = re.compile(r"<?[^\s<>@]{1,100}@[^\s<>@]{1,200}>\s*[:：]?\s*$")
# "---- John Smith wrote ----" (Android), with the verb of any language known here
_ANDROID = re.compile(
    r"^\s*+-{2,}+\s*+[^-\s].{0,200}?\s(?:" + VERBS + r")\s*-{2,}+\s*$", re.I)
_EMAIL = re.compile(r"[^\s<>()\[\]\"':;,]{1,64}@[^\s<>()\[\]\"':;,]{1,200}\.[^\W\d_]{2,}")
_TIME = re.compile(
    r"\d{1,2}\s?[:：h]\s?\d{2}|午[前後]|오[전후]|\d{1,2}\s?(?:am|pm)\b|"
    r"\bkl(?:o|\.)?\s?\d{1,2}\.\d{2}\b", re.I)
_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,4}\s?[年月日년월일]", re.IGNORECASE)
_TIME_OR_YEAR = re.compile(r"\d{1,2}:\d{2}|\b(?:19|20)\d\d\b")
_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")
_MAX_LEN = 400


def clean(line: str) -> str:
    """A line without invisible direction/zero-width marks."""
    if line.isascii():
        return line  # the marks are not ASCII; str.translate is slow, skip it when possible
    return _INVISIBLE_RE.sub("", line)


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _joined(lines: list[str], i: int, count: int) -> str:
    return " ".join(clean(x).strip() for x in lines[i : i + count] if x.strip())


def looks_like_attribution(text: str) -> bool:
    """Joined attribution text: ends with a colon, and names an address, or a time with a
    date or a "wrote"-like verb."""
    text = text.strip()
    if not text or len(text) > _MAX_LEN or text[-1] not in ":：" or len(text.split()) > 45:
        return False
    if _EMAIL.search(text):
        return True
    timed = bool(_TIME.search(text))
    if timed and _DATE.search(text):
        return True
    # "X wrote:" alone may be the member's own lead-in to a quote: a time must come with it
    return timed and bool(_ATTRIBUTION.match(text) or _VERB_FIRST.match(text))


_BRACKETED = re.compile(r"[<(\[][^\s<>()@]{1,64}@[^\s<>()@]{1,200}\.[^\W\d_]{2,}[>)\]]")


def _name_first(top: str, joined: str) -> bool:
    """A wrapped attribution that starts with the name: "Ana <a@b.c>, 2 Ara 2026 Çar, 09:14
    tarihinde şunu" / "yazdı:" — the top line holds the bracketed address, the whole a date
    and a time."""
    return (bool(_BRACKETED.search(top)) and bool(_TIME.search(joined))
            and bool(_FREE_DATE.search(joined)) and len(joined.split()) <= _MAX_FREE_WORDS)


def above_quote(lines: list[str], last: int) -> tuple[int, int] | None:
    """(first line, line count) of an attribution ending at `last`, which is the last
    non-empty line above a block of quoted lines; None if it is not one."""
    s = clean(lines[last]).strip()
    if not s or _is_quote(s) or len(s) > _MAX_LEN or s[-1] not in ":：":
        return None
    # A wrapped attribution: join upward only from a line that starts like one.
    if not _STRONG_OPENER.match(s):
        for count in (2, 3):
            top = last - count + 1
            if top < 0 or any(not lines[k].strip() or _is_quote(lines[k])
                              for k in range(top, last)):
                break
            if any(_SENTENCE_END.search(clean(lines[k]).strip()) for k in range(top, last)):
                break
            joined = _joined(lines, top, count)
            if looks_like_attribution(joined) and (
                    _STRONG_OPENER.match(clean(lines[top]).strip())
                    or _name_first(clean(lines[top]), joined)):
                return top, count
    return (last, 1) if looks_like_attribution(s) else None


def _quote_follows(lines: list[str], j: int) -> bool:
    """Is the next non-empty line from j on a quoted ('>') line?"""
    for line in lines[j : j + 4]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


_ADDRESS_COLON = re.compile(
    r"[<(\[][^\s<>()@]{1,64}@[^\s<>()@]{1,200}\.[^\W\d_]{2,}[>)\]][^\s:：]{0,12}"
    r"(?:\s+[^\s:：]{1,24}){0,3}"
    r"\s*[:：]\s*$")
# "Name <address>" opening the line: at most four words of name before the address
_ADDRESS_FIRST = re.compile(
    r"^[\"']?([^\W\d_][^\s<>@.!?]{0,30}(?:\s+[^\s<>@.!?]{1,30}){0,3})\s*[\"']?\s*"
    r"[<(\[][^\s<>()@]{1,64}@[^\s<>()@]{1,200}\.[^\W\d_]{2,}[>)\]]")


def _name_then_address(text: str) -> bool:
    """Does the text open with a name (in quotes, or no word in lower case: "I wrote to
    <a@b.c>" is a sentence) and its bracketed address?"""
    m = _ADDRESS_FIRST.match(text)
    if not m:
        return False
    return text[0] in "\"'" or not any(w[0].islower() for w in m.group(1).split())
_MAX_FREE_WORDS = 24  # the longest: Yahoo's "On Thursday, September 4, 2025 at 11:30:41 AM ..."
_VERB_LAST = re.compile(r"\s(?:" + VERBS + r")\s*$", re.IGNORECASE)
# dates and times, "17.50" too, but never parts of an IP address ("192.0.2.222") or an
# SMTP status ("5.1.1": a numeric date ends with two digits or more)
_LOOSE_TIME = re.compile(
    r"(?<![\d.])\d{1,2}[:.h]\d{2}(?!\d|\.\d)|午[前後]|오[전후]|\b\d{1,2}\s?(?:am|pm)\b", re.I)
_FREE_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|(?<![\d.])\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d|\.\d)|\d{1,4}\s?[年月日년월일]")


def _dated(text: str) -> bool:
    return bool(_FREE_DATE.search(text) or _LOOSE_TIME.search(text))


def language_free(lines: list[str], i: int) -> int:
    """Lines (1-3) of an attribution starting at i that ends with "<address>:" and holds a
    date or a time, whatever the language; 0 if none (see the module docstring)."""
    first = clean(lines[i]).strip()
    window = lines[i : i + 3]
    if not any("@" in x for x in window):
        return 0  # every form holds an address: the common case costs one scan
    if (_STRONG_OPENER.match(first) and "@" in first and _VERB_LAST.search(first)
            and _EMAIL.search(first) and _dated(first) and len(first) <= _MAX_LEN):
        return 1  # "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote"
    if not any(x.rstrip().endswith((":", "：")) for x in window):
        return 0
    for count in (1, 2, 3):
        if i + count > len(lines):
            break
        parts = [clean(x).strip() for x in lines[i : i + count]]
        if not parts[-1] or _is_quote(parts[-1]):
            break
        if count > 1 and _SENTENCE_END.search(parts[-2]):
            break
        text = " ".join(parts)
        if len(text) > _MAX_LEN or len(text.split()) > 45:
            break
        if _ADDRESS_COLON.search(text) and len(text.split()) <= _MAX_FREE_WORDS:
            if _dated(text) and (count == 1 or _dated(parts[0])):
                return count
            break
        if (text[-1] in ":：" and _name_then_address(text)
                and len(text.split()) <= _MAX_FREE_WORDS and _FREE_DATE.search(text)
                and _LOOSE_TIME.search(text)):
            return count  # "Circle <c@x.org> hat am 09.11.2026 08:00 geschrieben:"
    return 0


def by_wording(lines: list[str], i: int) -> int:
    """Number of lines a worded attribution starting at i spans (0 if none)."""
    first = clean(lines[i]).strip()
    if not first or first.startswith(">") or len(first) > _MAX_LEN:
        return 0
    free = language_free(lines, i)
    if free:
        return free
    if not any(clean(x).rstrip().endswith((":", "-", ">", "：")) for x in lines[i : i + 5]):
        return 0  # every worded attribution ends its last line so: the rest cannot match
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
        if not last.strip():
            above = _joined(lines, i, count - 1)
            if not (_TIME.search(above) or _DATE.search(above)):
                break  # no date above the blank line: the member's lines ("Saludos,\nLuis")
            continue
        if count > 1 and _SENTENCE_END.search(_joined(lines, i, count - 1)):
            break  # the text above ends a sentence: it is the member's, not a wrapped start
        if count > 1 and _LATER_START.match(clean(last).strip()):
            break  # a later line starts an attribution itself: that one is found there
        text = _joined(lines, i, count)
        if len(text) > 500:
            break
        if text[-1] not in ":->：":
            continue
        strong = "@" in text or bool(_TIME_OR_YEAR.search(text))
        if not strong and not (_quote_follows(lines, i + count) and any(
                c.isdigit() for c in text)):
            continue
        if _ATTRIBUTION.match(text) or _VERB_FIRST.match(text):
            return count
        if _DATE_START.match(text) and _DATE_EMAIL_END.search(text):
            return count
    return 0


def has_verb(text: str) -> bool:
    """Does the text hold a 'wrote'-like verb at a word boundary?"""
    return bool(_VERB.search(text))
