"""Decode any RFC 5322 / MIME message, however broken, into headers, bodies and parts.

Attachments are what the member shared: a text part after a photo (the text typed under
it, and the iOS footer) continues the body and is no attachment; the S/MIME or OpenPGP
signature part and the public key a client attaches to every message are not counted.
"""

from __future__ import annotations

import codecs
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from circle.parsing.flowed import is_flowed, unflow

_CHARSET_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "x-unknown": "latin-1",
    "unknown-8bit": "",
    "unknown": "",
    "default": "",
    "x-user-defined": "latin-1",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "windows-874": "cp874",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "iso-8859-1": "cp1252",  # what senders mean in practice (WHATWG)
    "latin1": "cp1252",
    "x-mac-roman": "mac_roman",
}
_SINGLE_BYTE_LATIN = {"ascii", "cp1252", "iso8859-1", "iso8859-15"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode bytes using a declared charset with sensible fallbacks; never raises."""
    name = (charset or "").strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    if name:
        try:
            name = codecs.lookup(name).name
        except LookupError:
            name = ""
    if not name or name in _SINGLE_BYTE_LATIN:
        # Undeclared or declared Latin/ASCII: text that is valid UTF-8 is almost surely UTF-8.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    try:
        return data.decode(name)
    except (UnicodeDecodeError, LookupError):
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode(name, errors="replace")
        except LookupError:
            return data.decode("cp1252", errors="replace")


_SURROGATE = re.compile("[\udc80-\udcff]")


def _unescape_surrogates(text: str) -> str:
    """Turn surrogate-escaped 8-bit header bytes back into text (UTF-8, else cp1252)."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    return decode_bytes(raw, None)


def decode_header_value(value: object) -> str:
    """Decode a header value (RFC 2047 words, raw 8-bit bytes) into one clean line."""
    if isinstance(value, email.header.Header):
        chunks = email.header.decode_header(value)
    else:
        text = _unescape_surrogates(str(value))
        try:
            chunks = email.header.decode_header(text)
        except Exception:  # malformed encoded words: keep the text as it is
            chunks = [(text, None)]
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    joined = "".join(out) if len(chunks) > 1 else (out[0] if out else "")
    return " ".join(joined.replace("\r", " ").replace("\n", " ").split())


@dataclass
class DecodedMessage:
    """A message's decoded headers, first plain and HTML bodies, attachments and parts."""

    headers: list[tuple[str, str]]
    raw_headers: list[tuple[str, str]] = field(default_factory=list)  # unfolded, undecoded
    plain: str | None = None
    html: str | None = None
    attachments: list[str] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)  # every part, depth first
    report_parts: dict[str, str] = field(default_factory=dict)  # e.g. message/delivery-status
    embedded_headers: list[tuple[str, str]] = field(default_factory=list)  # returned message
    defects: list[str] = field(default_factory=list)
    root_type: str = "text/plain"
    report_type: str = ""
    broken: str = ""  # why the structure could not be read in full ("" when it could)
    after_media: bool = False  # an image/audio/video part has been met (iOS photo replies)

    def header(self, name: str) -> str:
        """The first decoded header with this name (case-insensitive), or ""."""
        low = name.lower()
        for key, value in self.headers:
            if key.lower() == low:
                return value
        return ""

    def header_all(self, name: str) -> list[str]:
        """Every decoded header with this name, in order."""
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]

    def mailbox(self, *names: str) -> tuple[str, str]:
        """(name, email) of the first of these headers present (e.g. From, then Sender)."""
        for name in names:
            low = name.lower()
            values = [v for k, v in self.raw_headers if k.lower() == low]
            if values:
                return parse_address(values[0])
        return "", ""

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """Every (name, email) in every header called `name` (To, Cc, Reply-To)."""
        low = name.lower()
        return parse_address_list([v for k, v in self.raw_headers if k.lower() == low])


def _part_text(part: Message, defects: list[str]) -> str:
    """The decoded text of a leaf part."""
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:  # defensive: compat32 is lenient but not infallible
        defects.append(f"payload: {exc}")
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return str(payload)
    charset = part.get_param("charset")
    return decode_bytes(payload, charset if isinstance(charset, str) else None)


def _plain_text(part: Message, defects: list[str]) -> str:
    """The decoded text of a text/plain part, with format=flowed (RFC 3676) re-joined."""
    text = _part_text(part, defects)
    params = {str(k).lower(): str(v) for k, v in (part.get_params() or [])[1:]}
    flowed, delsp = is_flowed(params)
    return unflow(text, delsp=delsp) if flowed else text


