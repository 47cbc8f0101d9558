"""Parse inbound mail: decode, classify, trim; `parse_message` is the entry point."""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import hashlib
import re
from datetime import datetime

from circle.model import MessageKind
from circle.parsing.autoreply import find_return_date
from circle.parsing.bounce import parse_bounce
from circle.parsing.classify import BODY_RULES, Facts, classify
from circle.parsing.commands import command_string, find_command
from circle.parsing.html_text import CUT_MARK, html_texts, html_to_text
from circle.parsing.hygiene import UNPARSEABLE, inert_message, unparseable
from circle.parsing.mime import DecodedMessage, decode_bytes, decode_message
from circle.parsing.requests import find_request, find_request_with_subject
from circle.parsing.trim import trim_reply
from circle.parsing.types import Address, Bounce, Command, ParsedMessage, Request

__all__ = [
    "UNPARSEABLE", "Address", "Bounce", "Command", "ParsedMessage", "Request", "command_string",
    "html_to_text", "parse_body", "parse_message", "replied_ids", "sent_text_of", "trim_reply",
    "unparseable",
]

_MSGID = re.compile(r"<([^<>\s]{1,500})>")


def _message_ids(value: str) -> list[str]:
    found = _MSGID.findall(value)
    if not found and value.strip():
        found = [value.strip().strip("<>").strip()]
    return [f for f in found if f]  # "<" alone is no id: the caller falls back to a hash


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _bodies(decoded: DecodedMessage) -> tuple[str, str]:
    """(text to trim, with quoted HTML containers marked; full text for the record)."""
    if decoded.plain is not None and decoded.plain.strip():
        return decoded.plain, decoded.plain
    if decoded.html:
        return html_texts(decoded.html)
    return decoded.plain or "", decoded.plain or ""


def parse_message(
    raw: bytes, *, own_addresses: tuple[str, ...] = (), own_markers: tuple[str, ...] = (),
    sent_text: str = "",
) -> ParsedMessage:
    """Decode, classify and trim one raw message; never raises.

    `sent_text` is the text of our own message this one replies to, when the caller knows it
    (ingest finds it in the outbox): the reply's lines that align with it are cut as quoted
    history, with the attribution right above them (`align.py`).

    What it returns is inert (`hygiene.inert_message`); mail it cannot read comes back as
    kind UNPARSEABLE with the one reason `unparseable` (`hygiene.unparseable`).
    """
    try:
        parsed = _parse_message(raw, own_addresses, own_markers, sent_text)
    except Exception as exc:  # last resort: keep the message, say what went wrong
        parsed = unparseable(raw, f"parser error: {type(exc).__name__}: {exc}")
    return inert_message(parsed)


