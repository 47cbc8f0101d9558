"""The steward's Textual app: wiring of screens, workers, bindings and the command palette."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding
from textual.worker import get_current_worker

from circle.config import Config
from tui import workers
from tui.bindings import SCREENS, bindings_for, check_keymap
from tui.messages import DataLoaded, RecordsSaved, StoreChanged, WorkFailed
from tui.screens.help import HelpScreen
from tui.screens.registry import SCREEN_CLASSES
from tui.snapshot import CircleData
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

    def __init__(self, config: Config, store: Any, source: Any, sink: Any, clock: Any,
                 *, poll_seconds: float = 2.0) -> None:
        super().__init__()
        self.config, self.store, self.source, self.sink, self.clock = (
            config, store, source, sink, clock)
        self.data = CircleData()
        self.poll_seconds = poll_seconds
        self.writer = workers.StoreWriter(store, self.post_message)
        self.mail_status = "mail loop: not running here (no mail source)"
        self.sending = False
        self.load_seconds = 0.0

    # -- wiring ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Theme, keymap, first screen, then read the store and start the background work."""
        self.theme = self.config.theme if self.config.theme in self.available_themes else DARK
        for problem in check_keymap(self.config.keys):
            self.notify(problem, title="Config", severity="warning")
        self.set_keymap(self.config.keys)
        self.switch_mode("today")
        self.run_worker(self.writer.run, thread=True, group="writer", name="writer")
        self.action_reload()
        self.set_interval(self.poll_seconds, self._poll, name="poll-store")

    def on_unmount(self) -> None:
        """Let the writer finish what is queued."""
        self.writer.stop()

    def now(self) -> datetime:
        """The injected clock's time."""
        return self.clock.now()  # type: ignore[no-any-return]

    def today(self) -> date:
        """Today in the circle's timezone."""
        return self.now().astimezone(self.config.tz).date()

    def _poll(self) -> None:
        if self.writer.idle():
            self.run_worker(lambda: workers.poll_store(self.store, self.post_message),
                            thread=True, group="poll", exclusive=True, exit_on_error=False)

    # -- state changes --------------------------------------------------------------------
    def save(self, records: Sequence[Any], what: str, *, redraw: bool = True) -> None:
        """Patch the snapshot now, write in the background, redraw the visible screen."""
        for record in records:
            self.data.patch(record)
        self.writer.submit(records, what)
        if redraw:
            self.refresh_screen()

    def refresh_screen(self) -> None:
        """Ask the visible Circle screen to redraw from the snapshot."""
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh()

    def on_data_loaded(self, message: DataLoaded) -> None:
        """A new snapshot replaces the old one."""
        self.data, self.load_seconds = message.data, message.seconds
        self.refresh_screen()

    def on_store_changed(self, _message: StoreChanged) -> None:
        """Another process wrote: read again."""
        self.action_reload()

    def on_records_saved(self, _message: RecordsSaved) -> None:
        """Nothing to do: the snapshot was patched already."""

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place worker errors become notifications."""
        self.notify(message.detail, title=message.what, severity="error", timeout=10)

    def report(self, what: str, exc: BaseException) -> None:
        """Errors from handlers go the same way as worker errors."""
        self.on_work_failed(WorkFailed(what, workers.describe_error(exc)))

    # -- app actions ----------------------------------------------------------------------
    def action_reload(self) -> None:
        """Read the store again (thread worker)."""
        def load() -> None:
            if not get_current_worker().is_cancelled:
                workers.load_data(self.store, self.post_message)
        self.run_worker(load, thread=True, group="load", exclusive=True, exit_on_error=False)

    def action_help(self) -> None:
        """Show what every key does on this screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.current_mode))

    def action_toggle_theme(self) -> None:
        """Light or dark."""
        self.theme = LIGHT if self.current_dark() else DARK

    def current_dark(self) -> bool:
        """Whether the current theme is dark."""
        return bool(self.current_theme.dark)


def make_app(config: Config, store: Any, source: Any, sink: Any, clock: Any) -> CircleApp:
    """Build the app from its parts (the CLI and the tests use this)."""
    return CircleApp(config, store, source, sink, clock)


def run_app(ctx: Any) -> None:
    """Run the TUI for a loaded `tui.context.Context`."""
    source, sink = _adapters(ctx)
    make_app(ctx.config, ctx.store, source, sink, ctx.clock).run()


def _adapters(ctx: Any) -> tuple[Any, Any]:
    """The real mail adapters when they are installed (None means: not available here)."""
    try:
        from mail import smtp
    except ImportError:
        return None, None
    maker = getattr(smtp, "sink_from_config", None)
    return None, (maker(ctx.config) if maker else None)


__all__ = ["SCREENS", "CircleApp", "make_app", "run_app"]
