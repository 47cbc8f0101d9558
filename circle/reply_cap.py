"""A cap on automatic replies per member per day, so forged mail cannot flood a member.

Receipts, command confirmations, confirmation requests, refusals, HELP and MY STORIES answers
are all automatic replies. Forged From addresses cost nothing, so without a cap five forged
stories mean five receipts in the real member's inbox. At most `[circle]
auto_replies_per_day` (default `AUTO_REPLY_CAP`) are made for one member per day (in the
circle's timezone); the rest are not sent and each one is recorded
as an Event (kind `auto_reply_capped`) so the steward sees it. A member who really needs more
than that in one day is rare, and the steward can answer by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

AUTO_REPLY_CAP = 3
"""The default of `[circle] auto_replies_per_day`: automatic replies to one member per day."""
CAPPED_EVENT = "auto_reply_capped"


def replies_on(day: date, tz: ZoneInfo, notices: Iterable[tuple[object, object]]) -> Counter[str]:
    """How many notices each member had on `day`, from (member_id, created_at) pairs.

    `created_at` may be a datetime or its stored ISO form; anything unreadable is skipped.
    """
    counts: Counter[str] = Counter()
    for member_id, created in notices:
        at = created
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                continue
        if isinstance(member_id, str) and isinstance(at, datetime) and (
                at.astimezone(tz).date() == day):
            counts[member_id] += 1
    return counts


def over_cap(already: int, cap: int = AUTO_REPLY_CAP) -> bool:
    """Whether one more automatic reply would exceed the cap."""
    return already >= cap


def capped_text(kind: str, member_name: str, cap: int = AUTO_REPLY_CAP) -> str:
    """The Event text for a suppressed reply."""
    return (f"a {kind.replace('_', ' ')} to {member_name} was not sent: they already had "
            f"{cap} automatic replies today (the daily cap; forged mail cannot flood them)")
