"""An in-memory snapshot of the store the screens read from (loaded off the UI thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from circle.model import (
    Appreciation,
    Circle,
    Event,
    Harvest,
    Member,
    MemberStatus,
    Notice,
    OutboxItem,
    OutboxState,
    QuarantineItem,
    QuarantineState,
    Response,
    Round,
    RoundState,
    Story,
    StoryState,
    SyncState,
)
from circle.ports import Store

Post = Story | Response
TROUBLE = (OutboxState.FAILED_TEMPORARY, OutboxState.FAILED_PERMANENT, OutboxState.UNCERTAIN)


@dataclass
class History:
    """What the per-year archives hold for the steward's view (closed rounds)."""

    rounds: dict[str, Round] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)
    appreciations: dict[str, Appreciation] = field(default_factory=dict)
    harvests: dict[str, Harvest] = field(default_factory=dict)


def load_history(store: Store) -> History:
    """Every archived round, story, response and appreciation (call it from a worker)."""
    return History(rounds={r.id: r for r in store.archived(Round)},
                   stories={s.id: s for s in store.archived(Story)},
                   responses={r.id: r for r in store.archived(Response)},
                   appreciations={a.id: a for a in store.archived(Appreciation)},
                   harvests={h.id: h for h in store.archived(Harvest)})


@dataclass
class CircleData:
    """Every record the TUI shows, indexed for the screens; replaced or patched, never I/O."""

    circle: Circle | None = None
    members: dict[str, Member] = field(default_factory=dict)
    rounds: dict[str, Round] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)
    appreciations: dict[str, Appreciation] = field(default_factory=dict)
    quarantine: dict[str, QuarantineItem] = field(default_factory=dict)
    outbox: dict[str, OutboxItem] = field(default_factory=dict)
    sync: list[SyncState] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    loaded: bool = False
    harvests: dict[str, Harvest] = field(default_factory=dict)  # by id "h-<round>"

    def patch(self, record: Any) -> None:
        """Put one changed record into the snapshot (the store write happens elsewhere)."""
        tables: dict[type, dict[str, Any]] = {
            Member: self.members, Round: self.rounds, Story: self.stories,
            Response: self.responses, Appreciation: self.appreciations,
            QuarantineItem: self.quarantine, OutboxItem: self.outbox, Harvest: self.harvests}
        table = tables.get(type(record))
        if table is not None:
            table[record.key] = record
        elif isinstance(record, Circle):
            self.circle = record
        elif isinstance(record, Event):
            self.events.append(record)

    def add_history(self, history: History) -> None:
        """Put archived records under the hot ones (a hot copy, if any, is newer and wins)."""
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (self.rounds, history.rounds), (self.stories, history.stories),
            (self.responses, history.responses), (self.appreciations, history.appreciations),
            (self.harvests, history.harvests)]
        for mine, old in pairs:
            for key, record in old.items():
                mine.setdefault(key, record)

    def name(self, member_id: str | None) -> str:
        """A member's name (or a gentle placeholder)."""
        if member_id is None:
            return "nobody yet"
        member = self.members.get(member_id)
        return member.name if member else member_id

    def rounds_sorted(self) -> list[Round]:
        """Rounds by gathering date, oldest first."""
        return sorted(self.rounds.values(), key=lambda r: r.gathering)

    def current_round(self, now: datetime) -> Round | None:
        """The open round, else the next one to gather, else the last one."""
        ordered = self.rounds_sorted()
        open_rounds = [r for r in ordered if r.state == RoundState.OPEN]
        if open_rounds:
            return open_rounds[-1]
        upcoming = [r for r in ordered if r.gathering >= now]
        return upcoming[0] if upcoming else (ordered[-1] if ordered else None)

    def stories_of(self, round_id: str) -> list[Story]:
        """The stories of one round, oldest first."""
        found = [s for s in self.stories.values() if s.round_id == round_id]
        return sorted(found, key=lambda s: s.received_at)

    def responses_of(self, story_id: str) -> list[Response]:
        """The responses in one story's thread, oldest first."""
        found = [r for r in self.responses.values() if r.story_id == story_id]
        return sorted(found, key=lambda r: r.received_at)

    def review_queue(self, include_held: bool = False) -> list[Post]:
        """Pending stories and responses (optionally held ones too), oldest first."""
        states = {StoryState.PENDING, StoryState.HELD} if include_held else {StoryState.PENDING}
        posts: list[Post] = [s for s in self.stories.values() if s.state in states]
        posts += [r for r in self.responses.values() if r.state in states]
        return sorted(posts, key=lambda p: p.received_at)

    def open_quarantine(self) -> list[QuarantineItem]:
        """Quarantined messages still waiting for the steward, newest first."""
        items = [q for q in self.quarantine.values() if q.state == QuarantineState.OPEN]
        return sorted(items, key=lambda q: q.received_at, reverse=True)

    def outbox_trouble(self) -> list[OutboxItem]:
        """Outbox items that failed or whose fate is uncertain."""
        return [o for o in self.outbox.values() if o.state in TROUBLE]

    def digest_recipients(self, today: date) -> list[Member]:
        """Members who receive the digest today."""
        from circle.transitions import receives_mail

        return [m for m in self.members.values() if receives_mail(m, today)]

    def passed(self, round_id: str) -> set[str]:
        """Members who sent PASS for a round."""
        rnd = self.rounds.get(round_id)
        noticed = {n.member_id for n in self.notices
                   if n.round_id == round_id and n.command.upper().startswith("PASS")}
        return noticed | set(rnd.passes if rnd else ())

    def last_contribution(self) -> dict[str, datetime]:
        """When each member last sent a story or response."""
        last: dict[str, datetime] = {}
        posts: list[Post] = [*self.stories.values(), *self.responses.values()]
        for post in posts:
            seen = last.get(post.member_id)
            if seen is None or post.received_at > seen:
                last[post.member_id] = post.received_at
        return last

    def quiet_members(self, now: datetime, rounds: int = 3) -> list[Member]:
        """Active members not heard from (no story, no response) in the last `rounds` rounds."""
        past = [r for r in self.rounds_sorted() if r.gathering <= now or
                r.state != RoundState.PLANNED][-rounds:]
        ids = {r.id for r in past}
        posts: list[Post] = [*self.stories.values(), *self.responses.values()]
        heard = {p.member_id for p in posts if p.round_id in ids}
        return [m for m in self.members.values()
                if m.status == MemberStatus.ACTIVE and m.id not in heard]


def load_snapshot(store: Store) -> CircleData:
    """Read the hot part of the store in one consistent view (call it from a thread worker).

    The reads happen inside one store transaction: the lock keeps other processes' writes
    out for those milliseconds, so the snapshot never mixes two states of the circle.
    """
    with store.transaction():
        return _read(store)


def _read(store: Store) -> CircleData:
    data = CircleData(loaded=True)
    circles = store.all(Circle)
    data.circle = circles[0] if circles else None
    data.members = {m.id: m for m in store.all(Member)}
    data.rounds = {r.id: r for r in store.all(Round)}
    data.stories = {s.id: s for s in store.all(Story)}
    data.responses = {r.id: r for r in store.all(Response)}
    data.appreciations = {a.id: a for a in store.all(Appreciation)}
    data.quarantine = {q.id: q for q in store.all(QuarantineItem)}
    data.outbox = {o.id: o for o in store.all(OutboxItem, bodies=False)}
    data.sync = store.all(SyncState)
    data.events = sorted(store.all(Event), key=lambda e: e.at)
    data.notices = store.all(Notice)
    data.harvests = {h.id: h for h in store.all(Harvest)}
    return data
