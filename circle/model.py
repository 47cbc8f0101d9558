"""The circle's domain records: circle, member, round, story, response, mail records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar


class MemberStatus(StrEnum):
    """Whether a member receives the circle's mail."""

    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class StoryState(StrEnum):
    """Where a story (or response) stands in the steward's review."""

    PENDING = "pending"
    APPROVED = "approved"
    HELD = "held"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class Visibility(StrEnum):
    """The author's consent: who may read the story."""

    CIRCLE = "circle"
    ANONYMOUS = "anonymous"
    STEWARD = "steward"


class HostState(StrEnum):
    """The host's answer to the invitation for one round."""

    UNASKED = "unasked"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class RoundState(StrEnum):
    """The life of one round, from planned to closed."""

    PLANNED = "planned"
    OPEN = "open"  # question sent, replies welcome
    DIGEST_SENT = "digest_sent"
    CLOSED = "closed"


class MessageKind(StrEnum):
    """What an inbound message is (docs/architecture.md)."""

    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    FEEDBACK_REPORT = "feedback_report"
    DELIVERY_REPORT = "delivery_report"
    AUTO_GENERATED = "auto_generated"
    LOOP = "loop"
    COMMAND = "command"
    EMPTY = "empty"
    UNPARSEABLE = "unparseable"  # the parser could not read it: quarantined, never ignored


class OutboxState(StrEnum):
    """Explicit states of one outgoing item (one recipient, one message)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED_TEMPORARY = "failed_temporary"
    FAILED_PERMANENT = "failed_permanent"
    UNCERTAIN = "uncertain"
    DROPPED = "dropped"


class QuarantineState(StrEnum):
    """What the steward did with a quarantined message."""

    OPEN = "open"
    ASSIGNED = "assigned"
    DISMISSED = "dismissed"


@dataclass
class Circle:
    """The circle itself: who it is, where it lives, what it agrees on."""

    TABLE: ClassVar[str] = "circle"
    name: str
    slug: str
    purpose: str
    timezone: str
    address: str  # the circle's own address, e.g. circle@example.org
    steward_email: str
    agreements: list[str] = field(default_factory=list)
    agreements_version: int = 1
    gathering_place: str = ""

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the circle's slug."""
        return self.slug


@dataclass
class DeliveryProblem:
    """One failed delivery to a member's address (bounce or 5xx)."""

    at: datetime
    address: str
    permanent: bool
    detail: str


@dataclass
class Member:
    """A practitioner in the circle."""

    TABLE: ClassVar[str] = "members"
    id: str
    name: str
    email: str
    joined: date
    aliases: list[str] = field(default_factory=list)
    status: MemberStatus = MemberStatus.ACTIVE
    paused_until: date | None = None
    can_host: bool = True
    is_steward: bool = False
    agreements_version: int = 0
    delivery_problems: list[DeliveryProblem] = field(default_factory=list)
    delivery_paused: bool = False
    note: str = ""  # steward's private note, never shown to members

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the member id."""
        return self.id

    def addresses(self) -> list[str]:
        """Every address this member writes from, lower-cased."""
        return [a.lower() for a in [self.email, *self.aliases]]


@dataclass
class Round:
    """One month of the circle: host, question, timeline, gathering."""

    TABLE: ClassVar[str] = "rounds"
    id: str  # "2026-11"
    gathering: datetime
    host_id: str | None = None
    host_state: HostState = HostState.UNASKED
    hosts_asked: list[str] = field(default_factory=list)
    question: str = ""
    question_approved: bool = False
    state: RoundState = RoundState.PLANNED
    timeline: dict[str, datetime] = field(default_factory=dict)
    fired: dict[str, datetime] = field(default_factory=dict)  # moment -> when it fired
    skipped: dict[str, str] = field(default_factory=dict)  # moment -> why it was skipped
    digest_approved: bool = False
    welcome: str = ""  # the host's welcome line for the digest
    passes: list[str] = field(default_factory=list)  # member ids who PASSed this round
    digest_note: str = ""  # the steward's note at the top of the round's digest

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the round id."""
        return self.id


