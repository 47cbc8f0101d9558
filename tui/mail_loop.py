"""The mail loop inside the TUI: its own thread when no `circle run` holds the lock."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circle.errors import CircleError, LockedError
from circle.ports import MailSource
from tui.messages import MailLoopStatusChanged, RepliesIngested, StoreChanged, WorkFailed
from tui.workers import describe_error

if TYPE_CHECKING:
    from tui.app import CircleApp


FETCHING = "fetching here (IMAP, waiting for new mail)"


class MailLoop:
    """Runs `mail.loop.run_forever` in a dedicated thread, reporting through messages only."""

    def __init__(self, app: CircleApp, source: MailSource | None) -> None:
        self.app = app
        self.source = source
        self.stop_event = threading.Event()
        self.lock: Any = None
        self.thread: threading.Thread | None = None

    def _status(self, text: str) -> None:
        self.app.post_message(MailLoopStatusChanged(text))

    def start(self) -> None:
        """Take the mail-loop lock and run; if `circle run` has it, the app polls the store."""
        if self.source is None:
            self._status("not fetched here (no IMAP account configured); "
                         "new mail appears when `circle run` stores it")
            return
        data_dir = self.app.data_dir
        if data_dir is None:
            self._status("not fetched here (no data directory for the lock)")
            return
        from data.locks import mail_loop_lock

        source = self.source
        self.lock = mail_loop_lock(data_dir)
        try:
            self.lock.acquire()
        except LockedError:
            self.lock = None
            self._status("fetched by `circle run`; this screen refreshes when mail arrives")
            return
        if hasattr(self.source, "stop_event"):
            self.source.stop_event = self.stop_event
        self._status(FETCHING)
        # Its own long-lived thread, not a slot of the default executor that workers share:
        # it blocks in IMAP IDLE for minutes at a time.
        self.thread = threading.Thread(target=self._run, args=(source, data_dir),
                                       name="circle-mail-loop", daemon=True)
        self.thread.start()

    def _run(self, source: MailSource, data_dir: Path) -> None:
        from mail.loop import run_forever

        app = self.app

        def reported(report: Any) -> None:
            count = len(report.stories) + len(report.responses) + len(report.quarantined) \
                + len(report.commands) + len(report.appreciations)
            app.post_message(RepliesIngested(count, report.summary()))
            self._status(FETCHING)  # a fetch worked: any earlier trouble is over

        def failed(exc: CircleError) -> None:
            app.post_message(WorkFailed("Mail loop", describe_error(exc)))
            self._status(f"trouble: {exc} (retrying)")

        try:
            run_forever(source, app.store, app.store.archive, app.config, app.secret,
                        app.clock, self.stop_event, after_fetch=[lambda: self._send_due(data_dir)],
                        on_report=reported, on_error=failed,
                        idle_timeout=float(app.config.imap.poll_seconds))
        except Exception as exc:
            app.post_message(WorkFailed("Mail loop stopped", describe_error(exc)))
            self._status(f"stopped: {describe_error(exc)}")
        finally:
            self.lock.release()

    def _send_due(self, data_dir: Path) -> None:
        """After each fetch, the daemon's own step (mail.cycle): plan, archive, send."""
        import asyncio

        from data.locks import sending_lock
        from data.templates import load_templates
        from mail.cycle import after_fetch
        from mail.smtp import SmtpSink, smtp_password

        app = self.app

        async def cycle() -> int:
            smtp = app.config.smtp
            async with SmtpSink(smtp, password=smtp_password(smtp)) as sink:
                report = await after_fetch(app.store, sink, app.clock, app.config, app.secret,
                                           sending_lock(data_dir), load_templates(data_dir))
            return report.sent.sent

        asyncio.run(cycle())
        # the Today screen reads the last fetch and the last send from the store: reload it
        # after every cycle, so what it shows is never frozen at an old count
        app.post_message(StoreChanged())

    def stop(self, wait: float = 5.0) -> None:
        """Ask the loop to finish and wait (up to `wait` seconds) until it has.

        Its IDLE wait looks at the stop event every half second and then ends IDLE, so the
        IMAP connection is idle again before the caller logs out; logging out in the middle of
        IDLE made quitting the TUI hang until the socket timed out (about 30 s)."""
        self.stop_event.set()
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)
