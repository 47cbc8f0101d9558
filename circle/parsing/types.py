"""What the parser hands to the rest of the domain: one decoded, classified, trimmed message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from circle.model import MessageKind


@dataclass(frozen=True)
class Address:
    """A decoded mailbox: the email address (lower-cased) and display name."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class Bounce:
    """Delivery failure details extracted from a bounce / DSN."""

    recipients: tuple[str, ...]
    permanent: bool
    status: str = ""  # e.g. "5.1.1"
    diagnostic: str = ""
    message_ids: tuple[str, ...] = ()  # Message-IDs of the returned message (ours, if genuine)


@dataclass(frozen=True)
class Command:
    """An email command (docs/architecture.md), e.g. PAUSE UNTIL 2026-12-01 or THANKS Ana: words."""

    name: str  # PAUSE, PAUSE_UNTIL, RESUME, PASS, STOP, HOST_YES, HOST_NO, SWAP, SHARE,
    # ANONYMOUS, PRIVATE, THANKS, MY_STORIES, HELP
    argument: str = ""  # the date for PAUSE UNTIL (as written), "<name>: <words>" for THANKS


@dataclass(frozen=True)
class Request:
    """A request in plain words ("please pause my mail until March") read as a command."""

    command: Command
    words: str  # the member's sentence that was read as the request
    alone: bool  # the message is only the request: applied like the command, else proposed


@dataclass(frozen=True)
class ParsedMessage:
    """An inbound message decoded, classified and trimmed; pure data, no I/O."""

    kind: MessageKind
    reasons: tuple[str, ...]  # names of the rules that decided `kind`
    sender: Address
    message_id: str  # without angle brackets; "sha256:<hex>" of the bytes when absent
    in_reply_to: str  # without angle brackets, "" if none
    references: tuple[str, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    date: datetime | None
    text: str  # the member's new words ("" if none)
    elided: str  # quoted history / signature / scaffolding removed from the text
    full_text: str  # the whole best body as plain text, before trimming
    attachments: tuple[str, ...] = ()  # "name (type, size)"
    bounce: Bounce | None = None
    command: Command | None = None
    # a request in plain words: the command when `alone` (kind COMMAND), else a proposal
    request: Request | None = None
    # return date of an out-of-office reply: naive, the sender's calendar day (no zone shift)
    auto_reply_until: datetime | None = None
    headers: tuple[tuple[str, str], ...] = field(default=())  # decoded headers, in order
    defects: tuple[str, ...] = ()  # parse problems met on the way (never fatal)