@dataclass
class Story:
    """A member's answer to the round's question."""

    TABLE: ClassVar[str] = "stories"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = (
        "id", "round_id", "member_id", "state", "visibility", "themes", "text")
    id: str
    round_id: str
    member_id: str
    text: str
    received_at: datetime
    message_id: str = ""
    elided: str = ""
    original_text: str = ""  # the text as it arrived, kept when the steward edits
    state: StoryState = StoryState.PENDING
    visibility: Visibility = Visibility.CIRCLE
    held_reasons: list[str] = field(default_factory=list)
    classify_reasons: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    steward_note: str = ""
    member_consent_version: int = 0  # the version at which the author last chose visibility
    attachments: list[str] = field(default_factory=list)
    raw_sha: str = ""
    subject: str = ""
    # a request in plain words found in the story ("please keep it anonymous"), as a command
    # ("ANONYMOUS"), proposed to the steward and never applied by itself; "" once decided
    suggested_command: str = ""
    suggested_words: str = ""  # the member's sentence it was read from

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the story id."""
        return self.id


@dataclass
class Response:
    """A reply to a story or to another response: story + responses = thread."""

    TABLE: ClassVar[str] = "responses"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = (
        "id", "round_id", "member_id", "state", "visibility", "themes", "text")
    id: str
    story_id: str
    parent_id: str  # the story id or another response id
    round_id: str
    member_id: str
    text: str
    received_at: datetime
    message_id: str = ""
    elided: str = ""
    original_text: str = ""
    state: StoryState = StoryState.PENDING
    visibility: Visibility = Visibility.CIRCLE
    held_reasons: list[str] = field(default_factory=list)
    classify_reasons: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    steward_note: str = ""
    member_consent_version: int = 0  # the version at which the author last chose visibility
    raw_sha: str = ""

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the response id."""
        return self.id


@dataclass
class Appreciation:
    """A member thanking another ("THANKS Ana: ..."), celebrated in the digest."""

    TABLE: ClassVar[str] = "appreciations"
    id: str
    round_id: str
    from_member_id: str
    to_name: str
    text: str
    received_at: datetime
    to_member_id: str | None = None
    state: StoryState = StoryState.PENDING
    message_id: str = ""

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the appreciation id."""
        return self.id


@dataclass
class InboundRecord:
    """What became of one inbound message; its Message-ID deduplicates."""

    TABLE: ClassVar[str] = "inbound"
    message_id: str
    raw_sha: str
    received_at: datetime
    kind: MessageKind
    reasons: list[str] = field(default_factory=list)
    outcome: str = ""  # "story:<id>", "response:<id>", "quarantine:<id>", "command:PAUSE", ...
    sender: str = ""
    subject: str = ""
    folder: str = ""
    uidvalidity: int = 0
    uid: int = 0

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the Message-ID (or hash of the bytes)."""
        return self.message_id


@dataclass
class QuarantineItem:
    """A message that could not be matched or trusted, with the reason."""

    TABLE: ClassVar[str] = "quarantine"
    id: str
    message_id: str
    raw_sha: str
    received_at: datetime
    reason: str
    kind: MessageKind
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    state: QuarantineState = QuarantineState.OPEN
    resolution: str = ""

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the quarantine id."""
        return self.id


@dataclass
class OutboxItem:
    """One outgoing message to one recipient, with explicit delivery states."""

    TABLE: ClassVar[str] = "outbox"
    BLOB_FIELDS: ClassVar[tuple[str, ...]] = ("raw",)  # kept beside the database, not in it
    id: str
    message_id: str
    kind: str  # invitation | question | reminder | receipt | confirmation | digest | test
    recipient: str
    raw: str  # the composed RFC 5322 message (ASCII-safe; 8-bit parts are encoded)
    created_at: datetime
    round_id: str = ""
    member_id: str = ""
    state: OutboxState = OutboxState.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    history: list[str] = field(default_factory=list)

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the item id."""
        return self.id


