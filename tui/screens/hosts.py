"""Hosts: the rotation for the next 12 rounds, the steward's overrides, the coming question."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from circle import rotation
from circle.app.intents import ApproveQuestion, AssignHost, SetQuestion, SkipHost, SwapHosts
from circle.model import HostState, Round, RoundState
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.screens.edit_text import EditTextScreen
from tui.screens.pick import PickScreen
from tui.widgets.filter import FilterBar
from tui.widgets.render import day, plain
from tui.widgets.tables import Row, StableTable

STATE_WORDS = {HostState.ACCEPTED: ("accepted", "green"), HostState.INVITED: ("asked", "yellow"),
               HostState.DECLINED: ("declined", "red"), HostState.UNASKED: ("planned", "dim")}


class HostsScreen(CircleScreen):
    """Who hosts which round; swap, skip, pick; edit and approve the coming question."""

    MODE = "hosts"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("hosts")]

    def __init__(self) -> None:
        super().__init__()
        self.swap_from: str | None = None

    def compose_body(self) -> ComposeResult:
        """Filter, rotation table, then the coming round's question."""
        yield FilterBar("hosts-table")
        table = StableTable(id="hosts-table")
        table.add_columns("Round", "Gathering", "Host", "Answer", "Asked so far")
        yield table
        yield Static("", id="question-panel")

    @property
    def table(self) -> StableTable:
        """The rotation table."""
        return self.query_one("#hosts-table", StableTable)

    def planned(self) -> list[Round]:
        """Rounds whose host can still change, soonest first."""
        return [r for r in self.data.rounds_sorted() if r.state == RoundState.PLANNED]

    def coming(self) -> Round | None:
        """The next round to be planned: its question is the one being prepared."""
        planned = self.planned()
        return planned[0] if planned else None

    def current(self) -> Round | None:
        """The round under the cursor (None for a month without a record yet)."""
        return self.data.rounds.get(self.table.current_key() or "")

    def refresh_data(self) -> None:
        """Rotation preview of 12 rounds from the coming one."""
        if not self.data.loaded:
            return
        coming = self.coming()
        rows: list[Row] = []
        if coming is not None:
            plan = rotation.preview(list(self.data.members.values()),
                                    self.data.rounds_sorted(), coming.id, n=12)
            for round_id, host in plan:
                rnd = self.data.rounds.get(round_id)
                if rnd is not None and "host" in rnd.skipped:
                    answer = Text("no host", style="dim")
                elif rnd is not None:
                    words, style = STATE_WORDS[rnd.host_state]
                    answer = Text(words, style=style)
                else:
                    answer = Text("not planned", style="dim")
                mark = "▶ " if round_id == self.swap_from else ""
                asked = ", ".join(self.data.name(m) for m in rnd.hosts_asked) if rnd else ""
                rows.append((round_id, (mark + round_id, day(rnd.gathering,
                                                             self.capp.config.tz)
                                        if rnd else "—", Text(self.data.name(host)), answer,
                                        Text(asked))))
        self.table.fill(rows)
        self._show_question(coming)

    def _show_question(self, rnd: Round | None) -> None:
        text = Text()
        if rnd is None:
            text.append("No round is planned. `circle rounds plan` plans the next twelve.")
        else:
            text.append(f"Question for {rnd.id}", style="bold")
            text.append(f" (host {self.data.name(rotation.host_of(rnd))}): ")
            text.append(plain(rnd.question or "not written yet — e edits it"))
            approved = ("approved ✓", "green") if rnd.question_approved else (
                "not approved yet — a approves it", "yellow")
            if rnd.question:
                text.append(f"\n{approved[0]}", style=approved[1])
        if self.swap_from:
            text.append(f"\nSwapping {self.swap_from}: move to another round and press s "
                        "(escape cancels)", style="bold")
        self.query_one("#question-panel", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Question actions need a coming round; approve needs an unapproved question."""
        coming = self.coming()
        if action == "edit_question":
            return coming is not None
        if action == "approve_question":
            return coming is not None and bool(coming.question) and not coming.question_approved
        if action in ("skip_host", "pick_host", "swap_hosts"):
            return self.current() is not None
        return True

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Keys follow the selected round."""
        self.refresh_keys()

    def action_swap_hosts(self) -> None:
        """First press marks a round, the second swaps the two rounds' hosts."""
        rnd = self.current()
        if rnd is None:
            return
        if self.swap_from is None or self.swap_from == rnd.id:
            self.swap_from = None if self.swap_from == rnd.id else rnd.id
            self.refresh_data()
            return
        first, self.swap_from = self.swap_from, None
        rounds = self.data.rounds_sorted()
        if self.act("swap hosts", SwapHosts(round_a=first, round_b=rnd.id), lambda: [
                r for r in rotation.swap(rounds, first, rnd.id) if r.id in (first, rnd.id)]):
            return
        self.refresh_data()

    def key_escape(self) -> None:
        """Cancel a swap in progress."""
        if self.swap_from:
            self.swap_from = None
            self.refresh_data()

    def action_skip_host(self) -> None:
        """This round has no host."""
        rnd = self.current()
        if rnd is not None:
            self.act("skip", SkipHost(round_id=rnd.id), lambda: [rotation.skip(rnd)])

    def action_pick_host(self) -> None:
        """Choose the host of this round."""
        rnd = self.current()
        if rnd is None:
            return
        choices = [(m.id, m.name) for m in sorted(self.data.members.values(),
                                                   key=lambda m: m.name)
                   if rotation.available(m, rnd.gathering.date(), 0)]

        def picked(member_id: str | None) -> None:
            if member_id:
                self.act("pick a host", AssignHost(round_id=rnd.id, member_id=member_id),
                         lambda: [rotation.assign(rnd, member_id)])
        self.app.push_screen(PickScreen(f"Who hosts {rnd.id}?", choices), picked)

    def action_edit_question(self) -> None:
        """Edit the coming round's question (approval is asked again)."""
        rnd = self.coming()
        if rnd is None:
            return

        def edited(text: str | None) -> None:
            if text is not None and text.strip() != rnd.question:
                self.act("edit the question", SetQuestion(round_id=rnd.id, text=text),
                         lambda: [replace(rnd, question=text.strip(), question_approved=False)])
        self.app.push_screen(EditTextScreen(f"Question for {rnd.id}", rnd.question,
                                            validate=lambda text: question_problem(rnd, text)),
                             edited)

    def action_approve_question(self) -> None:
        """Approve the coming question so it goes out on time."""
        rnd = self.coming()
        if rnd is not None and rnd.question:
            self.act("approve the question", ApproveQuestion(round_id=rnd.id),
                     lambda: [replace(rnd, question_approved=True)])


def question_problem(rnd: Round, text: str) -> str:
    """What is wrong with a round's new question, by the checks SetQuestion applies."""
    if not text.strip():
        return "The question is empty. Write the question the members will answer."
    if "question" in rnd.fired and text.strip() != rnd.question:
        return f"The question of {rnd.id} was already sent to the members; it cannot change."
    return ""
