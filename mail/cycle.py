"""What the daemon does after every fetch, in one place: plan, keep the store small, send.

`circle run`, `circle send-due` and the TUI's own mail loop all call `after_fetch`; nothing
is hooked in behind the scenes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from circle.app.maintenance import archive_closed
from circle.app.rounds import plan_due_mail, plan_rounds
from circle.config import Config
from circle.ports import Clock, MailSink, Store
from mail.send import CircuitBreaker, Lock, ProgressFn, SendReport, send_due_now


@dataclass
class CycleReport:
    """What one after-fetch cycle did."""

    queued: int
    archived: int
    sent: SendReport


async def after_fetch(store: Store, sink: MailSink, clock: Clock, config: Config,  # noqa: PLR0917
                      secret: bytes, lock: Lock, templates: Mapping[str, str] | None = None,
                      progress: ProgressFn | None = None,
                      breaker: CircuitBreaker | None = None) -> CycleReport:
    """Plan coming rounds, queue what the schedule and the notices call for, archive closed
    rounds, send.

    Each step is its own transaction and idempotent, so a crash between them only delays
    the next step to the next cycle. With a `breaker` (the daemon's), a relay that does not
    answer is left alone for a growing pause (`mail.send.CircuitBreaker`).
    """
    plan_rounds(store, clock.now(), config)  # a new circle starts by itself
    queued = plan_due_mail(store, clock.now(), config, secret, templates)
    archived = archive_closed(store, clock.now())
    report = await send_due_now(store, sink, clock.now, sender=config.address, lock=lock,
                                progress=progress, breaker=breaker)
    return CycleReport(queued=len(queued), archived=archived, sent=report)
