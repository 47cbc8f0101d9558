"""The steward's Textual app: wiring of screens, workers, bindings and the command palette."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding
from textual.notifications import Notification, Notify, SeverityLevel
from textual.worker import Worker, WorkerState, get_current_worker

from circle.app import Intent
from circle.config import Config
from circle.errors import CircleError
from circle.ports import Clock, MailSink, MailSource, Store
from tui import mail_loop, workers
from tui.bindings import SCREENS, bindings_for, check_keymap
from tui.messages import (
    DataLoaded,
    DigestProgress,
    DigestSent,
    HistoryLoaded,
    IntentApplied,
    IntentFailed,
    MailLoopStatusChanged,
    RepliesIngested,
    StoreChanged,
    WorkFailed,
)
from tui.screens.help import HelpScreen
from tui.screens.registry import SCREEN_CLASSES
from tui.snapshot import CircleData, History, load_history
from tui.widgets.palette import CircleCommands

LIGHT, DARK = "textual-light", "textual-dark"


class CircleApp(App[None]):
    """The steward's view of the circle; everything slow happens in workers."""

    CSS_PATH = "circle.tcss"
    TITLE = "Circle"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("app")]
    COMMANDS = App.COMMANDS | {CircleCommands}
    MODES: ClassVar[dict[str, Any]] = dict(SCREEN_CLASSES)

    def __init__(self, config: Config, store: Store, source: MailSource | None,
                 sink: MailSink | None, clock: Clock, *, secret: bytes = b"",
                 data_dir: Path | None = None, poll_seconds: float = 2.0) -> None:
        super().__init__()
        self.config, self.store, self.source, self.sink, self.clock = (
            config, store, source, sink, clock)
        self.secret = secret
        self.data_dir = data_dir or getattr(store, "data_dir", None)
        self.send_progress = (0, 0)
        self.data = CircleData()
        self.poll_seconds = poll_seconds
        self.writer = workers.StoreWriter(store, clock, self.post_message)
        self.generation = 0  # of the newest snapshot asked for; older loads are dropped
        self.history: History | None = None  # the archives, read once after the first screen
        self.mail_status = "not running here (no mail source configured)"
        self.sending = False
        self.load_seconds = 0.0
        # the one "New mail" notice, counting up while shown (on_replies_ingested)
        self._mail_notice: Notification | None = None
        self._mail_total, self._mail_since = 0, ""

    # -- wiring ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Theme, keymap, first screen, then read the store and start the background work."""
        self.theme = self.config.theme if self.config.theme in self.available_themes else DARK
        for problem in check_keymap(self.config.keys):
            self.notify(problem, title="Config", severity="warning")
        self.set_keymap(self.config.keys)
        self.switch_mode("today")
        self.writer.start()
        self.action_reload()
        self.set_interval(self.poll_seconds, self._poll, name="poll-store")
        self.mail_loop = mail_loop.MailLoop(self, self.source)
        self.mail_loop.start()

    async def on_unmount(self) -> None:
        """Stop the mail loop, let the writer finish, close the relay connection."""
        await asyncio.to_thread(self.mail_loop.stop)  # joins the loop's thread (≤ 5 s)
        self.writer.stop()
        close = getattr(self.sink, "close", None)
        if close is not None:
            await close()

    def now(self) -> datetime:
        """The injected clock's time."""
        return self.clock.now()

    def today(self) -> date:
        """Today in the circle's timezone."""
        return self.now().astimezone(self.config.tz).date()

    def _poll(self) -> None:
        if self.writer.idle():
            self.run_worker(lambda: workers.poll_store(self.store, self.post_message),
                            thread=True, group="poll", exclusive=True, exit_on_error=False)

    # -- state changes --------------------------------------------------------------------
    def act(self, intent: Intent, what: str, preview: Sequence[Any] = (), *,
            redraw: bool = True) -> None:
        """Apply an intent in the writer thread; show `preview` (what the rules predict) now.

        The writer's `IntentApplied` replaces the preview with the records as written; a
        refusal or failure reloads the snapshot, so the view never keeps a change that did
        not happen.
        """
        for record in preview:
            self.data.patch(record)
        self.writer.submit(intent, what)
        if redraw:
            self.refresh_screen()

    def refresh_screen(self) -> None:
        """Ask the visible Circle screen to redraw from the snapshot."""
        screen = self.screen
        refresh = getattr(screen, "refresh_data", None)
        # a screen being torn down (the app exiting, a mode switch) has lost its widgets
        if refresh is not None and screen.is_attached and not screen._closing:
            refresh()

    def on_data_loaded(self, message: DataLoaded) -> None:
        """A new snapshot replaces the old one (unless a newer one was asked for since)."""
        if message.generation != self.generation or not self.writer.idle():
            return  # a newer load is on its way (or follows the pending write)
        self.data, self.load_seconds = message.data, message.seconds
        if self.history is not None:
            self.data.add_history(self.history)
        self.refresh_screen()

    def want_history(self) -> None:
        """Read the archives once, in a worker (Threads and search ask; the first screen
        never waits for ten years of stories)."""
        if self.history is None and not self.workers_in("history"):
            self.run_worker(lambda: self.post_message(HistoryLoaded(load_history(self.store))),
                            thread=True, group="history", exclusive=True, name="history",
                            exit_on_error=False)

    def workers_in(self, group: str) -> bool:
        """Whether a worker of `group` is still running."""
        return any(w.group == group and not w.is_finished for w in self.workers)

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        """The archives arrived: closed rounds join Threads and search."""
        self.history = message.history
        self.data.add_history(message.history)
        self.refresh_screen()

    def on_intent_applied(self, message: IntentApplied) -> None:
        """The writer applied (or refused) an intent: show what is now true."""
        outcome = message.outcome
        if not outcome.ok:
            self.notify(outcome.refused, title=f"Cannot {message.what}", severity="warning",
                        timeout=8)
            self.action_reload()
            return
        for record in outcome.records:
            self.data.patch(record)
        for note in outcome.notes:
            self.notify(note, title="Changed since you looked", severity="warning", timeout=10)
        if outcome.message:
            self.notify(outcome.message, timeout=3)
        self.refresh_screen()
        if self.writer.idle():
            self.action_reload()

    def on_intent_failed(self, message: IntentFailed) -> None:
        """The write failed: say why and go back to what the store holds."""
        self.notify(message.detail, title=f"Could not {message.what}", severity="error",
                    timeout=10)
        self.action_reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's unexpected death becomes words, and its state is restored.

        Expected failures arrive as WorkFailed messages; this catches everything else.
        """
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error or RuntimeError("unknown error")
        if worker.group == "send":
            self.sending = False
            self.send_progress = (0, 0)
            self.action_reload()
        self.notify(workers.describe_error(error), title=f"{worker.name or worker.group} failed",
                    severity="error", timeout=15)
        self.refresh_screen()

    def on_store_changed(self, _message: StoreChanged) -> None:
        """Another process wrote: read again."""
        self.action_reload()


    def start_sending(self, prepare: Callable[[], list[Any]], kind: str) -> None:
        """Queue items (thread) then send the outbox (async worker); progress comes as messages."""
        if self.sink is None:
            self.notify("No mail relay is configured ([smtp] in the config).",
                        title="Cannot send", severity="warning")
            return
        if self.sending:
            self.notify("Already sending; wait for it to finish.", severity="warning")
            return
        self.sending, self.send_progress = True, (0, 0)
        self.run_worker(workers.send_due(
            prepare, store=self.store, sink=self.sink, now=self.now, sender=self.config.address,
            data_dir=self.data_dir, post=self.post_message, kind=kind), group="send",
            name="sending", exit_on_error=False)
        self.refresh_screen()

    def on_digest_progress(self, message: DigestProgress) -> None:
        """Move the progress bar."""
        self.send_progress = (message.done, message.total)
        show = getattr(self.screen, "show_progress", None)
        if show is not None:
            show()

    def on_digest_sent(self, message: DigestSent) -> None:
        """Sending finished: say so, read the outbox again."""
        self.sending = False
        if message.sent or message.failed:
            failed = f"; {message.failed} failed — see the outbox" if message.failed else ""
            self.notify(f"{message.sent} sent{failed}", title=f"{message.kind.capitalize()} sent",
                        severity="warning" if message.failed else "information")
        self.action_reload()

    def on_replies_ingested(self, message: RepliesIngested) -> None:
        """New mail arrived through the mail loop running here: one "New mail" notice that
        counts up while it is on screen, instead of a stack of toasts."""
        if not message.count:
            return
        shown = self._mail_notice
        if shown is not None and shown in self._notifications and not shown.has_expired:
            self._unnotify(shown, refresh=False)
            self._mail_total += message.count
        else:
            self._mail_total, self._mail_since = message.count, time.strftime("%H:%M")
        text = message.summary
        if self._mail_total > message.count:
            text = f"{self._mail_total} new since {self._mail_since} (latest: {text})"
        self._mail_notice = Notification(text, "New mail", "information",
                                         self.NOTIFICATION_TIMEOUT, markup=False)
        self.post_message(Notify(self._mail_notice))
        self.action_reload()

    def on_mail_loop_status_changed(self, message: MailLoopStatusChanged) -> None:
        """Keep the mail loop's status for the Today screen."""
        self.mail_status = message.text
        if getattr(self.screen, "MODE", "") == "today":
            self.refresh_screen()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications never interpret markup: they often carry member names and text."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place worker errors become notifications."""
        self.notify(message.detail, title=message.what, severity="error", timeout=10)

    def report(self, what: str, exc: BaseException) -> None:
        """Errors from handlers go the same way as worker errors."""
        self.on_work_failed(WorkFailed(what, workers.describe_error(exc)))

    # -- app actions ----------------------------------------------------------------------
    def action_reload(self) -> None:
        """Read the store again (thread worker)."""
        self.generation += 1
        generation = self.generation

        def load() -> None:
            if not get_current_worker().is_cancelled:
                workers.load_data(self.store, self.post_message, generation)
        self.run_worker(load, thread=True, group="load", exclusive=True, exit_on_error=False)

    def action_help(self) -> None:
        """Show what every key does on this screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.current_mode))

    def action_undo(self, area: str) -> None:
        """Take back the last decision still standing in `area` (the screen's own)."""
        from circle.app.intents import UndoDecision

        self.act(UndoDecision(area=area), "undo")

    def action_decisions(self) -> None:
        """The decision log (ctrl+z): recent decisions, each with undo."""
        from tui.screens.decisions import DecisionsScreen

        if not isinstance(self.screen, DecisionsScreen):
            self.push_screen(DecisionsScreen())

    def action_toggle_theme(self) -> None:
        """Light or dark."""
        self.theme = LIGHT if self.current_dark() else DARK

    def current_dark(self) -> bool:
        """Whether the current theme is dark."""
        return bool(self.current_theme.dark)


def make_app(config: Config, store: Store, source: MailSource | None,
             sink: MailSink | None, clock: Clock, *, secret: bytes = b"",
             data_dir: Path | None = None) -> CircleApp:
    """Build the app from its parts (the CLI and the tests use this).

    `source` (a MailSource or None) lets the app run the mail loop itself when no `circle run`
    holds the lock; `sink` (a MailSink or None) sends the digest and the outbox.
    """
    return CircleApp(config, store, source, sink, clock, secret=secret, data_dir=data_dir)


def run_app(ctx: Any) -> None:  # a cli.context.Context; tui never imports cli
    """Run the TUI for a loaded context with the real IMAP and SMTP adapters."""
    from mail.imap import ImapSource, resolve_password
    from mail.smtp import SmtpSink, smtp_password

    source = None
    if ctx.config.imap.username:
        try:
            source = ImapSource(ctx.config.imap, password=resolve_password(ctx.config.imap))
        except CircleError:
            source = None  # the Today screen says the mail loop is not running here
    sink = SmtpSink(ctx.config.smtp, password=smtp_password(ctx.config.smtp))
    try:
        make_app(ctx.config, ctx.store, source, sink, ctx.clock, secret=ctx.secret,
                 data_dir=ctx.data_dir).run()
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


__all__ = ["SCREENS", "CircleApp", "make_app", "run_app"]