def _parse_message(
    raw: bytes, own_addresses: tuple[str, ...], own_markers: tuple[str, ...], sent_text: str
) -> ParsedMessage:
    defects: list[str] = []
    decoded = decode_message(raw)
    defects.extend(decoded.defects)
    name, addr = decoded.mailbox("From", "Sender")
    sender = Address(email=addr, name=name)
    ids = _message_ids(decoded.header("Message-ID"))
    message_id = ids[0] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()
    if decoded.broken:
        return unparseable(raw, decoded.broken, message_id=message_id, sender=sender,
                           subject=decoded.header("Subject"))
    in_reply = _message_ids(decoded.header("In-Reply-To"))
    references = tuple(_message_ids(decoded.header("References")))
    subject = decoded.header("Subject")
    sent = _date(decoded.header("Date"))
    trim_source, full_text = _bodies(decoded)
    try:
        text, elided = trim_reply(trim_source, sent_text, sender_name=name)
    except Exception as exc:  # a trimming defect must not lose the message
        defects.append(f"trim: {exc}")
        text, elided = full_text.strip(), ""
    command = find_command(subject, text)
    request = find_request_with_subject(subject, text) if command is None else None
    facts = Facts(decoded=decoded, sender=sender, subject=subject, message_id=message_id,
                  body=full_text, text=text, command=command, own_addresses=own_addresses,
                  own_markers=own_markers, request=request)
    kind, reasons = classify(facts)
    bounce = None
    if kind is MessageKind.BOUNCE:
        try:
            bounce = parse_bounce(decoded, full_text)
        except Exception as exc:
            defects.append(f"bounce: {exc}")
    until = None
    if kind is MessageKind.AUTO_REPLY:
        until = find_return_date(subject + "\n" + full_text, sent)
    return ParsedMessage(
        kind=kind, reasons=reasons, sender=sender, message_id=message_id,
        in_reply_to=in_reply[0] if in_reply else "", references=references,
        to=tuple(Address(a, n) for n, a in decoded.addresses("To")),
        cc=tuple(Address(a, n) for n, a in decoded.addresses("Cc")),
        subject=subject, date=sent, text=text, elided=elided,
        full_text=full_text.replace(CUT_MARK, "").strip(), attachments=tuple(decoded.attachments),
        bounce=bounce, command=_command_of(kind, command, request),
        request=request if kind in (MessageKind.COMMAND, MessageKind.REPLY) else None,
        auto_reply_until=until, headers=tuple(decoded.headers), defects=tuple(defects),
    )


def replied_ids(raw: bytes) -> tuple[str, ...]:
    """The Message-IDs a raw message replies to, nearest first (In-Reply-To, then References
    newest first), read from its headers alone: cheap, before the whole parse."""
    try:
        head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        found = _message_ids(str(head.get("In-Reply-To", "") or ""))
        found += list(reversed(_message_ids(str(head.get("References", "") or ""))))
    except Exception:  # unreadable headers: the whole parse will say so
        return ()
    return tuple(dict.fromkeys(found))


def sent_text_of(data: bytes) -> str:
    """The text of a message we sent: its plain body (else its HTML as text) when `data` is
    a whole message, else `data` itself decoded (a bare text)."""
    head = data[:2000].lstrip()
    whole = b"\n\n" in data or b"\r\n\r\n" in data
    if whole and re.match(rb"[A-Za-z][A-Za-z0-9-]{0,60}:[ \t]", head):
        decoded = decode_message(data)
        if not decoded.broken:
            if decoded.plain is not None and decoded.plain.strip():
                return decoded.plain
            if decoded.html:
                return html_to_text(decoded.html)
    return decode_bytes(data, None)


def _command_of(kind: MessageKind, command: Command | None,
                request: Request | None) -> Command | None:
    """The command a COMMAND message gives: written as a command, or a request alone."""
    if kind is not MessageKind.COMMAND:
        return None
    return command or (request.command if request is not None and request.alone else None)


def parse_body(body: str, *, html: bool, sent_text: str = "") -> ParsedMessage:
    """Trim and classify a bare body (plain text or HTML), as if it were a whole reply."""
    source, full = html_texts(body) if html else (body, body)
    defects: list[str] = []
    try:
        text, elided = trim_reply(source, sent_text)
    except Exception as exc:
        defects.append(f"trim: {exc}")
        text, elided = full.strip(), ""
    command = find_command("", text)
    request = find_request(text) if command is None else None
    decoded = DecodedMessage(headers=[])
    facts = Facts(decoded=decoded, sender=Address(""), subject="", message_id="", body=full,
                  text=text, command=command, is_body_only=True, request=request)
    kind, reasons = classify(facts, BODY_RULES)
    digest = "sha256:" + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    return inert_message(ParsedMessage(
        kind=kind, reasons=reasons, sender=Address(""), message_id=digest, in_reply_to="",
        references=(), to=(), cc=(), subject="", date=None, text=text, elided=elided,
        full_text=full.strip(), command=_command_of(kind, command, request),
        request=request if kind in (MessageKind.COMMAND, MessageKind.REPLY) else None,
        defects=tuple(defects),
    ))
