"""Read models for the steward's command line: records as JSON-ready rows (no writes).

Field names follow the CLI contract (docs/architecture.md, "Contracts other tools rely on");
ids are as stored. Lists include archived records where the steward may need them, marked
`"archived": true`; a record found both hot and archived (a crash mid-move) is shown once,
hot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar

from circle.codec import to_dict
from circle.model import (
    RECORD_TYPES,
    HostState,
    InboundRecord,
    Member,
    MemberStatus,
    OutboxItem,
    QuarantineItem,
    Response,
    Round,
    Story,
)
from circle.ports import Store
from circle.transitions import effective_status

R = TypeVar("R")
POST_FIELDS = ("id", "kind", "round_id", "member_id", "state", "visibility", "text",
               "held_reasons", "story_id", "parent_id", "message_id", "received_at")
INBOUND_FIELDS = ("message_id", "received_at", "sender", "kind", "reasons", "outcome")


def hot_and_archived(store: Store, cls: type[R]) -> list[tuple[R, bool]]:
    """Every record of `cls`, hot first, then the archived ones not also hot."""
    hot = store.all(cls)
    keys = {r.key for r in hot}  # type: ignore[attr-defined]
    old = [r for r in store.archived(cls) if r.key not in keys]  # type: ignore[attr-defined]
    return [(r, False) for r in hot] + [(r, True) for r in old]


def post_rows(store: Store, *, round_id: str | None = None,
              state: str | None = None) -> list[dict[str, Any]]:
    """Stories and responses, oldest first: the contract's fields plus `archived`."""
    rows: list[dict[str, Any]] = []
    for cls, kind in ((Story, "story"), (Response, "response")):
        for record, archived in hot_and_archived(store, cls):
            doc = to_dict(record)
            doc["kind"] = kind
            if kind == "story":
                doc["story_id"], doc["parent_id"] = doc["id"], None
            row = {name: doc.get(name) for name in POST_FIELDS}
            row["archived"] = archived
            rows.append(row)
    rows = [r for r in rows if (round_id is None or r["round_id"] == round_id)
            and (state is None or r["state"] == state)]
    return sorted(rows, key=lambda r: r["received_at"] or "")  # stable: stories first


