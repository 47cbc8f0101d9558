"""The headless daemon's steps, composed explicitly: fetch, then plan + archive + send.

`circle run` (loop or `--once`), `circle send-due` and the demo call these; the TUI's own
mail loop calls the same `mail.cycle.after_fetch` with its long-lived SMTP connection.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from circle.app.ingest import IngestReport
from cli.context import Context
from data.locks import sending_lock
from data.templates import load_templates
from mail.cycle import CycleReport, after_fetch
from mail.imap import ImapSource
from mail.loop import fetch_once
from mail.send import CircuitBreaker, ProgressFn, SendReport, send_due_now
from mail.smtp import SmtpSink, smtp_password


def fetch_pass(ctx: Context, source: ImapSource) -> IngestReport:
    """One fetch pass for this circle with its store and archive."""
    return fetch_once(source, ctx.store, ctx.store.archive, ctx.config, ctx.secret,
                      ctx.clock.now())


_BREAKERS: dict[Path, CircuitBreaker] = {}


def breaker_for(data_dir: Path) -> CircuitBreaker:
    """This process's circuit breaker for the circle's relay (kept across `circle run` passes)."""
    return _BREAKERS.setdefault(Path(data_dir).resolve(), CircuitBreaker())


async def cycle(ctx: Context, progress: ProgressFn | None = None) -> CycleReport:
    """After a fetch: queue what is due, archive closed rounds, send the outbox over SMTP.

    A relay that does not answer within the connect timeout stops the pass at once (items
    stay queued) and is left alone by later passes of this process for a growing pause.
    """
    async with SmtpSink(ctx.config.smtp, password=smtp_password(ctx.config.smtp)) as sink:
        return await after_fetch(ctx.store, sink, ctx.clock, ctx.config, ctx.secret,
                                 sending_lock(ctx.data_dir), load_templates(ctx.data_dir),
                                 progress, breaker=breaker_for(ctx.data_dir))


async def send_outbox_now(ctx: Context, progress: ProgressFn | None = None) -> SendReport:
    """Send every due outbox item over SMTP, holding the circle's sending lock."""
    async with SmtpSink(ctx.config.smtp, password=smtp_password(ctx.config.smtp)) as sink:
        return await send_due_now(ctx.store, sink, ctx.clock.now, sender=ctx.config.address,
                                  lock=sending_lock(ctx.data_dir), progress=progress)


def cycle_now(ctx: Context) -> CycleReport:
    """`cycle` from synchronous code (the mail loop's after-fetch step)."""
    return asyncio.run(cycle(ctx))
