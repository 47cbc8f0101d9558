"""The outbox state machine: one item per recipient, explicit states, illegal moves refused.

    queued ──start──▶ sending ──sent──▶ sent
                        │ ├──temporary──▶ failed_temporary ──(backoff due)──▶ sending ...
                        │ └──permanent──▶ failed_permanent      (too many tries → permanent)
                        └──(found after a crash)──▶ uncertain   (waits for the steward)
    uncertain | failed_* ──resend (steward)──▶ queued;  anything not sent ──drop──▶ dropped
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from circle.config import SmtpSettings
from circle.errors import NotFoundError, TransitionError
from circle.model import OutboxItem, OutboxState
from circle.ports import JournalEntry

if TYPE_CHECKING:  # only a type here: importing circle.compose costs `circle status` 0.4 s
    from circle.compose.message import Composed

MAX_ATTEMPTS = 8
"""After this many temporary failures an item fails permanently (about a day of retries)."""
BACKOFF_FIRST = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=6)

_S = OutboxState
_MOVES: dict[OutboxState, frozenset[OutboxState]] = {
    _S.QUEUED: frozenset({_S.SENDING, _S.DROPPED}),
    _S.SENDING: frozenset({_S.SENT, _S.FAILED_TEMPORARY, _S.FAILED_PERMANENT, _S.UNCERTAIN,
                           _S.QUEUED}),
    _S.FAILED_TEMPORARY: frozenset({_S.SENDING, _S.QUEUED, _S.DROPPED, _S.FAILED_PERMANENT}),
    _S.FAILED_PERMANENT: frozenset({_S.QUEUED, _S.DROPPED}),
    _S.UNCERTAIN: frozenset({_S.QUEUED, _S.DROPPED, _S.SENT}),
    _S.SENT: frozenset(),
    _S.DROPPED: frozenset(),
}
_HINT = {_S.SENT: "it was already sent", _S.DROPPED: "the steward dropped it",
         _S.SENDING: "it is being sent right now"}


def item_id(kind: str, round_id: str, member_id: str, message_id: str) -> str:
    """A deterministic id: queueing the same message twice yields the same item."""
    digest = hashlib.sha256("\x1f".join((kind, round_id, member_id, message_id)).encode())
    return f"o-{digest.hexdigest()[:20]}"


def new_item(mail: Composed, now: datetime) -> OutboxItem:
    """A queued outbox item for one composed message."""
    return OutboxItem(id=item_id(mail.kind, mail.round_id, mail.member_id, mail.message_id),
                      message_id=mail.message_id, kind=mail.kind, recipient=mail.recipient,
                      raw=mail.raw.decode("ascii"), created_at=now, round_id=mail.round_id,
                      member_id=mail.member_id, history=[f"{_stamp(now)} queued"])


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _move(item: OutboxItem, target: OutboxState, now: datetime, note: str = "",
          **changes: object) -> OutboxItem:
    if target not in _MOVES[item.state]:
        hint = f" ({_HINT[item.state]})" if item.state in _HINT else ""
        raise TransitionError(f"outbox item {item.id} to {item.recipient} cannot go from "
                              f"{item.state} to {target}{hint}")
    line = f"{_stamp(now)} {target}" + (f": {note}" if note else "")
    return replace(item, state=target, history=[*item.history, line], **changes)  # type: ignore[arg-type]


def is_due(item: OutboxItem, now: datetime) -> bool:
    """Whether the sender should try this item now (queued, or a retry whose time has come)."""
    if item.state == _S.QUEUED:
        return True
    return (item.state == _S.FAILED_TEMPORARY
            and (item.next_attempt_at is None or item.next_attempt_at <= now))


def start(item: OutboxItem, now: datetime) -> OutboxItem:
    """The item is about to be handed to the relay (store this before sending)."""
    if item.state == _S.FAILED_TEMPORARY and not is_due(item, now):
        raise TransitionError(f"outbox item {item.id} waits until {item.next_attempt_at} "
                              "before its next try")
    return _move(item, _S.SENDING, now, attempts=item.attempts + 1, next_attempt_at=None)


def sent(item: OutboxItem, now: datetime, detail: str = "") -> OutboxItem:
    """The relay accepted the item."""
    return _move(item, _S.SENT, now, detail, sent_at=now, last_error="")


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th try failed temporarily (doubling, capped)."""
    delay: timedelta = BACKOFF_FIRST * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_MAX)


