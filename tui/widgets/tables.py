"""Stable tables: every list of the TUI keeps its cursor and scroll across refreshes, by record key.

A screen redraws its table from a new snapshot of the store every few seconds (another
process wrote, the mail loop brought something, the steward decided). `StableTable.fill`
replaces the rows but puts the cursor back on the same record (found by its row key), or,
when that record left the list (approved, dismissed), on the row that took its place, and
restores the scroll offset, so the screen never moves under the steward. The same method
applies the list's filter (`tui/widgets/filter.py`): rows are kept whole and only the matching
ones are shown, so a filter can change without the screen rebuilding anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

Cell = str | Text
Row = tuple[str, Sequence[Cell]]  # (record key, the cells in column order)


def cell_text(cell: Cell) -> str:
    """The plain words of a cell (what a filter matches)."""
    return cell.plain if isinstance(cell, Text) else str(cell)


def matches(cells: Sequence[Cell], query: str) -> bool:
    """Whether every word of `query` appears in some visible column (case-insensitive)."""
    words = query.lower().split()
    if not words:
        return True
    hay = " ".join(cell_text(c) for c in cells).lower()
    return all(w in hay for w in words)


class StableTable(DataTable[Cell]):
    """A row-cursor DataTable filled by record key, keeping its place and its filter."""

    def __init__(self, *, id: str | None = None, zebra_stripes: bool = False,
                 classes: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=zebra_stripes,
                         classes=classes)
        self.rows_all: list[Row] = []  # every row, before the filter
        self.filter_text = ""

    def current_key(self) -> str | None:
        """The record key under the cursor (None for an empty table)."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def fill(self, rows: Iterable[Row]) -> None:
        """Replace every row; keep the cursor on the same record and the scroll where it was."""
        self.rows_all = [(key, tuple(cells)) for key, cells in rows]
        self._redraw()

    def set_filter(self, text: str) -> None:
        """Show only rows matching `text` in any visible column ("" shows every row).

        A key that leaves the same rows showing (the first letters of a word usually match
        everything) changes nothing on screen and costs no redraw."""
        if text == self.filter_text:
            return
        self.filter_text = text
        shown = [key for key, cells in self.rows_all if matches(cells, text)]
        if shown == [k.value for k in self.rows]:
            self._subtitle()
            return
        self._redraw()

    def shown_count(self) -> int:
        """How many rows pass the filter."""
        return self.row_count

    def remove_row(self, row_key: RowKey | str) -> None:
        """Remove a row now (an instant preview) and forget it until the next fill."""
        key = row_key.value if isinstance(row_key, RowKey) else row_key
        self.rows_all = [r for r in self.rows_all if r[0] != key]
        super().remove_row(row_key)

    def _redraw(self) -> None:
        keep, index = self.current_key(), self.cursor_row
        scroll_x, scroll_y = self.scroll_x, self.scroll_y
        self.clear()
        for key, cells in self.rows_all:
            if matches(cells, self.filter_text):
                self.add_row(*cells, key=key)
        self._subtitle()
        if not self.row_count:
            return
        if keep is not None and keep in self.rows:
            row = self.get_row_index(keep)
        else:
            row = min(max(index, 0), self.row_count - 1)
        self.move_cursor(row=row, animate=False, scroll=False)
        self.scroll_to(scroll_x, scroll_y, animate=False, immediate=True)
        self.call_after_refresh(self._settle_scroll, scroll_x, scroll_y)

    def _settle_scroll(self, scroll_x: float, scroll_y: float) -> None:
        """After layout (the new rows have a size now): the old scroll offset again, moved
        only as far as needed to keep the cursor row in sight."""
        self.scroll_to(scroll_x, scroll_y, animate=False, immediate=True)
        if self.row_count:
            self.move_cursor(row=self.cursor_row, animate=False, scroll=True)

    def _subtitle(self) -> None:
        """Under the table: what the filter shows (Text: the typed words are never markup)."""
        self.border_subtitle = (Text(f"search “{self.filter_text}”: {self.row_count} of "
                                     f"{len(self.rows_all)} · esc shows all")
                                if self.filter_text else "")
