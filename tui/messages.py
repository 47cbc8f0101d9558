"""Past-tense messages that workers post to the app; handlers own the state they change."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from circle.app.apply import Outcome
from tui.snapshot import CircleData, History


class Happened(Message):
    """Base of Circle's messages: plain dataclasses (Textual runs `__post_init__` for them)."""


@dataclass
class DataLoaded(Happened):
    """A fresh snapshot of the store was read."""

    data: CircleData
    seconds: float = 0.0
    generation: int = 0  # which load request this answers; older ones are dropped


@dataclass
class HistoryLoaded(Happened):
    """The archived rounds with their stories and responses (read once, after the first
    screen): Threads and search reach back through every year."""

    history: History


@dataclass
class StoreChanged(Happened):
    """Another process (e.g. `circle run`) wrote to the store."""


@dataclass
class IntentApplied(Happened):
    """The writer applied an intent: the records as written (or why it was refused)."""

    what: str
    outcome: Outcome


@dataclass
class IntentFailed(Happened):
    """The writer could not apply an intent (store error): the view goes back to the store."""

    what: str
    detail: str


@dataclass
class RecordsSaved(Happened):
    """The writer stored a batch of records."""

    count: int


@dataclass
class WorkFailed(Happened):
    """A worker failed; the app turns this into one notification."""

    what: str
    detail: str


@dataclass
class RepliesIngested(Happened):
    """The mail loop fetched and stored new messages."""

    count: int
    summary: str = ""


@dataclass
class MailLoopStatusChanged(Happened):
    """The mail loop's state in words (running here, in `circle run`, stopped, failing)."""

    text: str


@dataclass
class DigestProgress(Happened):
    """Sending moved on: `done` of `total` items handed to the relay."""

    done: int
    total: int


@dataclass
class DigestSent(Happened):
    """A send finished: how many went, how many failed."""

    sent: int
    failed: int
    kind: str = "digest"


@dataclass
class DigestComposed(Happened):
    """The digest preview was composed (plain text and the HTML part rendered as text)."""

    round_id: str
    plain: str
    html_text: str
    problem: str = ""
    member_id: str = ""  # whose own copy it is ("" = placeholder links)


@dataclass
class OutboxItemRead(Happened):
    """One outbox item's composed message was read and decoded (for its detail view)."""

    item_id: str
    headline: str  # To and Subject
    text: str  # the plain-text part as the member reads it
    purpose: str = "read"  # "read" | "resend" (the detail asks to confirm)
    problem: str = ""