def failed(item: OutboxItem, now: datetime, detail: str, *, permanent: bool) -> OutboxItem:
    """The relay refused the item: permanently (5xx), or for now (4xx, lost connection)."""
    if permanent:
        return _move(item, _S.FAILED_PERMANENT, now, detail, last_error=detail)
    if item.attempts >= MAX_ATTEMPTS:
        why = f"gave up after {item.attempts} tries: {detail}"
        return _move(item, _S.FAILED_PERMANENT, now, why, last_error=why)
    return _move(item, _S.FAILED_TEMPORARY, now, detail, last_error=detail,
                 next_attempt_at=now + backoff(item.attempts))


def interrupted(item: OutboxItem, now: datetime) -> OutboxItem:
    """An item found `sending` after a crash: it may or may not have left; the steward decides."""
    return _move(item, _S.UNCERTAIN, now, "found sending after an interruption; it may have "
                 "been delivered — resend or drop it", last_error="interrupted while sending")


def resend(item: OutboxItem, now: datetime) -> OutboxItem:
    """The steward asks to send an uncertain or failed item again."""
    if item.state == _S.QUEUED:
        raise TransitionError(f"outbox item {item.id} is already queued")
    return _move(item, _S.QUEUED, now, "the steward asked to send it again",
                 next_attempt_at=None, attempts=0)


def drop(item: OutboxItem, now: datetime) -> OutboxItem:
    """The steward drops an item that has not been sent (kept, never sent)."""
    return _move(item, _S.DROPPED, now, "dropped by the steward")


def mark_delivered(item: OutboxItem, now: datetime) -> OutboxItem:
    """The steward confirms an uncertain item did arrive (so it never goes again)."""
    return _move(item, _S.SENT, now, "confirmed delivered by the steward", sent_at=now)


def recover(items: list[OutboxItem], now: datetime) -> list[OutboxItem]:
    """Every item left `sending` by an interrupted run, now `uncertain` (call once, under the
    sending lock, before sending: no other sender can be in flight then)."""
    return [interrupted(i, now) for i in items if i.state == _S.SENDING]


def not_started(item: OutboxItem, now: datetime,
                note: str = "its turn never came before an interruption") -> OutboxItem:
    """An item marked `sending` whose turn never came (the journal has no `start` for it, or
    the sender could not connect): it never reached the relay, so it is simply queued again
    (its attempt not counted)."""
    return _move(item, _S.QUEUED, now, note, attempts=max(item.attempts - 1, 0))


def replay(items: list[OutboxItem], entries: list[JournalEntry],
           now: datetime) -> list[OutboxItem]:
    """Fold the send journal into the items left `sending` (under the sending lock).

    The relay's last recorded answer wins (`sent`, `failed`); a `start` without an answer is
    the only case that may or may not have arrived (`uncertain`, at most one per connection);
    an item never started goes back to `queued`, and so does one journalled `queued` (the
    sender could not connect or log in, so it never reached the relay).
    """
    last = {entry.item_id: entry for entry in entries}  # the latest word on each item
    out = []
    for item in items:
        if item.state != _S.SENDING:
            continue
        entry = last.get(item.id)
        if entry is None or entry.event == "queued":
            out.append(not_started(item, now))
        elif entry.event == "sent":
            out.append(sent(item, now, entry.detail))
        elif entry.event == "failed":
            out.append(failed(item, now, entry.detail or "refused", permanent=entry.permanent))
        else:
            out.append(interrupted(item, now))
    return out


def enqueue(existing: dict[str, OutboxItem], mails: list[Composed],
            now: datetime) -> list[OutboxItem]:
    """New items for `mails`, skipping any already in the outbox (same id): idempotent."""
    out: list[OutboxItem] = []
    seen = set(existing)
    for mail in mails:
        item = new_item(mail, now)
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def find_item(items: list[OutboxItem], ref: str) -> OutboxItem:
    """The item whose id (or a unique prefix of it, or its Message-ID) is `ref`."""
    ref = ref.strip()
    exact = [i for i in items if ref in (i.id, i.message_id)]
    found = exact or [i for i in items if i.id.startswith(ref)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f"no outbox item {ref!r} — `circle outbox list` shows their ids")
    raise NotFoundError(f"{ref!r} matches {len(found)} outbox items; give more of the id")


CIRCLE_MAIL = frozenset({"digest", "question", "reminder", "invitation", "harvest", "year_digest"})
"""Kinds sent to members as members: not sent to someone who stopped or paused since."""


