"""Quarantine: mail that could not be matched or trusted, with the reason; assign or dismiss."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from circle.app.intents import AddSender, AssignQuarantine, DismissQuarantine
from circle.members import find_by_address, new_member
from circle.model import MessageKind, QuarantineItem, QuarantineState
from circle.reasons import plain_reason
from circle.transitions import resolve_quarantine
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.screens.form import FormScreen
from tui.screens.pick import PickScreen
from tui.widgets.filter import FilterBar
from tui.widgets.render import day, day_time, one_line, plain
from tui.widgets.tables import StableTable


class QuarantineScreen(CircleScreen):
    """Open items on the left, the message on the right."""

    MODE = "quarantine"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("quarantine")]

    def compose_body(self) -> ComposeResult:
        """List and detail."""
        yield FilterBar("quarantine-list")
        with Horizontal(id="quarantine-body"):
            table = StableTable(id="quarantine-list")
            table.add_columns("When", "Why", "From")
            yield table
            with VerticalScroll(id="quarantine-detail"):
                yield Static("", id="quarantine-text")

    @property
    def table(self) -> DataTable[str | Text]:
        """The list of open items."""
        return self.query_one("#quarantine-list", DataTable)

    def current(self) -> QuarantineItem | None:
        """The item under the cursor."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return self.data.quarantine.get(key)

    def refresh_data(self) -> None:
        """Rebuild the list of open items."""
        if not self.data.loaded:
            return
        table = self.query_one("#quarantine-list", StableTable)
        table.fill((item.id, (day(item.received_at, self.capp.config.tz),
                              Text(one_line(plain_reason(item.reason), 40)),
                              Text(one_line(item.sender_name or item.sender, 24))))
                   for item in self.data.open_quarantine())
        table.border_title = f"{len(table.rows_all)} in quarantine"
        self._show()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the item under the cursor."""
        self._show()

    def filter_changed(self) -> None:
        """The filter changed which items show: show the one under the cursor."""
        self._show()

    def _show(self) -> None:
        item = self.current()
        detail = self.query_one("#quarantine-text", Static)
        self.refresh_keys()
        if item is None:
            detail.update(Text("Quarantine is empty.", style="italic"))
            return
        text = Text()
        text.append("From: ", style="bold")
        text.append(plain(f"{item.sender_name} <{item.sender}>".strip()))
        text.append("\nSubject: ", style="bold")
        text.append(plain(item.subject))
        text.append(f"\nReceived: {day_time(item.received_at, self.capp.config.tz)}\n")
        text.append("Why: ", style="bold")
        text.append(f"{plain_reason(item.reason)}\n\n")
        text.append(plain(item.text or "(no text)"))
        detail.update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every action needs an item; adding the sender needs an unknown address."""
        item = self.current()
        if action in ("assign_item", "dismiss_item"):
            return item is not None
        if action == "add_sender":
            return item is not None and item.kind == MessageKind.REPLY and find_by_address(
                list(self.data.members.values()), item.sender) is None
        return True

    def action_assign_item(self) -> None:
        """It is from a member: choose who."""
        item = self.current()
        if item is None:
            return
        named = (item.sender_name or "").casefold()  # the likely sender first: one key less
        choices = [(m.id, f"{m.name} <{m.email}>") for m in
                   sorted(self.data.members.values(),
                          key=lambda m: (m.name.casefold() != named, m.name))]

        def picked(member_id: str | None) -> None:
            member = self.data.members.get(member_id or "")
            if member is not None:
                self.act("assign", AssignQuarantine(item_id=item.id, member_id=member.id),
                         lambda: [resolve_quarantine(item, QuarantineState.ASSIGNED,
                                                     f"member:{member.id}")])
        self.app.push_screen(PickScreen(f"Who sent “{one_line(item.subject, 40)}”?", choices),
                             picked)

    def action_add_sender(self) -> None:
        """Add the sender as a new member, and give them their message."""
        item = self.current()
        if item is None:
            return

        def added(values: dict[str, str] | None) -> None:
            if not values:
                return
            self.act("add the sender", AddSender(item_id=item.id, name=values["name"],
                                                 email=values["email"]),
                     lambda: [new_member(list(self.data.members.values()), values["name"],
                                         values["email"], self.capp.today())])
        self.app.push_screen(FormScreen("Add the sender as a member", [
            ("name", "Name", item.sender_name), ("email", "Email", item.sender)]), added)

    def action_dismiss_item(self) -> None:
        """Nothing to do with it (it stays archived)."""
        item = self.current()
        if item is not None:
            self.act("dismiss", DismissQuarantine(item_id=item.id), lambda: [resolve_quarantine(
                item, QuarantineState.DISMISSED, "dismissed by the steward")])