def _is_inline_text(part: Message, disposition: str) -> bool:
    """An inline text part without a file name: more of the body, not an attachment
    (iOS puts the text typed after a photo, and its footer, in such a part)."""
    try:
        named = bool(part.get_filename())
    except Exception:
        named = True
    return not disposition.startswith("attachment") and not named


def _attachment_label(part: Message, ctype: str, defects: list[str]) -> str:
    """'name (type, size)' for an attachment."""
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    try:
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
    except Exception as exc:
        defects.append(f"attachment: {exc}")
        size = 0
    return f"{decode_header_value(name) or 'unnamed'} ({ctype}, {size} bytes)"


def _headers_of(msg: Message) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in msg.items():
        try:
            out.append((str(key).strip(), decode_header_value(value)))
        except Exception:
            out.append((str(key).strip(), ""))
    return out


_FOLD = re.compile(r"\r?\n[ \t]*|\r")


def _raw_headers_of(msg: Message) -> list[tuple[str, str]]:
    """Header values unfolded but NOT decoded: addresses must be parsed before names decode."""
    return [(str(key).strip(), _FOLD.sub(" ", str(value))) for key, value in msg.raw_items()]


_REPORT_TYPES = ("message/delivery-status", "message/global-delivery-status",
                 "message/feedback-report", "message/disposition-notification",
                 "text/rfc822-headers", "message/rfc822-headers")


# Parts a client adds to every message it signs; the member shared nothing.
_CLIENT_PARTS = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature",
                           "application/pgp-signature", "application/pgp-keys"})

MAX_DEPTH = 40
"""Parts nested deeper than this are not read: the message is quarantined as unparseable."""


def _walk(part: Message, out: DecodedMessage, depth: int) -> None:
    if depth > MAX_DEPTH:
        out.broken = out.broken or f"nested more than {MAX_DEPTH} MIME levels deep"
        out.defects.append("nesting too deep")
        return
    ctype = part.get_content_type().lower()
    out.content_types.append(ctype)
    disposition = str(part.get("Content-Disposition", "")).lower()
    if ctype in _REPORT_TYPES and part.is_multipart():
        # compat32 parses a delivery-status body into one Message per block: rebuild the text.
        blocks = [m for m in part.get_payload() if isinstance(m, Message)]
        text = "\n\n".join("\n".join(f"{k}: {v}" for k, v in b.items()) for b in blocks)
        out.report_parts.setdefault(ctype, text)
        return
    if part.is_multipart():
        payload = part.get_payload()
        if ctype in ("message/rfc822", "message/global") and isinstance(payload, list):
            if payload and isinstance(payload[0], Message):
                if not out.embedded_headers:
                    out.embedded_headers = _headers_of(payload[0])
                out.attachments.append(_attachment_label(part, ctype, out.defects))
            return
        if isinstance(payload, list):
            for child in payload:
                if isinstance(child, Message):
                    _walk(child, out, depth + 1)
        return
    if ctype in _REPORT_TYPES:
        text = _part_text(part, out.defects)
        out.report_parts.setdefault(ctype, text)
        if ctype.endswith("rfc822-headers") and not out.embedded_headers:
            embedded = BytesParser(policy=compat32).parsebytes(
                text.encode("utf-8", "replace"), headersonly=True)
            out.embedded_headers = _headers_of(embedded)
        return
    is_attachment = disposition.startswith("attachment")
    if ctype == "text/plain" and not is_attachment and out.plain is None:
        out.plain = _plain_text(part, out.defects)
        return
    if ctype == "text/html" and not is_attachment and out.html is None:
        out.html = _part_text(part, out.defects)
        return
    if depth == 0 and ctype.startswith("text/"):
        out.plain = _plain_text(part, out.defects)
        return
    if ctype in ("text/plain", "text/html") and out.after_media and _is_inline_text(
            part, disposition):
        _append_body(out, ctype, part)
        return
    if ctype.startswith(("image/", "video/", "audio/")):
        out.after_media = True
    if ctype in _CLIENT_PARTS:
        return  # the client's S/MIME or OpenPGP signature, a key it attaches: not shared
    out.attachments.append(_attachment_label(part, ctype, out.defects))


def _append_body(out: DecodedMessage, ctype: str, part: Message) -> None:
    """Add a later inline text part (after a photo) to the body it continues."""
    if ctype == "text/plain":
        more = _plain_text(part, out.defects)
        out.plain = (out.plain or "").rstrip("\n") + "\n\n" + more
    else:
        more = _part_text(part, out.defects)
        out.html = (out.html or "") + "<br><br>" + more


