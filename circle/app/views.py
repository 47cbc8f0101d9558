"""Read models for the steward's command line: records as JSON-ready rows (no writes).

Field names follow the CLI contract (docs/architecture.md, "Contracts other tools rely on");
ids are as stored. Lists include archived records where the steward may need them, marked
`"archived": true`; a record found both hot and archived (a crash mid-move) is shown once,
hot.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, TypeVar

from circle.codec import to_dict
from circle.model import (
    RECORD_TYPES,
    InboundRecord,
    Member,
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
