"""The decision log (ctrl+z anywhere): the steward's recent decisions, each with undo.

The list is read in a thread worker; `u` or Enter undoes the selected decision through the
`UndoDecision` intent (the writer thread), and a decision that cannot be undone any more says
why on its row (changed since, digest sent, already undone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from circle.app.decisions import decisions, why_not
from circle.app.intents import UndoDecision
from circle.model import Decision
from circle.ports import Store
from tui.messages import Happened
from tui.widgets.render import day_time, one_line

if TYPE_CHECKING:
    from tui.app import CircleApp

SHOWN = 50
KEYS_HINT = "u or enter: undo the selected decision · escape closes"


@dataclass
class DecisionsRead(Happened):
    """A worker read the log: each decision with why it cannot be undone ("" if it can)."""

    rows: list[tuple[Decision, str]]


def read_log(store: Store) -> list[tuple[Decision, str]]:
    """The newest decisions with their undo status (runs in a worker thread)."""
    return [(d, why_not(store, d)) for d in decisions(store)[:SHOWN]]


class DecisionsScreen(ModalScreen[None]):
    """Recent decisions, newest first; undo any that still can be."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("u", "undo", "Undo", id="decisions_undo",
                tooltip="Take the selected decision back"),
        Binding("escape,ctrl+z", "close", "Close", id="decisions_close",
                tooltip="Back to the screen"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, tuple[Decision, str]] = {}

    @property
    def capp(self) -> CircleApp:
        """The Circle app (typed)."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """Title, the log, the selected decision's status, the keys."""
        with Vertical(classes="dialog wide"):
            yield Static("Decisions", classes="dialog-title", markup=False)
            table: DataTable[str | Text] = DataTable(id="decisions-list", cursor_type="row")
            table.add_columns("When", "Decision", "")
            yield table
            yield Static("Reading the log…", id="decision-status", markup=False)
            yield Static(KEYS_HINT, classes="hint keys", markup=False)

    def on_mount(self) -> None:
        """Read the log."""
        self.refresh_data()

    def refresh_data(self) -> None:
        """Read the log again in a worker (the app calls this after every outcome)."""
        store = self.capp.store

        def read() -> None:
            self.post_message(DecisionsRead(read_log(store)))
        self.run_worker(read, thread=True, group="decisions", exclusive=True,
                        exit_on_error=False)

    def on_decisions_read(self, message: DecisionsRead) -> None:
        """Show the log, keeping the cursor on the same decision."""
        table = self.query_one(DataTable)
        keep = self.current()
        table.clear()
        self.rows = {d.id: (d, reason) for d, reason in message.rows}
        for decision, reason in message.rows:
            state = (Text("undone", style="dim") if decision.undone_at else
                     Text("can undo", style="green") if not reason else
                     Text("stays", style="yellow"))
            table.add_row(day_time(decision.at, self.capp.config.tz),
                          Text(one_line(decision.summary, 48)), state, key=decision.id)
        if keep is not None and keep.id in self.rows:
            table.move_cursor(row=table.get_row_index(keep.id))
        self._show()

    def current(self) -> Decision | None:
        """The decision under the cursor."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        found = self.rows.get(key)
        return found[0] if found else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Say what undo would do for the selected decision."""
        self._show()

    def _show(self) -> None:
        status = self.query_one("#decision-status", Static)
        decision = self.current()
        if decision is None:
            status.update("No decisions yet: what you approve, hide or change is listed "
                          "here, and can be taken back.")
            return
        reason = self.rows[decision.id][1]
        status.update(f"{decision.id} · {decision.area}: " + (
            reason or "u undoes it (everything it changed goes back as it was)."))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row undoes it."""
        event.stop()
        self.action_undo()

    def action_undo(self) -> None:
        """Undo the selected decision (the writer applies it; a refusal says why)."""
        decision = self.current()
        if decision is None:
            return
        reason = self.rows[decision.id][1]
        if reason:
            self.notify(reason, title=f"Cannot undo “{one_line(decision.summary, 40)}”",
                        severity="warning", timeout=8)
            return
        self.capp.act(UndoDecision(decision_id=decision.id), "undo", redraw=False)

    def action_close(self) -> None:
        """Back to the screen underneath."""
        self.dismiss(None)
