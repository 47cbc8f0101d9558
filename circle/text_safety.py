"""One sanitiser for member text: whatever a member wrote stays inert on screens and in email.

`inert(text)` is the single boundary (ARCHITECTURE.md §2, "Member text is inert"). The raw mail
stays byte-exact in the archive; everything the parser hands on, and anything else that reaches
the steward's terminal or a digest, passes through it. It removes:

- terminal escape sequences as a whole: CSI (``ESC [ ... final``, also the 8-bit CSI), OSC
  (``ESC ] ... BEL`` or ``... ESC \\``, so OSC 0 titles and OSC 52 clipboard writes), DCS, SOS,
  PM and APC strings, and every other two-byte ``ESC x`` sequence; a lone ESC goes too;
- C0 controls other than newline and tab (NUL included), DEL and the C1 controls
  U+0080–U+009F; CR, CRLF, NEL, U+2028 and U+2029 become a newline, so nothing can overwrite a
  line, and vertical tab / form feed become a newline as well;
- bidi overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069), which can make text
  read differently from what it says ("Trojan Source");
- invisible characters that hide content: U+200B zero-width space, U+2060 word joiner, U+FEFF
  (BOM / zero-width no-break space), U+2061–U+2064 invisible operators, U+180E, the Hangul
  fillers U+115F/U+1160/U+3164/U+FFA0, the interlinear annotation marks U+FFF9–U+FFFB, and Unicode
  tag characters (U+E0000–U+E007F, "ASCII smuggling") except inside an emoji tag sequence
  (the flags of England, Scotland and Wales: U+1F3F4, tags, U+E007F).

Kept, because real writing needs them:

- U+200D ZERO WIDTH JOINER and U+200C ZERO WIDTH NON-JOINER *between two non-ASCII letters,
  marks or symbols*: emoji sequences (👩‍💻, 👨‍👩‍👧), Persian, Arabic and Indic scripts rely on
  them. Anywhere else (e.g. inside a Latin word, ``ST\u200dOP``) they only hide content, and go.
- U+200E/U+200F (LRM/RLM) and U+061C (ALM) *when the text contains right-to-left letters*:
  Hebrew and Arabic writers use them to place punctuation. In text without any right-to-left
  letter they can only confuse, and go.
- A single U+FFFD (it honestly marks a byte that did not decode); a run of them collapses to
  one, so a message cannot hide behind a wall of replacement characters.
"""

from __future__ import annotations

import re
import unicodedata

_ESC_SEQUENCE = re.compile(
    r"""
    \x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI ... final byte
  | \x9b[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?         # 8-bit CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])          # OSC, DCS, SOS, PM, APC (7- or 8-bit)
    [^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)     #   ... terminated by BEL or ST
  | \x1b[\x20-\x2f]*[\x30-\x7e]                      # any other ESC sequence (ESC c, ESC ( B)
  | \x1b                                             # a lone ESC
    """,
    re.VERBOSE,
)
_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_BIDI_MARKS = re.compile(r"[\u200e\u200f\u061c]")
_INVISIBLE = re.compile(r"[\u200b\u2060-\u2064\ufeff\u180e\u115f\u1160\u3164\uffa0\ufff9-\ufffb]")
_TAGS = re.compile(r"(\U0001f3f4[\U000e0020-\U000e007e]{1,30}\U000e007f)"  # a flag: kept
                   r"|[\U000e0000-\U000e007f]")
_JOINERS = re.compile(r"[\u200c\u200d]")
_REPLACEMENT_RUN = re.compile(r"\ufffd{2,}")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff"
                  r"\U0001e800-\U0001efff]")
_SUSPECT = re.compile(r"[^\t\n\x20-\x7e]")  # anything but printable ASCII, newline and tab


def _joinable(ch: str) -> bool:
    """A character a ZWJ/ZWNJ may legitimately sit next to: non-ASCII letter, mark, symbol."""
    if ch.isascii():
        return False
    if ch == "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff":  # emoji presentation, skin tones
        return True
    return unicodedata.category(ch)[0] in ("L", "M", "S")


def _keep_joiners(text: str) -> str:
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in "\u200c\u200d":
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i < last else ""
            if not (before and after and _joinable(before) and _joinable(after)):
                continue
        out.append(ch)
    return "".join(out)


def _strip_tags(text: str) -> str:
    """Tag characters removed, except whole emoji tag sequences (subdivision flags)."""
    return _TAGS.sub(lambda m: m.group(1) or "", text)


def inert(text: str) -> str:
    """`text` with every escape sequence, control and hiding character removed (see module doc).

    Pure and idempotent: ``inert(inert(t)) == inert(t)``; newlines and tabs are kept, and so is
    every printable character, so no words are lost.
    """
    if not text:
        return text
    if not _SUSPECT.search(text):
        return text  # the common case: plain ASCII, nothing to do
    text = _ESC_SEQUENCE.sub("", text)
    text = _NEWLINES.sub("\n", text)
    text = _CONTROLS.sub("", text)
    text = _BIDI_CONTROLS.sub("", text)
    text = _INVISIBLE.sub("", text)
    if not _RTL.search(text):
        text = _BIDI_MARKS.sub("", text)
    if _JOINERS.search(text):
        text = _keep_joiners(text)
    text = _strip_tags(text)
    return _REPLACEMENT_RUN.sub("\ufffd", text)


def inert_line(text: str) -> str:
    """`inert(text)` on one line: newlines and tabs become spaces (names, subjects, file names)."""
    return " ".join(inert(text).split()) if text else text


def is_inert(text: str) -> bool:
    """True when `inert` would leave `text` unchanged."""
    return inert(text) == text
