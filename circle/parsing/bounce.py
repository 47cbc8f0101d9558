"""Delivery reports: RFC 3464 DSNs and the common non-standard bounce formats."""

from __future__ import annotations

import re

from circle.parsing.mime import DecodedMessage
from circle.parsing.prefilter import search as prefiltered
from circle.parsing.types import Bounce

_ADDRESS = re.compile(
    r"[A-Za-z0-9._%+=/'&!#$^{}|~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# An SMTP reply code: "said: 550 User unknown", or at a line's end when Postfix wraps the
# server's reply onto an indented line ("said: 450\n    Requested mail action ...").
_SMTP_CODE = re.compile(r"(?:^|[\s(:\[])([45])\d\d(?=[ -]\S|[ \t]*\n[ \t]+\S)", re.MULTILINE)
_DAEMON_LOCALS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mdaemon",
                  "mail.daemon", "bounce", "bounces", "double-bounce", "nobody")
# Where a non-standard bounce starts quoting the returned message.
_RETURNED = re.compile(
    r"^(?:[-=_* ]{2,}.{0,60}(?:original message|copy of the message|returned message|"
    r"message headers follow|below this line|undelivered message|message text follows|"
    r"original mail|ursprüngliche nachricht|message d'origine|mensaje original)|"
    r"original message follows|"
    r"received: |return-path: |"
    r"content-type: message/rfc822|-+ ?original message)",
    re.IGNORECASE | re.MULTILINE,
)
# Wording, in four groups. Without a DSN or enhanced status code the
# decision is, in order: a stated permanent failure ("permanent error", "given up", "failed
# permanently": the server says it, even of a full mailbox); a full mailbox or quota
# (temporary: it may empty); an unknown or invalid recipient ("user unknown", "Benutzer
# unbekannt", "adresse inconnue"), permanent unless the reply code in the same paragraph is
# 4xx ("said: 450 ... mailbox unavailable" is temporary); a promised retry ("deferred",
# "will try again": temporary); any SMTP reply code. Any other failure notice promises no
# retry, and is permanent.
_GAVE_UP = re.compile(r"permanent(?:ly)? (?:error|failure|fatal)|fatal (?:error|delivery)|"
    r"hard bounce|permanently|given up|giving up|will not be retried", re.I)
_UNKNOWN = re.compile(r"user unknown|unknown user|no such (?:user|recipient|mailbox|address)|"
    r"does not exist|doesn'?t exist|mailbox unavailable|mailbox not found|"
    r"invalid (?:recipient|address|mailbox)|recipient (?:address )?rejected|"
    r"address rejected|no mailbox|unknown (?:recipient|address|mailbox)|"
    r"account (?:has been )?(?:disabled|closed|deleted|suspended)|not exist|"
    r"no longer (?:active|valid|exists?)|unbekannt|existiert nicht|n'existe pas|"
    r"inconnu|no existe|non esiste|bestaat niet|unrouteable|introuvable|"
    r"ungültige?\s+(?:adresse|empfänger)|desconocid[oa]|sconosciut[oa]|"
    r"inexistente|onbekend", re.I)
_RETRY = re.compile(r"will (?:continue to )?(?:retry|try again|be retried)|temporar|delayed|"
    r"not yet been delivered|try again later|deferred|still trying|retrying|"
    r"soft bounce|delivery delay|warning: message|später erneut|erneut versucht|"
    r"nouvelle tentative|réessa\w*|se volverá a intentar|reintent\w*|"
    r"vuelva a intentar|verrà ritentat\w*|opnieuw geprobeerd", re.I)
_FULL = re.compile(r"mailbox (?:is )?full|quota|over quota|postfach (?:ist )?voll|"
    r"boîte (?:aux lettres )?pleine|buzón lleno|casella piena|"
    r"exceeds? (?:the )?allowed size|mailbox size|insufficient (?:disk )?space|"
    r"speicherplatz|mailbox vol", re.I)


