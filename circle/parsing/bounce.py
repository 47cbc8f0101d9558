"""Delivery reports: RFC 3464 DSNs and the common non-standard bounce formats."""

from __future__ import annotations

import re

from circle.parsing.mime import DecodedMessage
from circle.parsing.types import Bounce

_ADDRESS = re.compile(
    r"[A-Za-z0-9._%+=/'&!#$^{}|~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"(?<![\d.])([45])\d\d(?:[ -]|$)")
_DAEMON_LOCALS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mdaemon",
                  "mail.daemon", "bounce", "bounces", "double-bounce", "nobody")
# Where a non-standard bounce starts quoting the returned message.
_RETURNED = re.compile(
    r"^(?:-{2,}.{0,40}(?:original message|copy of the message|returned message|"
    r"message headers follow|below this line)|original message follows|"
    r"received: |return-path: |"
    r"content-type: message/rfc822|-+ ?original message)",
    re.IGNORECASE | re.MULTILINE,
)
_PERMANENT_WORDS = re.compile(
    r"user unknown|unknown user|no such user|does not exist|doesn'?t exist|"
    r"mailbox unavailable|mailbox not found|invalid recipient|recipient rejected|"
    r"address rejected|no mailbox|account (?:has been )?disabled|permanent|not found|"
    r"unrouteable|undeliverable|not exist",
    re.IGNORECASE,
)
_TEMPORARY_WORDS = re.compile(
    r"will (?:continue to )?(?:retry|try again)|temporar|delayed|not yet been delivered|"
    r"mailbox (?:is )?full|quota|over quota|try again later|deferred",
    re.IGNORECASE,
)


def _fields(block: str) -> dict[str, str]:
    """Header-like 'Name: value' fields of one DSN block (continuations unfolded)."""
    out: dict[str, str] = {}
    key = ""
    for line in block.split("\n"):
        if line[:1] in (" ", "\t") and key:
            out[key] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if sep and name.strip() and " " not in name.strip():
            key = name.strip().lower()
            out.setdefault(key, value.strip())
    return out


def _address_of(value: str) -> str:
    """The address in 'rfc822; a@b' or '<a@b>'."""
    m = _ADDRESS.search(value)
    return m.group(0).lower().strip(".") if m else ""


def dsn_actions(decoded: DecodedMessage) -> list[str]:
    """Action values of every per-recipient block of the delivery-status part."""
    text = decoded.report_parts.get("message/delivery-status") or decoded.report_parts.get(
        "message/global-delivery-status", "")
    blocks = re.split(r"\n\s*\n", text.replace("\r", ""))
    return [f["action"].lower() for f in map(_fields, blocks) if "action" in f]


def _from_dsn(text: str) -> tuple[list[str], list[str], str]:
    recipients: list[str] = []
    statuses: list[str] = []
    diagnostic = ""
    for block in re.split(r"\n\s*\n", text.replace("\r", "")):
        f = _fields(block)
        rcpt = _address_of(f.get("final-recipient", "") or f.get("original-recipient", ""))
        action = f.get("action", "").lower()
        if not rcpt or action in ("delivered", "relayed", "expanded"):
            continue
        if rcpt not in recipients:
            recipients.append(rcpt)
        status = _STATUS.search(f.get("status", ""))
        statuses.append(status.group(0) if status else ("5.0.0" if action == "failed" else ""))
        diagnostic = diagnostic or f.get("diagnostic-code", "")
    return recipients, statuses, diagnostic


def _from_text(decoded: DecodedMessage, body: str) -> list[str]:
    """Failed addresses named in a human-readable bounce (before the returned message)."""
    m = _RETURNED.search(body)
    head = body[: m.start()] if m else body[:20000]
    skip = {a for _, a in _daemon_addresses(decoded)}
    found: list[str] = []
    for match in _ADDRESS.finditer(head):
        addr = match.group(0).lower().strip(".")
        local = addr.split("@", 1)[0]
        if addr in skip or local in _DAEMON_LOCALS or addr in found:
            continue
        found.append(addr)
    return found[:50]


def _daemon_addresses(decoded: DecodedMessage) -> list[tuple[str, str]]:
    return [("", _address_of(decoded.header(h))) for h in ("From", "Sender", "Reply-To")]


_RETURNED_ID = re.compile(r"(?im)^[ \t>]*(?:message-id|in-reply-to|references):[ \t]*(.{1,2000})$")
_ID = re.compile(r"<([^<>\s]{1,500})>")


def returned_message_ids(decoded: DecodedMessage, body: str) -> tuple[str, ...]:
    """Message-IDs of the returned message: its headers part, else the quoted text.

    Only these tie a bounce to mail we sent (ARCHITECTURE.md §2); the bounce's own headers
    are the reporting server's and prove nothing.
    """
    found: list[str] = []
    for key, value in decoded.embedded_headers:
        if key.lower() in ("message-id", "in-reply-to", "references"):
            found += _ID.findall(value)
    returned = _RETURNED.search(body)
    if returned is not None:
        for line in _RETURNED_ID.findall(body[returned.start():returned.start() + 200_000]):
            found += _ID.findall(line)
    for text in decoded.report_parts.values():
        for line in _RETURNED_ID.findall(text[:200_000]):
            found += _ID.findall(line)
    return tuple(dict.fromkeys(found))[:20]


def parse_bounce(decoded: DecodedMessage, body: str) -> Bounce:
    """Failed recipients and whether the failure is permanent, from any bounce format."""
    dsn = decoded.report_parts.get("message/delivery-status") or decoded.report_parts.get(
        "message/global-delivery-status", "")
    recipients, statuses, diagnostic = _from_dsn(dsn) if dsn else ([], [], "")
    for header in decoded.header_all("X-Failed-Recipients"):
        for addr in _ADDRESS.findall(header):
            if addr.lower() not in recipients:
                recipients.append(addr.lower())
    if not recipients:
        recipients = _from_text(decoded, body)
    if not recipients:
        for key, value in decoded.embedded_headers:
            if key.lower() == "to":
                recipients = [a.lower() for a in _ADDRESS.findall(value)][:50]
                break
    status = next((s for s in statuses if s), "")
    if not status:
        found = _STATUS.search(body[:20000])
        status = found.group(0) if found else ""
    if status:
        permanent = status.startswith("5")
    else:
        code = _SMTP_CODE.search(body[:20000])
        if code:
            permanent = code.group(1) == "5"
        else:
            permanent = not _TEMPORARY_WORDS.search(body[:20000]) or bool(
                _PERMANENT_WORDS.search(body[:20000]))
    return Bounce(recipients=tuple(recipients), permanent=permanent, status=status,
                  diagnostic=diagnostic[:300],
                  message_ids=returned_message_ids(decoded, body))
