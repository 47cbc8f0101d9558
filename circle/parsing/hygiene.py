"""The parser's two exits: every message it hands on is inert, and one fallback for the rest.

`inert_message` passes everything a ParsedMessage carries that a person may see (text, elided
and full text, subject, names, attachment names, header values, bounce diagnostic, command
argument) through `circle.text_safety.inert`. `unparseable` is the ONE fallback for mail the
parser cannot read (a parser defect, an over-deep or broken MIME structure): kind
UNPARSEABLE, reason `unparseable`, so ingest quarantines it instead of ignoring it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from circle.model import MessageKind
from circle.parsing.types import Address, Bounce, Command, ParsedMessage
from circle.text_safety import inert as _inert_any
from circle.text_safety import inert_line

UNPARSEABLE = "unparseable"
"""The one reason name for mail the parser could not read."""
_PREVIEW_CHARS = 20_000  # of the raw mail, shown in quarantine (the raw file stays archived)


def unparseable(raw: bytes, detail: str, *, message_id: str = "",
                sender: Address | None = None, subject: str = "") -> ParsedMessage:
    """The fallback record for mail that could not be parsed; `detail` says what went wrong.

    The Message-ID is the header's when it could be read, else the hash of the bytes, so the
    same mail is recognised again. `full_text` is a lossy preview of the raw bytes.
    """
    return ParsedMessage(
        kind=MessageKind.UNPARSEABLE, reasons=(UNPARSEABLE,), sender=sender or Address(""),
        message_id=message_id or "sha256:" + hashlib.sha256(raw).hexdigest(), in_reply_to="",
        references=(), to=(), cc=(), subject=subject, date=None, text="", elided="",
        full_text=raw[:_PREVIEW_CHARS * 4].decode("utf-8", "replace")[:_PREVIEW_CHARS],
        defects=(f"{UNPARSEABLE}: {detail}",))


def unparseable_detail(parsed: ParsedMessage) -> str:
    """What went wrong with an UNPARSEABLE message, in words."""
    prefix = f"{UNPARSEABLE}: "
    found = next((d for d in parsed.defects if d.startswith(prefix)), prefix + "unknown")
    return found[len(prefix):]


def inert(text: str) -> str:
    """`text_safety.inert`, with a fast path for the common case: printable ASCII plus
    newlines and tabs is returned as it is (the same test as the sanitiser's own first
    step, at C speed: a 700 KB body costs a millisecond, not twenty)."""
    if text.isascii() and text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return _inert_any(text)


def _address(a: Address) -> Address:
    return Address(email=inert_line(a.email), name=inert_line(a.name))


def inert_message(p: ParsedMessage) -> ParsedMessage:
    """`p` with every human-visible string passed through the one sanitiser."""
    bounce = p.bounce and Bounce(
        recipients=tuple(inert_line(r) for r in p.bounce.recipients),
        permanent=p.bounce.permanent, status=inert_line(p.bounce.status),
        diagnostic=inert_line(p.bounce.diagnostic), message_ids=p.bounce.message_ids)
    command = p.command and Command(p.command.name, inert(p.command.argument))
    return replace(
        p, sender=_address(p.sender), subject=inert_line(p.subject), text=inert(p.text),
        elided=inert(p.elided), full_text=inert(p.full_text),
        to=tuple(map(_address, p.to)), cc=tuple(map(_address, p.cc)),
        message_id=inert_line(p.message_id), in_reply_to=inert_line(p.in_reply_to),
        references=tuple(inert_line(r) for r in p.references),
        attachments=tuple(inert_line(a) for a in p.attachments), bounce=bounce,
        command=command, headers=tuple((inert_line(k), inert_line(v)) for k, v in p.headers),
        defects=tuple(inert_line(d) for d in p.defects))
