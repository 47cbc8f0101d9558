"""The headless daemon's steps, composed explicitly: fetch, then plan + archive + send.

`circle run` (loop or `--once`), `circle send-due` and the demo call these; the TUI's own
mail loop calls the same `mail.cycle.after_fetch` with its long-lived SMTP connection.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from circle.app.ingest import IngestReport
from cli.context import Context
from cli.terminal import to_journal
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


# ---------------------------------------------------------------- logging (journald-friendly)

# syslog priorities journald reads from a `<N>` line prefix (sd-daemon(3))
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
             logging.CRITICAL: 2}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """An event as one plain line: newlines folded to " | ", no control or ANSI characters."""
    parts = [_CONTROL.sub("", _ANSI.sub("", line)).strip() for line in text.splitlines()]
    return " | ".join(p for p in parts if p)


class EventFormatter(logging.Formatter):
    """One line per event. To journald: `<priority>name: message` (journald stamps the time);
    elsewhere (a file, a pipe, cron's mail, a terminal): `ISO-time LEVEL name: message`. Never
    colour; a traceback is folded into the same line."""

    def __init__(self, journal: bool) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line."""
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        body = f"{record.name}: {one_line(text)}"
        if self.journal:
            return f"<{_PRIORITY.get(record.levelno, 6)}>{body}"
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{when} {record.levelname} {body}"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of each event (never a stale stream)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        """The current stderr."""
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send the `circle` loggers (the daemon, the mail loop, ...) to `stream` (default: the
    current stderr), one line per event, with journald priorities when that is the journal.
    Idempotent; records still propagate (to nothing, outside tests)."""
    handler: logging.StreamHandler = (  # type: ignore[type-arg]
        logging.StreamHandler(stream) if stream is not None else _StderrHandler())
    root = logging.getLogger("circle")
    for old in [h for h in root.handlers if getattr(h, "circle_daemon", False)]:
        root.removeHandler(old)
    handler.setFormatter(EventFormatter(to_journal(stream or sys.stderr)))
    handler.circle_daemon = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler
