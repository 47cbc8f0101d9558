"""The base of Circle's screens: navigation bar, footer, bindings, and safe state changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen

from circle.app import Intent
from circle.errors import CircleError
from tui.bindings import specs_for
from tui.widgets.filter import FilterBar
from tui.widgets.footer import CircleFooter
from tui.widgets.navbar import NavBar

if TYPE_CHECKING:
    from tui.app import CircleApp
    from tui.snapshot import CircleData


class CircleScreen(Screen[None]):
    """A screen that draws from the app's snapshot and saves through the app's writer."""

    MODE: ClassVar[str] = ""

    @property
    def capp(self) -> CircleApp:
        """The Circle app (typed)."""
        return self.app  # type: ignore[return-value]

    @property
    def data(self) -> CircleData:
        """The current snapshot of the store."""
        return self.capp.data

    def compose(self) -> ComposeResult:
        """Navigation on top, the screen's body, the footer with its keys."""
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield CircleFooter()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def on_screen_resume(self) -> None:
        """Coming back to this screen: draw from the newest snapshot."""
        self.refresh_data()

    def refresh_data(self) -> None:
        """Redraw from `self.data` (overridden by each screen)."""

    def refresh_keys(self) -> None:
        """Refresh the footer only when what can run has changed (a footer redraw is not cheap,
        and moving in a list must stay instant)."""
        signature = tuple(self.check_action(spec.action, ()) for spec in specs_for(self.MODE))
        if signature != getattr(self, "_key_signature", None):
            self._key_signature = signature
            self.refresh_bindings()

    def act(self, what: str, intent: Intent,
            preview: Callable[[], Sequence[Any]] | None = None, *, redraw: bool = True) -> bool:
        """Ask for a change as an intent; `preview` predicts the records for an instant view.

        If the rules already refuse on this view, say so and send nothing; otherwise the
        writer applies the intent to the current records and the app shows the outcome.
        """
        records: list[Any] = []
        if preview is not None:
            try:
                records = list(preview())
            except CircleError as exc:
                self.notify(str(exc), title=f"Cannot {what}", severity="warning")
                return False
        self.capp.act(intent, what, records, redraw=redraw)
        self.refresh_keys()
        return True

    # -- the one filter of every list (tui/widgets/filter.py) ----------------------------
    def filter_bar(self) -> FilterBar | None:
        """The screen's filter box, if it has one."""
        found = list(self.query(FilterBar))
        return found[0] if found else None

    def action_filter(self) -> None:
        """`/`: open the filter box of this screen's list."""
        bar = self.filter_bar()
        if bar is not None:
            bar.open()

    def action_clear_filter(self) -> None:
        """Escape: clear the filter and show the whole list again."""
        bar = self.filter_bar()
        if bar is not None and bar.active:
            bar.close()
            self.filter_changed()

    def filter_changed(self) -> None:
        """The filter changed the rows shown: follow the cursor (screens override)."""
        self.refresh_keys()
