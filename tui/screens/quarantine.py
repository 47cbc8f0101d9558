"""Quarantine: mail that could not be matched or trusted, with the reason; assign or dismiss.

Dismissing asks first and can be undone (`u`); `f` shows the resolved items (dismissed,
assigned, added as a member) so a dismissed message can always be found again and its
dismissal taken back. Adding the sender as a member never makes their message a story.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from circle.app.intents import AddSender, AssignQuarantine, DismissQuarantine, UndoDecision
from circle.errors import CircleError
from circle.members import find_by_address, new_member
from circle.model import MessageKind, QuarantineItem, QuarantineState
from circle.reasons import plain_reason
from circle.transitions import resolve_quarantine
from tui.bindings import bindings_for
from tui.messages import Happened
from tui.screens.base import CircleScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import FormScreen, Values
from tui.screens.pick import PickScreen
from tui.widgets.filter import FilterBar
from tui.widgets.render import day, day_time, one_line, plain
from tui.widgets.tables import StableTable


class QuarantineScreen(CircleScreen):
    """Open items on the left, the message on the right."""

    MODE = "quarantine"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("quarantine")]

    def __init__(self) -> None:
        super().__init__()
        self.show_resolved = False  # False: open items; True: dismissed and resolved ones

    def items(self) -> list[QuarantineItem]:
        """The items the filter lists, newest first."""
        if not self.show_resolved:
            return self.data.open_quarantine()
        done = [q for q in self.data.quarantine.values() if q.state != QuarantineState.OPEN]
        return sorted(done, key=lambda q: q.received_at, reverse=True)

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
                              Text(one_line(plain_reason(item.reason) if not self.show_resolved
                                            else item.state.value, 40)),
                              Text(one_line(item.sender_name or item.sender, 24))))
                   for item in self.items())
        count = len(table.rows_all)
        table.border_title = (f"{count} resolved (f: open ones)" if self.show_resolved
                              else f"{count} in quarantine")
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
            detail.update(Text("Nothing resolved yet." if self.show_resolved else
                               "Quarantine is empty.", style="italic"))
            return
        text = Text()
        text.append("From: ", style="bold")
        text.append(plain(f"{item.sender_name} <{item.sender}>".strip()))
        text.append("\nSubject: ", style="bold")
        text.append(plain(item.subject))
        text.append(f"\nReceived: {day_time(item.received_at, self.capp.config.tz)}\n")
        text.append("Why: ", style="bold")
        text.append(f"{plain_reason(item.reason)}\n")
        if item.state != QuarantineState.OPEN:
            text.append("Now: ", style="bold")
            text.append(plain(f"{item.state.value} — {item.resolution}"))
            text.append("  (u takes it back)\n", style="dim")
        text.append("\n")
        text.append(plain(item.text or "(no text)"))
        detail.update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every action needs an item; adding the sender needs an unknown address."""
        item = self.current()
        if action in ("assign_item", "dismiss_item", "parse_again"):
            return item is not None and item.state == QuarantineState.OPEN
        if action == "add_sender":
            return item is not None and item.state == QuarantineState.OPEN and \
                item.kind == MessageKind.REPLY and find_by_address(
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

        def added(values: Values | None) -> None:
            if not values:
                return
            self.act("add the sender", AddSender(item_id=item.id, name=values["name"],
                                                 email=values["email"]),
                     lambda: [new_member(list(self.data.members.values()), values["name"],
                                         values["email"], self.capp.today())])

        def problems(values: Values) -> dict[str, str]:
            try:
                new_member(list(self.data.members.values()), values["name"], values["email"],
                           self.capp.today())
            except CircleError as exc:
                field = "name" if "name" in str(exc).lower() and "@" not in str(exc) \
                    else "email"
                return {field: str(exc)}
            return {}
        self.app.push_screen(FormScreen("Add the sender as a member", [
            ("name", "Name", item.sender_name), ("email", "Email", item.sender)],
            "Their message stays here as a note; it does not become a story.",
            validate=problems), added)

    def action_dismiss_item(self) -> None:
        """Nothing to do with it (it stays archived)."""
        item = self.current()
        if item is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.act("dismiss", DismissQuarantine(item_id=item.id),
                         lambda: [resolve_quarantine(item, QuarantineState.DISMISSED,
                                                     "dismissed by the steward")])
        who = item.sender_name or item.sender or "an unknown sender"
        self.app.push_screen(ConfirmScreen(
            "Dismiss this message?", f"The message from {who} leaves the quarantine list. "
            "It stays archived: f shows dismissed messages, and u takes the dismissal back.",
            "Dismiss"), confirmed)

    def action_cycle_filter(self) -> None:
        """Open items, or the resolved ones (dismissed, assigned, added as a member)."""
        self.show_resolved = not self.show_resolved
        self.table.move_cursor(row=0)
        self.refresh_data()

    def action_undo(self) -> None:
        """Undo: on a resolved item, what resolved it; else the last quarantine decision."""
        item = self.current()
        if self.show_resolved and item is not None:
            self.act("undo", UndoDecision(area="quarantine", key=item.id))
        else:
            self.act("undo", UndoDecision(area="quarantine"))

    def action_parse_again(self) -> None:
        """Read the original email again with today's rules (thread worker)."""
        item = self.current()
        if item is None:
            return
        app, item_id = self.capp, item.id

        def again() -> None:
            from circle.app.ingest import parse_again

            try:
                report = parse_again(app.store, item_id, config=app.config, secret=app.secret,
                                     now=app.now())
            except CircleError as exc:
                self.post_message(ParsedAgain(item_id, f"Cannot read it again: {exc}"))
                return
            still = "still in quarantine" if report.quarantined else "placed"
            self.post_message(ParsedAgain(item_id, f"Read again: {still} "
                                                   f"({report.summary()})"))
        self.run_worker(again, thread=True, group="parse-again", exclusive=True,
                        exit_on_error=False)

    def on_parsed_again(self, message: ParsedAgain) -> None:
        """Say what reading it again did, and read the store again."""
        self.notify(message.text, title=message.item_id)
        self.capp.action_reload()


@dataclass
class ParsedAgain(Happened):
    """A worker read a quarantined message again."""

    item_id: str
    text: str
