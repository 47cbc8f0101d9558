"""The one search box of every list: `/` opens it, typing filters, Escape clears.

A `FilterBar` sits above a `StableTable` (`tui/widgets/tables.py`) and is hidden until the
steward presses `/` (the screen's `filter` action, `CircleScreen.action_filter`). Every key
typed filters the table at once by any visible column (all words must appear, any case);
Enter goes back to the table keeping the filter (the bar stays, showing it); Escape — in the
box or in the table — clears the filter and hides the bar. Nothing is read from the store:
the table filters the rows it already holds.
"""

from __future__ import annotations

from textual.widgets import Input

from tui.widgets.tables import StableTable


class FilterBar(Input):
    """A one-line filter for the table with id `target`."""

    DEFAULT_CSS = """
    FilterBar, FilterBar:focus {
        display: none; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FilterBar.open { display: block; }
    """

    def __init__(self, target: str, *, placeholder: str = "") -> None:
        super().__init__(placeholder=placeholder or "filter: any words in any column · "
                         "enter keeps · esc clears", id=f"{target}-filter",
                         classes="filter-bar")
        self.target = target
        self.can_focus = False  # out of the focus chain (and of the screen's keys) until `/`

    @property
    def table(self) -> StableTable:
        """The table this bar filters."""
        return self.screen.query_one(f"#{self.target}", StableTable)

    @property
    def active(self) -> bool:
        """Whether the bar is open (typing or holding a filter)."""
        return self.has_class("open")

    def open(self) -> None:
        """Show the bar and put the cursor in it."""
        self.add_class("open")
        self.can_focus = True
        self.focus()

    def close(self) -> None:
        """Clear the filter, hide the bar, back to the table."""
        self.value = ""
        self.table.set_filter("")
        self.remove_class("open")
        self.can_focus = False
        self.table.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Every key filters the table."""
        if event.input is self:
            event.stop()
            self.table.set_filter(self.value.strip())
            refresh = getattr(self.screen, "filter_changed", None)
            if refresh is not None:
                refresh()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: back to the (filtered) table; an empty filter closes the bar."""
        if event.input is self:
            event.stop()
            if self.value.strip():
                self.table.focus()
            else:
                self.close()
