"""Send the outbox through a mail sink: durable `sending` first, never twice, progress reported."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from circle.errors import LockedError, MailError
from circle.model import DeliveryProblem, Member, OutboxItem, OutboxState
from circle.outbox import CIRCLE_MAIL, drop_unwanted, failed, is_due, recover, sent, start
from circle.ports import MailSink, SendResult, Store
from circle.tokens import return_path
from circle.transitions import receives_mail


class Lock(Protocol):
    """A non-blocking process lock (data.locks.ProcessLock): LockedError if held elsewhere."""

    def acquire(self) -> None:
        """Take the lock now or raise LockedError."""
        ...

    def release(self) -> None:
        """Give it back."""
        ...


ProgressFn = Callable[[int, int, OutboxItem], None]
"""Called after each item: (items done, items in this run, the item in its new state)."""
Now = datetime | Callable[[], datetime]


@dataclass
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    failed_temporary: int = 0
    failed_permanent: int = 0
    uncertain: int = 0  # items found `sending` from an interrupted run, now waiting for the steward
    dropped: int = 0  # circle mail to members who stopped or paused after it was queued
    busy: bool = False  # another process held the sending lock; it sends these
    problems: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """Items handed to the relay in this run."""
        return self.sent + self.failed_temporary + self.failed_permanent


async def send_due_now(store: Store, sink: MailSink, now: Now, *, sender: str, lock: Lock,
                       progress: ProgressFn | None = None) -> SendReport:
    """The one sending path (CLI, daemon, TUI): take the sending lock, send, release.

    If another Circle process holds the lock, returns at once with `busy` set: that
    process's run sends these items too.
    """
    try:
        lock.acquire()
    except LockedError:
        return SendReport(busy=True, problems=["another Circle process is sending right now; "
                                               "it will send these too"])
    try:
        return await send_outbox(store, sink, now, sender=sender, progress=progress)
    finally:
        lock.release()


def _time(now: Now) -> datetime:
    return now() if callable(now) else now


def _order(item: OutboxItem) -> tuple[datetime, str]:
    return item.created_at, item.id


async def send_outbox(store: Store, sink: MailSink, now: Now, *, sender: str,
                      progress: ProgressFn | None = None, batch_size: int = 100,
                      limit: int | None = None) -> SendReport:
    """Send every due outbox item (queued, or a temporary failure whose retry time has come).

    Call it holding the sending lock (one sender per circle). First, any item still `sending`
    is from an interrupted run and becomes `uncertain` (never resent without the steward). Then
    in batches: the batch is marked `sending` in a durable write before it is handed to the
    sink; its outcomes (`sent`, `failed_temporary` with backoff, `failed_permanent` with a
    DeliveryProblem on the member) are written together with the next batch's `sending` marks,
    one write per batch. A crash at any point loses no item and never sends one twice: at worst
    the batch in flight waits, `uncertain`, for the steward. Each message goes out with a
    VERP envelope sender (`circle+b-<token>@…`, `circle.tokens.return_path`) so a bounce can
    be tied to the mail it returns.
    """
    report = SendReport()
    with store.transaction():
        stuck = recover(store.all(OutboxItem, bodies=False), _time(now))
        store.put_many(stuck)
    report.uncertain = len(stuck)
    due = sorted((i for i in store.all(OutboxItem, bodies=False) if is_due(i, _time(now))),
                 key=_order)
    if limit is not None:
        due = due[:limit]
    size = max(1, batch_size)
    slices = [due[k:k + size] for k in range(0, len(due), size)]
    done, total = 0, len(due)
    with store.transaction():
        batch = _start(store, slices.pop(0) if slices else [], _time(now), report)
        store.put_many(batch)
    while batch:
        results = await asyncio.gather(
            *(sink.send(return_path(sender, i.message_id), i.recipient, i.raw.encode("ascii"))
              for i in batch),
            return_exceptions=True)
        with store.transaction():
            at = _time(now)
            finished, fatal = _outcomes(store, batch, results, at, report)
            following = (_start(store, slices.pop(0), at, report)
                         if slices and fatal is None else [])
            store.put_many([*finished, *following])
        for item in finished:
            if isinstance(item, OutboxItem):
                done += 1
                if progress is not None:
                    progress(done, total, item)
        if fatal is not None:
            raise fatal
        batch = following
    return report


def _start(store: Store, candidates: list[OutboxItem], at: datetime,
           report: SendReport) -> list[OutboxItem]:
    """The candidates still due, re-read now, marked `sending` (written by the caller).

    The member's choice wins over a queue made earlier: circle mail (digest, question,
    reminder, invitation) to a member who has since sent STOP or PAUSE is dropped, with the
    reason in its history, instead of sent.
    """
    fresh = [store.get(OutboxItem, i.id, archived=False) for i in candidates]
    due = [i for i in fresh if i is not None and is_due(i, at)]
    members = {i.member_id: store.get(Member, i.member_id) for i in due if i.member_id}
    out: list[OutboxItem] = []
    unwanted: list[OutboxItem] = []
    for item in due:
        member = members.get(item.member_id)
        if (member is not None and item.kind in CIRCLE_MAIL
                and not receives_mail(member, at.date())):
            unwanted.append(item)
        else:
            out.append(start(item, at))
    dropped = drop_unwanted(unwanted, at)
    report.dropped += len(dropped)
    store.put_many(dropped)
    return out


def _outcomes(store: Store, batch: list[OutboxItem], results: list[SendResult | BaseException],
              at: datetime, report: SendReport) -> tuple[list[object], MailError | None]:
    """Each item's new state (+ members with a new DeliveryProblem); a MailError (e.g. login
    refused) that must stop the run."""
    fatal: MailError | None = None
    records: list[object] = []
    members: dict[str, Member] = {}
    for item, result in zip(batch, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, MailError):
                fatal = fatal or result
            elif not isinstance(result, Exception):
                raise result
            result = SendResult(ok=False, detail=f"{type(result).__name__}: {result}")
        if result.ok:
            records.append(sent(item, at, result.detail))
            report.sent += 1
            continue
        moved = failed(item, at, result.detail or "refused", permanent=result.permanent)
        records.append(moved)
        if moved.state == OutboxState.FAILED_PERMANENT:
            report.failed_permanent += 1
            report.problems.append(f"{item.recipient}: {moved.last_error}")
            member = members.get(item.member_id) or store.get(Member, item.member_id)
            if member is not None:
                problem = DeliveryProblem(at=at, address=item.recipient, permanent=True,
                                          detail=moved.last_error)
                members[member.id] = replace(
                    member, delivery_problems=[*member.delivery_problems, problem])
        else:
            report.failed_temporary += 1
    return [*records, *members.values()], fatal
