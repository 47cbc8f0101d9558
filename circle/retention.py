"""When a round closes and where each record rests: the rules that keep the hot store small.

Pure: given the hot records and `now`, say which move into which year's archive. The
application layer (circle.app.maintenance) does the moving.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from circle.model import (
    Event,
    InboundRecord,
    Notice,
    OutboxItem,
    OutboxState,
    QuarantineItem,
    QuarantineState,
    Round,
    RoundState,
)

CLOSE_AFTER = timedelta(days=28)
"""A round closes four weeks after its gathering: by then the next round is under way."""
KEEP_HOT = timedelta(days=35)
"""Mail records not tied to an open round stay hot this long (dedupe, the steward's view)."""
KEEP_SENT = timedelta(days=2)
"""A finished outbox item (sent, dropped, failed for good) stays hot this long: the hot file
holds the unsent outbox, not the history of every email ever sent."""
BATCH = timedelta(days=1)
"""Loose records move in daily batches, so the archive files are rewritten about once a day,
not after every fetch."""
FINISHED = frozenset({OutboxState.SENT, OutboxState.DROPPED, OutboxState.FAILED_PERMANENT})


def closing(rounds: Iterable[Round], now: datetime) -> list[Round]:
    """Rounds whose time is over, now `closed` (those already closed included, unchanged)."""
    out = []
    for rnd in rounds:
        if rnd.gathering + CLOSE_AFTER <= now:
            out.append(rnd if rnd.state == RoundState.CLOSED
                       else replace(rnd, state=RoundState.CLOSED))
    return out


def loose_year(record: Any, now: datetime) -> int | None:
    """The archive year of a record not tied to a round, or None while it must stay hot."""
    cutoff = now - KEEP_HOT
    if isinstance(record, OutboxItem):
        done = (record.state in FINISHED
                and (record.sent_at or record.created_at) < now - KEEP_SENT)
        return record.created_at.year if done else None
    if isinstance(record, InboundRecord):
        return record.received_at.year if record.received_at < cutoff else None
    if isinstance(record, Event):
        return record.at.year if record.at < cutoff else None
    if isinstance(record, Notice):
        return record.created_at.year if record.handled and record.created_at < cutoff else None
    if isinstance(record, QuarantineItem):
        resolved = record.state != QuarantineState.OPEN
        return record.received_at.year if resolved and record.received_at < cutoff else None
    return None


def loose_time(record: Any) -> datetime:
    """The moment a loose record's time in the hot file is counted from."""
    if isinstance(record, OutboxItem):
        return record.sent_at or record.created_at
    if isinstance(record, InboundRecord | QuarantineItem):
        return record.received_at
    if isinstance(record, Event):
        return record.at
    return record.created_at  # type: ignore[no-any-return]


def follows_round(record: Any) -> bool:
    """Whether a record of a closed round moves with it once it is finished."""
    if isinstance(record, OutboxItem):
        return record.state in FINISHED
    if isinstance(record, Notice):
        return record.handled
    return True


def batch_due(oldest_due: datetime | None, now: datetime, record: Any) -> bool:
    """Whether the loose records are worth a move now: the oldest one waited a day more."""
    if oldest_due is None:
        return False
    keep = KEEP_SENT if isinstance(record, OutboxItem) else KEEP_HOT
    return oldest_due < now - keep - BATCH
