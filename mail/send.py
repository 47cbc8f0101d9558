"""Send the outbox through a mail sink: durable `sending` first, never twice, progress reported."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from circle.errors import LockedError, MailError, MailUnreachable
from circle.model import DeliveryProblem, Event, Member, OutboxItem, OutboxState
from circle.outbox import (
    CIRCLE_MAIL,
    drop_unwanted,
    failed,
    is_due,
    not_started,
    recover,
    replay,
    sent,
    start,
    within_quota,
)
from circle.ports import JournalEntry, MailSink, SendJournal, SendResult, Store
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
    deferred: int = 0  # due items left queued for a later pass by [smtp] max_per_day
    problems: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """Items handed to the relay in this run."""
        return self.sent + self.failed_temporary + self.failed_permanent


class CircuitBreaker:
    """Stops trying a relay that does not answer, for a growing pause (in one process).

    `circle run` keeps one per circle: after a MailUnreachable the sender skips its passes
    for `first`, doubling up to `longest`, while fetching goes on; one pass that reaches the
    relay closes it again. A cron job starts fresh each time: its schedule is the pause.
    """

    def __init__(self, first: timedelta = timedelta(minutes=1),
                 longest: timedelta = timedelta(minutes=30)) -> None:
        self.first, self.longest = first, longest
        self.pause = timedelta(0)
        self.until: datetime | None = None
        self.error: MailUnreachable | None = None

    def allows(self, at: datetime) -> bool:
        """Whether a send pass may try the relay at `at`."""
        return self.until is None or at >= self.until

    def opened(self, at: datetime, error: MailUnreachable) -> datetime:
        """The relay did not answer at `at`: pause (longer each time); until when."""
        self.pause = min(self.pause * 2, self.longest) if self.pause else self.first
        self.until, self.error = at + self.pause, error
        return self.until

    def closed(self) -> None:
        """The relay answered: back to normal."""
        self.pause, self.until, self.error = timedelta(0), None, None


async def send_due_now(store: Store, sink: MailSink, now: Now, *, sender: str, lock: Lock,
                       progress: ProgressFn | None = None,
                       journal: SendJournal | None = None,
                       breaker: CircuitBreaker | None = None) -> SendReport:
    """The one sending path (CLI, daemon, TUI): take the sending lock, send, release.

    The send journal is `journal`, else the lock's own (`data.locks.sending_lock` carries the
    circle's). If another Circle process holds the lock, returns at once with `busy` set:
    that process's run sends these items too. With a `breaker`, a MailUnreachable opens it
    and is raised; a pass while it is open tries nothing and raises the same error again
    (the same words, so a caller that logs each distinct error once stays quiet).
    """
    if breaker is not None and not breaker.allows(_time(now)):
        raise MailUnreachable(str(breaker.error or "the SMTP server did not answer"))
    try:
        lock.acquire()
    except LockedError:
        return SendReport(busy=True, problems=["another Circle process is sending right now; "
                                               "it will send these too"])
    try:
        found = journal or getattr(lock, "journal", None)
        report = await send_outbox(store, sink, now, sender=sender, progress=progress,
                                   journal=found if isinstance(found, SendJournal) else None)
    except MailUnreachable as exc:
        if breaker is not None:
            breaker.opened(_time(now), exc)
        raise
    else:
        if breaker is not None and report.attempted:
            breaker.closed()
        return report
    finally:
        lock.release()


def _time(now: Now) -> datetime:
    return now() if callable(now) else now


def _order(item: OutboxItem) -> tuple[datetime, str]:
    return item.created_at, item.id


def _recover(store: Store, journal: SendJournal | None, at: datetime) -> int:
    """Fold what an interrupted run left (journal, `sending` marks) into the store; how many
    items end `uncertain`."""
    with store.transaction():
        left = store.all(OutboxItem, bodies=False)
        moved = recover(left, at) if journal is None else replay(left, journal.entries(), at)
        store.put_many(moved)
    if journal is not None:
        journal.clear()
    return sum(1 for i in moved if i.state == OutboxState.UNCERTAIN)


async def send_outbox(store: Store, sink: MailSink, now: Now, *, sender: str,
                      progress: ProgressFn | None = None, batch_size: int | None = None,
                      limit: int | None = None, journal: SendJournal | None = None,
                      connections: int | None = None,
                      max_per_day: int | None = None) -> SendReport:
    """Send every due outbox item (queued, or a temporary failure whose retry time has come).

    Call it holding the sending lock (one sender per circle). In batches: the batch is
    marked `sending` in one durable store write; then at most `connections` messages are in
    flight (default: the sink's `settings.connections`, else 1), and with a `journal` each
    message's `start` is journalled (fsynced) before it goes to the relay and the relay's
    answer together with the next message's `start`, so the answer is durable before the next
    message on that connection starts (so batches can be large: `JOURNALLED_BATCH`, else 100
    items). The batch's outcomes are written with the next batch's
    `sending` marks (one store write per batch) and the journal is cleared.

    After a crash (this function's first step): the journal's answers are applied, an item
    started but unanswered is `uncertain` (at most one per connection), an item whose turn
    never came is `queued` again. Without a journal every item left `sending` is `uncertain`.
    Each message goes out with a VERP envelope sender (`circle.tokens.return_path`).

    Provider quota (`max_per_day`, default the sink's `settings.max_per_day`, 0 = none): the
    pass takes only what the rolling 24 hours allow, receipts and confirmations first, the
    digest last (`circle.outbox.within_quota`); the rest stays queued (`deferred`).
    If the sink cannot connect or log in (a MailError from `send`: MailUnreachable or
    MailConfigError), the pass stops at once: nothing was handed over, so every item of the
    batch goes back to `queued`, untouched, and the error is raised once.
    """
    report = SendReport()
    report.uncertain = _recover(store, journal, _time(now))
    settings = getattr(sink, "settings", None)
    width = connections or getattr(settings, "connections", 1) or 1
    quota = max_per_day if max_per_day is not None else getattr(settings, "max_per_day", 0)
    items = store.all(OutboxItem, bodies=False)
    due = [i for i in items if is_due(i, _time(now))]
    if quota:
        allowed = within_quota(due, (i.sent_at for i in items if i.sent_at), _time(now),
                               int(quota))
        report.deferred = len(due) - len(allowed)
        due = allowed  # in quota order: receipts and confirmations first
    else:
        due.sort(key=_order)
    if limit is not None:
        due = due[:limit]
    size = max(1, batch_size or (JOURNALLED_BATCH if journal is not None else 100))
    slices = [due[k:k + size] for k in range(0, len(due), size)]
    done, total = 0, len(due)
    with store.transaction():
        batch = _start(store, slices.pop(0) if slices else [], _time(now), report)
        store.put_many(batch)
    while batch:
        results = await _hand_over(sink, sender, batch, journal, max(1, width))
        with store.transaction():
            at = _time(now)
            finished, fatal = _outcomes(store, batch, results, at, report)
            following = (_start(store, slices.pop(0), at, report)
                         if slices and fatal is None else [])
            store.put_many([*finished, *following])
        if journal is not None:
            journal.clear()
        for item in finished:
            if isinstance(item, OutboxItem):
                done += 1
                if progress is not None:
                    progress(done, total, item)
        if fatal is not None:
            raise fatal
        batch = following
    return report


_Result = SendResult | BaseException | None
JOURNALLED_BATCH = 1000
"""Items per store write when a journal keeps each answer: the batch size no longer bounds
what a crash leaves uncertain (items never started go back to `queued`)."""


async def _hand_over(sink: MailSink, sender: str, batch: list[OutboxItem],
                     journal: SendJournal | None, width: int) -> list[_Result]:
    """Send the batch over `width` workers (one per connection); each item's result, None
    for items never started (a fatal error such as a refused login stopped the run)."""
    results: dict[str, _Result] = {}
    queue = list(reversed(batch))
    stop: list[MailError] = []

    async def worker() -> None:
        answer: list[JournalEntry] = []
        while queue and not stop:
            item = queue.pop()
            if journal is not None:
                journal.append([*answer, JournalEntry(item.id, "start")])
            answer = []
            try:
                result: SendResult | BaseException = await sink.send(
                    return_path(sender, item.message_id), item.recipient,
                    item.raw.encode("ascii"))
            except MailError as exc:  # could not connect or log in: never handed over
                stop.append(exc)
                results[item.id] = exc
                if journal is not None:
                    journal.append([JournalEntry(item.id, "queued", str(exc))])
                return
            except Exception as exc:
                result = exc
            results[item.id] = result
            if isinstance(result, SendResult):
                answer = [JournalEntry(item.id, "sent" if result.ok else "failed",
                                       result.detail, result.permanent)]
        if journal is not None and answer:
            journal.append(answer)

    await asyncio.gather(*(worker() for _ in range(min(width, len(batch)))))
    return [results.get(i.id) for i in batch]


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


_SMTP_CODE = re.compile(r"\b([45]\d\d)(?:[ -]+([45]\.\d{1,3}\.\d{1,3}))?")


def relay_wide(results: Sequence[object]) -> str | None:
    """The refusal, if the relay refused a whole batch (two or more, none accepted) with the
    same permanent code: a circle-level problem (spam policy, quota, account), not the members'.

    Codes about one mailbox (RFC 3463: 5.1.x bad address, 5.2.x mailbox status) stay the
    members' own, however many share them; without an enhanced code three alike are needed.
    """
    refused = [r for r in results if isinstance(r, SendResult) and not r.ok and r.permanent]
    if len(refused) < 2 or any(isinstance(r, SendResult) and r.ok for r in results):
        return None
    codes: set[str] = set()
    enhanced = ""
    for r in refused:
        found = _SMTP_CODE.search(r.detail)
        codes.add(found.group(0) if found else r.detail.strip()[:40])
        enhanced = (found.group(2) or "") if found else ""
    if len(codes) != 1 or enhanced.startswith(("5.1.", "5.2.")):
        return None
    if not enhanced and len(refused) < 3:
        return None
    return refused[0].detail


def _outcomes(store: Store, batch: list[OutboxItem], results: list[_Result],
              at: datetime, report: SendReport) -> tuple[list[object], MailError | None]:
    """Each item's new state (+ members with a new DeliveryProblem); a MailError (e.g. login
    refused) that must stop the run. An item never started goes back to `queued`."""
    fatal: MailError | None = None
    records: list[object] = []
    members: dict[str, Member] = {}
    relay = relay_wide(results)
    if relay is not None:
        fatal = MailError(f"the mail relay refused the whole batch the same way ({relay}): that "
                          "is a problem of the circle's account or of the message, not of the "
                          "members — nobody's delivery was marked as failing. Fix it with the "
                          "relay, then send again (the items wait, queued for a retry)")
        report.problems.append(str(fatal))
        records.append(Event(id=f"e-relay-{at:%Y%m%dT%H%M%S}", at=at, kind="relay_refused",
                             text=f"the relay refused {len(batch)} emails alike: {relay}"))
    for item, result in zip(batch, results, strict=True):
        if result is None:
            records.append(not_started(item, at))
            continue
        if isinstance(result, MailError):  # raised before the relay saw it: untouched
            fatal = fatal or result
            records.append(not_started(item, at, "not sent: the sender could not connect or "
                                       "log in; queued for a later try"))
            continue
        if relay is not None and isinstance(result, SendResult) and not result.ok:
            records.append(failed(item, at, f"relay-wide refusal: {result.detail}",
                                  permanent=False))
            report.failed_temporary += 1
            continue
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