@dataclass
class SyncState:
    """IMAP sync position for one folder: UIDVALIDITY and the last processed UID."""

    TABLE: ClassVar[str] = "sync"
    folder: str
    uidvalidity: int = 0
    last_uid: int = 0
    last_fetch_at: datetime | None = None
    last_error: str = ""
    pending_ack: list[int] = field(default_factory=list)  # stored, not yet flagged on server

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the folder name."""
        return self.folder


@dataclass
class Event:
    """A line in the circle's activity log (what happened, when), shown on the Today screen."""

    TABLE: ClassVar[str] = "events"
    id: str
    at: datetime
    kind: str
    text: str

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the event id."""
        return self.id


@dataclass
class Notice:
    """Something a member must be told (receipt, command confirmation), queued by the mail loop.

    The outbox turns each unhandled notice into exactly one outbox item (id derived from the
    notice id), so a crash between the two never sends twice nor forgets.
    """

    TABLE: ClassVar[str] = "notices"
    id: str
    kind: str  # receipt | confirmation | help | my_stories | refused
    member_id: str
    created_at: datetime
    round_id: str = ""
    ref_id: str = ""  # the story/response/appreciation the notice is about
    command: str = ""  # e.g. "PAUSE UNTIL 2026-12-01"
    detail: str = ""  # what was done, in words, e.g. "paused until 1 December 2026"
    in_reply_to: str = ""  # Message-ID of the member's email, so the confirmation threads
    handled: bool = False

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the notice id."""
        return self.id


@dataclass
class Harvest:
    """What the circle harvested at one gathering (notes, a poem, insights, a photo).

    Asked of the host (the steward in copy) by the `harvest` moment after the gathering; a
    reply to that request, or the steward's own words, becomes this record, reviewed like a
    story and carried by the next digest ("From our last gathering"). One per gathering: a
    second reply is added below the first. `round_id` is the round whose digest carries it
    (`circle.carrying`), so it is archived with that round.
    """

    TABLE: ClassVar[str] = "harvests"
    id: str  # "h-<gathering round id>"
    gathering_round: str  # the round whose gathering it harvests
    round_id: str  # the round whose digest carries it
    text: str
    received_at: datetime
    state: StoryState = StoryState.PENDING
    member_ids: list[str] = field(default_factory=list)  # who sent it by email
    message_ids: list[str] = field(default_factory=list)
    raw_shas: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # e.g. the photo's file name
    original_text: str = ""  # the text as it arrived, kept when the steward edits it
    typed_by_steward: bool = False

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the harvest id."""
        return self.id


@dataclass
class YearDigest:
    """The once-a-year digest "A year in stories": the steward's words and approval."""

    TABLE: ClassVar[str] = "years"
    id: str  # the year, "2026"
    intro: str = ""  # the steward's own opening words (edited like any digest text)
    approved: bool = False
    queued_at: datetime | None = None

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the year."""
        return self.id



@dataclass
class ReplyKey:
    """A short reply key (`r-…` in `circle+r-…@domain`) and the reply it stands for.

    Minted when a digest is queued (one per member and story), looked up at ingest instead of
    verifying a long HMAC token; bound to the member, the round and the story like a token.
    """

    TABLE: ClassVar[str] = "reply_keys"
    id: str  # "r-" + 10 base32 characters (50 bits, circle.tokens.short_key)
    member_id: str
    round_id: str
    parent_id: str
    created_at: datetime

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the reply key itself."""
        return self.id



RECORD_TYPES: tuple[type, ...] = (
    Circle, Member, Round, Story, Response, Appreciation, InboundRecord,
    QuarantineItem, OutboxItem, SyncState, Event, Notice, Harvest, YearDigest, ReplyKey,
)


@dataclass
class Decision:
    """One steward decision in the decision log, with what it changed, so it can be undone.

    `changes` holds one entry per record the decision wrote: its table and key, `before`
    (the fields it changed, with their values before; None when the decision created the
    record) and `version` (the record's version right after). Undo is compare-and-set on
    that version (circle/app/decisions.py).
    """

    TABLE: ClassVar[str] = "decisions"
    id: str  # "d12": the log's sequence number
    seq: int
    at: datetime
    by: str
    intent: str  # the intent's class name, e.g. "ReviewPost"
    area: str  # where it is made and undone: posts | quarantine | members | hosts | digest
    summary: str  # the outcome's sentence, e.g. "Approved: Ana"
    changes: list[dict[str, Any]] = field(default_factory=list)
    undone_at: datetime | None = None
    undone_by: str = ""

    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def key(self) -> str:
        """Store key: the decision id."""
        return self.id


RECORD_TYPES = (*RECORD_TYPES, Decision)  # appended: the decision log (issue 14)