def inbound_rows(store: Store, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every received message (hot and archived), oldest first."""
    rows = []
    for record, archived in hot_and_archived(store, InboundRecord):
        if since is not None and record.received_at < since:
            continue
        doc = to_dict(record)
        rows.append({**{name: doc.get(name) for name in INBOUND_FIELDS}, "archived": archived})
    return sorted(rows, key=lambda r: (r["received_at"] or "", r["message_id"]))


def quarantine_rows(store: Store, *, everything: bool = False) -> list[dict[str, Any]]:
    """Quarantined messages (open ones; with `everything`, resolved and archived ones too)."""
    rows = []
    for record, archived in hot_and_archived(store, QuarantineItem):
        if record.state != "open" and not everything:
            continue
        rows.append({**to_dict(record), "archived": archived})
    return sorted(rows, key=lambda r: (r["received_at"], r["id"]))


def member_rows(store: Store, today: date) -> list[dict[str, Any]]:
    """Members by name, with `effective_status` (a pause that has ended reads `active`)."""
    rows = []
    for m in sorted(store.all(Member), key=lambda m: m.name.lower()):
        doc = to_dict(m)
        doc["status"] = str(effective_status(m, today))
        rows.append(doc)
    return rows


def outbox_rows(store: Store, *, archived: bool = False) -> list[dict[str, Any]]:
    """Outbox items without their composed bodies, oldest first (`archived`: the past too)."""
    pairs: list[tuple[OutboxItem, bool]] = [(i, False) for i in store.all(OutboxItem,
                                                                            bodies=False)]
    if archived:
        hot = {i.id for i, _ in pairs}
        pairs += [(i, True) for i in store.archived(OutboxItem) if i.id not in hot]
    rows = []
    for item, old in pairs:
        doc = to_dict(item)
        doc.pop("raw", None)
        rows.append({**doc, "archived": old})
    return sorted(rows, key=lambda r: (r["created_at"], r["id"]))


def export_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Everything in the store, hot and archived, one row per record with its `type` (the
    table name) and `archived`; composed mail bodies included (a backup)."""
    for cls in RECORD_TYPES:
        table: str = cls.TABLE  # type: ignore[attr-defined]
        pairs: list[tuple[Any, bool]] = hot_and_archived(store, cls)
        for record, archived in pairs:
            yield {"type": table, "archived": archived, **to_dict(record)}


def next_round(store: Store, now: datetime, *, unapproved: bool = False) -> Round | None:
    """The next round to gather whose question has not gone out (with `unapproved`: also not
    approved yet)."""
    rounds = sorted(store.all(Round), key=lambda r: r.gathering)
    for rnd in rounds:
        if rnd.gathering < now or "question" in rnd.fired or "question" in rnd.skipped:
            continue
        if unapproved and rnd.question_approved:
            continue
        return rnd
    return None


# -- one member, for the TUI's member detail view (pure: records in, words out) ------------

@dataclass(frozen=True)
class MemberProfile:
    """What the steward sees about one member: status, role, delivery, stories, hosting."""

    member_id: str
    name: str
    email: str
    aliases: tuple[str, ...]
    status: str  # in words: "active", "paused until 26 December 2026 (resumes by itself)", ...
    role: str  # in words: "steward · may host", "may host", "not asked to host"
    delivery: tuple[str, ...]  # one plain sentence per problem, newest first; () when none
    delivery_summary: str  # the table's cell: "ok", "1 failure", "mail stopped"
    stories: tuple[tuple[str, str, str, str], ...]  # (round, state, visibility, first words)
    responses: int  # responses written
    hosting: tuple[tuple[str, date, str], ...]  # (round, gathering day, what happened)
    note: str


def role_words(member: Member) -> str:
    """Who may host, in words (the Members table's Role column)."""
    host = "may host" if member.can_host else "not asked to host"
    return f"steward · {host}" if member.is_steward else host


def delivery_summary(member: Member) -> str:
    """The delivery state in two or three words ("1 problems" said nothing)."""
    if member.delivery_paused:
        return "mail stopped"
    n = len(member.delivery_problems)
    if not n:
        return "ok"
    return f"{n} failure{'' if n == 1 else 's'}"


def delivery_words(member: Member, tz: tzinfo) -> tuple[str, ...]:
    """Each delivery problem as a plain sentence, newest first, led by what it means now."""
    lines: list[str] = []
    if member.delivery_paused:
        lines.append("The circle sends them nothing for now: mail to their address was refused "
                     "for good several times. Fix the address (e) and resume (r).")
    for p in sorted(member.delivery_problems, key=lambda p: p.at, reverse=True):
        kind = ("refused for good (the address may not exist any more)" if p.permanent else
                "not delivered for now (e.g. a full mailbox; later mail may arrive)")
        lines.append(f"{p.at.astimezone(tz):%a %d %b %Y}: mail to {p.address} was {kind}. "
                     f"The server said: {p.detail or 'nothing'}")
    return tuple(lines)


def status_words(member: Member, today: date) -> str:
    """Active, paused (until when, and that it resumes by itself) or left, in words."""
    status = effective_status(member, today)
    if status == MemberStatus.PAUSED:
        if member.paused_until:
            return (f"paused until {member.paused_until:%-d %B %Y} (resumes by itself; "
                    "receives nothing until then)")
        return "paused until they write RESUME or the steward resumes them"
    if status == MemberStatus.LEFT:
        return "left the circle (their stories stay)"
    return "active" + (", but the circle sends them nothing (delivery problems)"
                       if member.delivery_paused else "")


def member_profile(member: Member, *, rounds: Iterable[Round], stories: Iterable[Story],
                   responses: Iterable[Response], today: date, now: datetime,
                   tz: tzinfo) -> MemberProfile:
    """The member detail view-model from records the caller already holds (no store reads)."""
    mine = sorted((s for s in stories if s.member_id == member.id),
                  key=lambda s: s.received_at, reverse=True)
    story_rows = tuple((s.round_id, str(s.state), str(s.visibility),
                        " ".join(s.text.split())[:60]) for s in mine)
    hosting: list[tuple[str, date, str]] = []
    for rnd in sorted(rounds, key=lambda r: r.gathering, reverse=True):
        asked = member.id in rnd.hosts_asked
        if rnd.host_id != member.id and not asked:
            continue
        when = rnd.gathering.astimezone(tz).date()
        if rnd.host_id == member.id:
            past = rnd.gathering <= now
            what = ("hosted" if past else {HostState.ACCEPTED: "will host (accepted)",
                                           HostState.INVITED: "asked, no answer yet",
                                           HostState.DECLINED: "declined",
                                           HostState.UNASKED: "planned to host"}[rnd.host_state])
        else:
            what = "asked; another member hosts"
        hosting.append((rnd.id, when, what))
    return MemberProfile(
        member_id=member.id, name=member.name, email=member.email,
        aliases=tuple(member.aliases), status=status_words(member, today),
        role=role_words(member), delivery=delivery_words(member, tz),
        delivery_summary=delivery_summary(member), stories=story_rows,
        responses=sum(1 for r in responses if r.member_id == member.id),
        hosting=tuple(hosting), note=member.note)
