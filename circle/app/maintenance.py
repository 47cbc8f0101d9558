"""Keep the hot store small: close finished rounds and move them, with their mail, to archives.

Finished outbox items leave the hot file two days after they finished (the hot file holds the
unsent outbox); other mail records after 35 days; both in daily batches. Idempotent and
crash-safe (the store writes the archive before removing from the hot file); run after every
fetch by the daemon.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from circle.model import (
    Appreciation,
    Event,
    Harvest,
    InboundRecord,
    Notice,
    OutboxItem,
    QuarantineItem,
    ReplyKey,
    Response,
    Round,
    Story,
)
from circle.ports import Store
from circle.retention import batch_due, closing, follows_round, loose_time, loose_year

ROUND_BOUND: tuple[type[Any], ...] = (Story, Response, Appreciation, OutboxItem, Notice,
                                     Harvest, ReplyKey)
LOOSE: tuple[type[Any], ...] = (OutboxItem, InboundRecord, Event, Notice, QuarantineItem)


def archive_closed(store: Store, now: datetime) -> int:
    """Close rounds whose time is over and archive them and old mail records; how many moved."""
    with store.transaction():
        hot_rounds = store.all(Round)
        closed = closing(hot_rounds, now)
        store.put_many([r for r in closed if r.state != _stored_state(hot_rounds, r.id)])
        years: dict[str, int] = {r.id: r.gathering.year for r in closed}
        hot_ids = {r.id for r in hot_rounds} - set(years)
        moves: dict[int, list[Any]] = defaultdict(list)
        for rnd in closed:
            moves[years[rnd.id]].append(rnd)
        for cls in ROUND_BOUND:
            for record in store.all(cls, bodies=False):
                year = _round_year(store, record, years, hot_ids)
                if year is not None and follows_round(record):
                    moves[year].append(record)
        moved_keys = {(type(r).TABLE, r.key) for batch in moves.values() for r in batch}
        for cls in LOOSE:
            due: list[tuple[int, Any]] = []
            for record in store.all(cls, bodies=False):
                tied: str = "" if cls is OutboxItem else getattr(record, "round_id", "")
                if tied or (cls.TABLE, record.key) in moved_keys:
                    continue
                year = loose_year(record, now)
                if year is not None:
                    due.append((year, record))
            oldest = min((loose_time(r) for _, r in due), default=None)
            if due and batch_due(oldest, now, due[0][1]):
                for year, record in due:
                    moves[year].append(record)
        return sum(store.move_to_archive(year, batch) for year, batch in sorted(moves.items()))


def _stored_state(rounds: list[Round], round_id: str) -> object:
    return next((r.state for r in rounds if r.id == round_id), None)


def _round_year(store: Store, record: Any, years: dict[str, int],
                hot_ids: set[str]) -> int | None:
    """The archive year of the round a record belongs to, if that round is closed."""
    round_id = getattr(record, "round_id", "")
    if not round_id or round_id in hot_ids:
        return None
    if round_id not in years:  # e.g. a late response to a round archived earlier
        rnd = store.get(Round, round_id)
        if rnd is None:
            return None
        years[round_id] = rnd.gathering.year
    return years[round_id]
