"""Assemble one outgoing message: safe headers, reply token, stable ids and MIME boundaries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from circle.compose.text import clean_line
from circle.model import Circle, Member
from circle.tokens import TokenClaim, make_token, message_id, reply_address

POLICY = email_policy.SMTP  # CRLF line ends, strict header checks
# Ids and links are set raw (one unfolded ASCII line each, built only from tokens and the
# configured address); refold_source="none" keeps them so instead of turning a long mailto
# into encoded-words that no client would understand.
WIRE = email_policy.SMTP.clone(refold_source="none")
ATTACHMENT = "attachment"


@dataclass(frozen=True)
class Composed:
    """One composed message for one recipient, ready for the outbox."""

    kind: str
    round_id: str
    member_id: str
    recipient: str
    message_id: str  # without angle brackets
    subject: str
    raw: bytes


def domain_of(address: str) -> str:
    """The domain part of an address."""
    return address.rpartition("@")[2] or "localhost"


def unique_part(*parts: str) -> str:
    """A short stable hex digest of `parts`, the unique middle of a Message-ID."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def member_token(secret: bytes, member: Member, round_id: str, parent_id: str = "") -> str:
    """The reply token for `member` in round `round_id`, replying to `parent_id` (or "")."""
    return make_token(secret, TokenClaim(member.id, round_id, parent_id))


def mint_message_id(circle: Circle, token: str, kind: str, round_id: str,
                    member_id: str, *, extra: str = "") -> str:
    """The stable Message-ID (no brackets) of one email of `kind` to one member."""
    return message_id(token, unique_part(kind, round_id, member_id, extra),
                      domain_of(circle.address))


def list_id(circle: Circle) -> str:
    """The List-Id header value: '"Name" <slug.domain>'."""
    label = f"{circle.slug}.{domain_of(circle.address)}"
    return f"{_quoted(clean_line(circle.name, 80))} <{label}>"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def address(name: str, addr: str) -> Address:
    """A header address whose display name cannot inject anything (one clean line)."""
    local, _, domain = addr.strip().rpartition("@")
    return Address(display_name=clean_line(name, 120), username=local, domain=domain)


def headers(circle: Circle, member: Member, *, kind: str, round_id: str, token: str,
            mid: str, subject: str, now: datetime, from_name: str = "",
            in_reply_to: str = "", references: tuple[str, ...] = ()) -> EmailMessage:
    """A message carrying every header Circle puts on its mail (no body yet)."""
    msg = EmailMessage(policy=POLICY)
    sender_name = from_name or circle.name
    msg["From"] = address(sender_name, circle.address)
    msg["To"] = address(member.name, member.email)
    msg["Subject"] = clean_line(subject, 250)
    msg["Date"] = format_datetime(now)
    _raw(msg, "Message-ID", f"<{mid}>")
    msg["Reply-To"] = address(circle.name, reply_address(circle.address, token))
    parent = clean_line(in_reply_to, 900).strip("<> ")
    if parent:
        _raw(msg, "In-Reply-To", f"<{parent}>")
    refs = [clean_line(r, 900).strip("<> ") for r in (*references, parent)]
    if any(refs):
        _raw(msg, "References", " ".join(f"<{r}>" for r in dict.fromkeys(refs) if r))
    msg["Auto-Submitted"] = "auto-generated"
    msg["List-Id"] = list_id(circle)
    stop = reply_address(circle.address, token)
    _raw(msg, "List-Unsubscribe", f"<mailto:{stop}?subject=STOP>")
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Circle-Kind"] = f"{kind}; round={clean_line(round_id, 40) or '-'}"
    return msg


def _raw(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header verbatim as one ASCII line (no CR/LF/controls can survive)."""
    msg.set_raw(name, clean_line(value, 990).encode("ascii", "ignore").decode("ascii"))


def text_cte(text: str) -> str:
    """7bit for short-lined ASCII, quoted-printable otherwise: every part stays ASCII-safe."""
    ascii_ok = text.isascii() and all(len(line) <= 78 for line in text.split("\n"))
    return "7bit" if ascii_ok else "quoted-printable"


def set_text(msg: EmailMessage, text: str) -> None:
    """The plain-text body (UTF-8, ASCII-safe transfer encoding, ends with a newline)."""
    body = text.rstrip("\n") + "\n"
    msg.set_content(body, subtype="plain", charset="utf-8", cte=text_cte(body))


def add_html(msg: EmailMessage, html: str) -> None:
    """Add an HTML alternative after the plain text (multipart/alternative)."""
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")


def add_calendar(msg: EmailMessage, ics: bytes, method: str = "PUBLISH") -> None:
    """Attach the gathering's calendar invite as `gathering.ics` (multipart/mixed)."""
    msg.add_attachment(ics, maintype="text", subtype="calendar", filename="gathering.ics",
                       params={"method": method, "charset": "utf-8"}, cte="base64")


def finish(msg: EmailMessage, kind: str, round_id: str, member: Member, mid: str) -> Composed:
    """Freeze the message: deterministic MIME boundaries, then the wire bytes."""
    for n, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_circle_{unique_part(mid, str(n))}_{n}")
    raw = msg.as_bytes(policy=WIRE)
    return Composed(kind=kind, round_id=round_id, member_id=member.id, recipient=member.email,
                    message_id=mid, subject=str(msg["Subject"]), raw=raw)