_UNINDENTED_PARAM = re.compile(
    rb"(?im)^(content-(?:type|disposition):[^\n]{0,300};[ \t]*)\n"
    rb"((?:boundary|charset|name|filename)=)"
)


_BOUNDARY_LINE = re.compile(rb"(?m)^--([^\s]{1,200}?)(?:--)?[ \t]*$")


def _repair_boundary(msg: Message, data: bytes) -> Message | None:
    """A multipart whose declared boundary never occurs: use the one the body really has."""
    declared = msg.get_boundary()
    head, sep, body = data.partition(b"\n\n")
    found = _BOUNDARY_LINE.search(body)
    if not declared or not sep or not found:
        return None
    actual = found.group(1)
    fixed = head.replace(declared.encode("latin-1", "replace"), actual, 1) + sep + body
    repaired = BytesParser(policy=compat32).parsebytes(fixed)
    return repaired if repaired.is_multipart() else None


def decode_message(raw: bytes) -> DecodedMessage:
    """Parse raw bytes into a DecodedMessage; records problems in `defects`, never raises."""
    data = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # Tolerate leading blank lines and mbox "From " lines before the headers.
    data = data.lstrip(b"\n")
    if data.startswith(b"From ") and b"\n" in data[:2000]:
        data = data.split(b"\n", 1)[1]
    # Repair parameters continued on an unindented line ("...;\nboundary=...").
    data = _UNINDENTED_PARAM.sub(rb"\1\n\t\2", data)
    msg = BytesParser(policy=compat32).parsebytes(data)
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        repaired = _repair_boundary(msg, data)
        if repaired is not None:
            msg = repaired
    out = DecodedMessage(headers=_headers_of(msg), raw_headers=_raw_headers_of(msg))
    out.defects.extend(type(d).__name__ for d in msg.defects)
    out.root_type = msg.get_content_type().lower()
    report = msg.get_param("report-type")
    out.report_type = report.lower() if isinstance(report, str) else ""
    try:
        _walk(msg, out, 0)
    except Exception as exc:  # never let a broken structure stop the parse
        out.defects.append(f"walk: {exc}")
        out.broken = out.broken or f"the MIME structure could not be read ({type(exc).__name__})"
    return out


_ENCODED_WORD = re.compile(r"=\?[^?\s]{1,80}\?[bqBQ]\?[^?\s]*\?=")


def _decoded_name(name: str) -> str:
    """A display name, already split off its address, with its RFC 2047 words decoded."""
    return decode_header_value(name).strip().strip('"').strip()


def _clean_address(addr: str) -> str:
    if _ENCODED_WORD.search(addr):
        return ""  # RFC 2047 words are never part of an address
    return " ".join(_unescape_surrogates(addr).split()).lower()


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    """(raw name, address) pairs of raw header values, split per RFC 5322 before decoding."""
    try:
        return [(n, a) for n, a in email.utils.getaddresses(values) if n or a]
    except Exception:
        return []


def parse_address(value: str) -> tuple[str, str]:
    """(name, email lower-cased) from ONE raw (undecoded) From-like header; tolerant of junk.

    The address is found in the raw header first, then only the display name is decoded, so
    an encoded comma ("=?utf-8?q?M=C3=BCller=2C_Anna?=") or an encoded CR/LF "Bcc:" inside a
    name is just part of the name and never changes the address. A bare comma in an unquoted
    name (``Müller, Anna <anna@example.org>``, invalid but common) is taken as part of it.
    """
    pairs = _pairs([value])
    for i, (name, addr) in enumerate(pairs):
        if "@" in addr:
            before = [a or n for n, a in pairs[:i] if not n and "@" not in a]
            if len(before) == i and before:
                name = ", ".join([*before, name]) if name else ", ".join(before)
            return _decoded_name(name), _clean_address(addr)
    outside_words = _ENCODED_WORD.sub(" ", value)
    for token in outside_words.replace("<", " ").replace(">", " ").split():
        if "@" in token:
            return "", _clean_address(token.strip("\"'(),;"))
    if pairs:
        name, addr = pairs[0]
        if _ENCODED_WORD.search(addr):  # an encoded "address" is only a name
            name, addr = name or addr, ""
        return _decoded_name(name), _clean_address(addr)
    return "", ""


def parse_address_list(values: list[str]) -> list[tuple[str, str]]:
    """Every (name, email) in a list of raw (undecoded) address headers: split, then decode."""
    return [(_decoded_name(n), _clean_address(a)) for n, a in _pairs(values) if a]