def drop_unwanted(items: list[OutboxItem], now: datetime) -> list[OutboxItem]:
    """Circle mail whose recipient no longer receives mail (STOP, PAUSE), dropped with why.

    Confirmations and receipts are not in CIRCLE_MAIL: the STOP confirmation still goes.
    """
    return [_move(i, _S.DROPPED, now, "not sent: the member stopped or paused their mail "
                  "after it was queued") for i in items if i.kind in CIRCLE_MAIL]


# ---------------------------------------------------------------- provider quotas
DAY = timedelta(days=1)
PERSONAL_RESERVE_PERCENT = 10
"""Of `[smtp] max_per_day`, this share is kept for receipts and confirmations: circle mail
(the digest above all) may use the rest, so a STOP sent after a large digest is still
confirmed the same day."""


RANKS = {"digest": 2, **{kind: 1 for kind in CIRCLE_MAIL if kind != "digest"}}


def send_rank(item: OutboxItem) -> int:
    """Send order under a quota: receipts, confirmations and notices (0), then invitations,
    questions and reminders (1), then the digest (2)."""
    return RANKS.get(item.kind, 0)


def _limit(kind: str, max_per_day: int) -> int:
    reserve = max_per_day * PERSONAL_RESERVE_PERCENT // 100
    return max_per_day - reserve if kind in CIRCLE_MAIL else max_per_day


def quota_order(items: Iterable[OutboxItem]) -> list[OutboxItem]:
    """Items in the order a quota serves them (rank, then oldest first)."""
    return sorted(items, key=lambda i: (send_rank(i), i.created_at, i.id))


def within_quota(due: Iterable[OutboxItem], sent_times: Iterable[datetime], now: datetime,
                 max_per_day: int) -> list[OutboxItem]:
    """The due items this pass may send under `max_per_day` (0 = no quota), in send order.

    The quota is a rolling 24 hours: `sent_times` are when the relay accepted earlier items.
    Circle mail may use the quota up to the personal reserve; the rest waits, queued.
    """
    ordered = quota_order(due)
    if max_per_day <= 0:
        return ordered
    used = sum(1 for t in sent_times if now - DAY < t <= now)
    out: list[OutboxItem] = []
    for item in ordered:
        if used + len(out) < _limit(item.kind, max_per_day):
            out.append(item)
    return out


def expected_finish(waiting: Iterable[OutboxItem], sent_times: Iterable[datetime],
                    now: datetime, *, max_per_day: int, per_minute: int,
                    adding: tuple[str, int] = ("", 0)) -> datetime | None:
    """When the last of `waiting` (plus `adding`: that many new items of that kind, e.g.
    ("digest", 200) before the steward sends it) should have gone, at `per_minute` (0 = no
    pacing) and `max_per_day` (0 = none), starting `now` (None if nothing waits).

    A lower bound: it assumes the relay answers at once and the sender runs whenever a
    quota slot frees (as `circle run` does); failures and retries come on top.
    """
    kinds = [i.kind for i in quota_order(waiting)]
    extra_kind, extra = adding
    if extra > 0:
        kinds = sorted([*kinds, *[extra_kind] * extra], key=lambda k: RANKS.get(k, 0))
    if not kinds:
        return None
    gap = timedelta(seconds=60 / per_minute) if per_minute > 0 else timedelta(0)
    window: deque[datetime] = deque(sorted(t for t in sent_times if now - DAY < t <= now))
    at = now - gap
    for kind in kinds:
        at = max(at + gap, now)
        if max_per_day > 0:
            limit = _limit(kind, max_per_day)
            while window and window[0] <= at - DAY:
                window.popleft()
            if len(window) >= limit:
                at = max(at, window[len(window) - limit] + DAY)
                while window and window[0] <= at - DAY:
                    window.popleft()
        window.append(at)
    return at


def finish_adding(items: Iterable[OutboxItem], now: datetime, smtp: SmtpSettings, kind: str,
                  count: int) -> datetime | None:
    """When the last of `count` new `kind` items (a digest about to be sent) should go, after
    what already waits in `items` (the outbox as loaded, sent items included), at the relay's
    `[smtp] per_minute` and `max_per_day` (the TUI's send dialog)."""
    listed = list(items)
    waiting = [i for i in listed if i.state in (_S.QUEUED, _S.FAILED_TEMPORARY)]
    return expected_finish(waiting, [i.sent_at for i in listed if i.sent_at], now,
                           max_per_day=smtp.max_per_day, per_minute=smtp.per_minute,
                           adding=(kind, count))