# Lines of a report that name a failed recipient (not headers of the returned message): in
# words ("<a@b>: Recipient address rejected", "not a member of <list@b>") first, else a line
# that is only an address (qmail's "<a@b>:", Exim's indented list), else any address.
_RECIPIENT_LINE = re.compile(
    r"recipient|address|user|mailbox|deliver|failed|unknown|rejected|exist|undeliver|"
    r"rcpt|empfänger|destinataire|destinatario|adres|member|mitglied|membre|miembro",
    re.IGNORECASE,
)
_BARE_ADDRESS_LINE = re.compile(r"^\s*<?[^\s@<>]+@[^\s@<>]+>?:?\s*$")
_HELP_LINE = re.compile(r"\b(?:contact|please|assistance|questions|abuse)\b", re.I)
_FIELD_LINE = re.compile(r"^\s*(?:final|original)-recipient\s*:", re.I)
_HEADER_LINE = re.compile(
    r"^\s*(?:from|to|cc|bcc|reply-to|sender|return-path|list-[\w-]+|message-id|in-reply-to|"
    r"references|subject|date|x-[\w-]+|received|dkim-signature|errors-to|delivered-to|"
    r"envelope-to|arc-[\w-]+|authentication-results)\s*:", re.IGNORECASE)
_OWN_HEADERS = ("From", "Sender", "Reply-To", "To", "Return-Path", "Errors-To", "Delivered-To")


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


def report_head(body: str) -> str:
    """The bounce's own text: everything before the returned original message."""
    m = prefiltered(_RETURNED, body[:50000])
    return body[: m.start()] if m else body[:20000]


def _from_text(decoded: DecodedMessage, head: str) -> list[str]:
    """Failed addresses named on the report lines of a human-readable bounce; never the
    bounce's own headers, header lines of the returned message, or list addresses."""
    skip = {_address_of(decoded.header(h)) for h in _OWN_HEADERS}
    named: list[str] = []
    bare: list[str] = []
    others: list[str] = []
    for line in head.split("\n"):
        if "@" not in line or _HEADER_LINE.match(line) or "unsubscribe" in line.lower():
            continue
        if _FIELD_LINE.match(line):  # a DSN field in the text: what the report says
            addr = _address_of(line)
            if addr and addr not in named:
                named.append(addr)
            continue
        if _HELP_LINE.search(line):
            continue  # "please contact <support@...>"
        target = (named if _RECIPIENT_LINE.search(line) else
                  bare if _BARE_ADDRESS_LINE.match(line) else others)
        for match in _ADDRESS.finditer(line):
            addr = match.group(0).lower().strip(".")
            local = addr.split("@", 1)[0]
            if addr in skip or local in _DAEMON_LOCALS or addr in named or addr in target:
                continue
            target.append(addr)
    return (named or bare or others)[:50]


def _permanent(statuses: list[str], head: str) -> tuple[bool, str]:
    """(permanent?, status) from the DSN, else the report's status codes and wording."""
    status = next((s for s in statuses if s and s[0] in "45"), "")
    if not status:
        found = next((m for m in _STATUS.finditer(head) if m.group(1) in "45"), None)
        status = found.group(0) if found else ""
    if status:
        return status.startswith("5"), status
    if prefiltered(_GAVE_UP, head):
        return True, ""
    if prefiltered(_FULL, head):
        return False, ""
    found = prefiltered(_UNKNOWN, head)
    if found:  # the reply code the server gave with those words, if any, says how long
        start = head.rfind("\n\n", 0, found.start()) + 1
        end = head.find("\n\n", found.end())
        code = _SMTP_CODE.search(head[start:end if end >= 0 else len(head)])
        return code is None or code.group(1) == "5", ""
    if prefiltered(_RETRY, head):
        return False, ""
    code = _SMTP_CODE.search(head)
    if code:
        return code.group(1) == "5", ""
    return True, ""  # other failure wording ("undeliverable"), or none: no retry promised


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
    returned = prefiltered(_RETURNED, body)
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
    head = report_head(body)
    if not recipients:
        recipients = _from_text(decoded, head)
    permanent, status = _permanent(statuses, head)
    return Bounce(recipients=tuple(recipients), permanent=permanent, status=status,
                  diagnostic=diagnostic[:300],
                  message_ids=returned_message_ids(decoded, body))
