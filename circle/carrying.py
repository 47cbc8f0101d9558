"""Which round's digest carries a new post: the promise every receipt and confirmation makes.

A story, response or thanks belongs to the round it answers while that round's digest has not
gone out; after it went, the next round's digest carries it (a late story, a response to an
older story, thanks sent after the digest). Receipts and confirmations name that digest, and
`build_digest` shows what it carries, so what a member is told is what happens.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable

from circle.model import Round, RoundState


def digest_gone(rnd: Round) -> bool:
    """Whether the round's digest was queued or sent (nothing new can join it)."""
    return rnd.state in (RoundState.DIGEST_SENT, RoundState.CLOSED) or "digest" in rnd.fired


def carrying_round(rounds: Iterable[Round], rnd: Round | None) -> Round | None:
    """The round whose digest will carry a post filed under `rnd` now.

    `rnd` itself while its digest has not gone; else the first later round whose digest has
    not gone (None when no such round is planned yet).
    """
    if rnd is None or not digest_gone(rnd):
        return rnd
    later = sorted((r for r in rounds if r.gathering > rnd.gathering and not digest_gone(r)),
                   key=lambda r: r.gathering)
    return later[0] if later else None


def digest_month_of(round_id: str) -> str:
    """'December 2026' for round id '2026-12' ('' when the id is not a month)."""
    year, _, month = round_id.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return ""
    return f"{calendar.month_name[int(month)]} {year}"
