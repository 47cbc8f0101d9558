"""Members: who is in the circle, how they are, and the steward's changes to membership."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from circle import transitions as t
from circle.app.intents import (
    AddMember,
    EditMember,
    PauseMember,
    RemoveMember,
    ResumeMember,
    SetHosting,
)
from circle.app.views import delivery_summary, member_profile
from circle.errors import CircleError
from circle.members import checked_addresses, checked_name, new_member
from circle.model import Member, MemberStatus
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import FormScreen, Values
from tui.screens.member_detail import MemberDetailScreen
from tui.widgets.filter import FilterBar
from tui.widgets.render import day
from tui.widgets.tables import Row, StableTable

STATUS_STYLE = {MemberStatus.ACTIVE: "green", MemberStatus.PAUSED: "yellow",
                MemberStatus.LEFT: "dim"}


class MembersScreen(CircleScreen):
    """A table of members; add, edit, pause, resume, remove (their stories stay); who may
    host (h switches it); enter opens a member in full; / filters."""

    MODE = "members"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("members")]

    def compose_body(self) -> ComposeResult:
        """Filter, table, then who has been quiet."""
        yield FilterBar("members-table")
        table = StableTable(id="members-table", zebra_stripes=True)
        table.add_columns("Name", "Status", "Hosting", "Last wrote", "Delivery", "Email")
        yield table
        yield Static("", id="members-note")

    @property
    def table(self) -> StableTable:
        """The members table."""
        return self.query_one("#members-table", StableTable)

    def current(self) -> Member | None:
        """The member under the cursor."""
        return self.data.members.get(self.table.current_key() or "")

    def refresh_data(self) -> None:
        """Rebuild the table, keeping the cursor on the same member."""
        if not self.data.loaded:
            return
        data, today, tz = self.data, self.capp.today(), self.capp.config.tz
        last = data.last_contribution()
        hosted: dict[str, int] = {}
        for rnd in data.rounds.values():
            if rnd.host_id and rnd.gathering <= self.capp.now():
                hosted[rnd.host_id] = hosted.get(rnd.host_id, 0) + 1
        order = {MemberStatus.ACTIVE: 0, MemberStatus.PAUSED: 1, MemberStatus.LEFT: 2}
        rows: list[Row] = []
        for m in sorted(data.members.values(), key=lambda m: (order[m.status], m.name)):
            status = t.effective_status(m, today)
            words = status.value + (f" till {m.paused_until:%d %b}" if status ==
                                    MemberStatus.PAUSED and m.paused_until else "")
            hosting = (Text("—", style="dim") if status == MemberStatus.LEFT else
                       Text("yes" if m.can_host else "no", style="" if m.can_host else "dim"))
            if hosted.get(m.id):
                hosting.append(f", {hosted[m.id]}×", style="dim")
            trouble = delivery_summary(m)
            rows.append((m.id, (Text(m.name, style="bold" if m.is_steward else ""),
                                Text(words, style=STATUS_STYLE[status]), hosting,
                                day(last.get(m.id), tz),
                                Text(trouble, style="" if trouble == "ok" else "yellow"),
                                Text(m.email))))
        self.table.fill(rows)
        self.table.border_title = f"{len(rows)} members · enter opens one in full"
        self.refresh_keys()
        quiet = data.quiet_members(self.capp.now())
        note = Text("Not heard from in 3 rounds: ", style="bold")
        note.append(", ".join(m.name for m in quiet) or "nobody — everyone has written lately")
        if quiet:
            note.append("\nA personal note from the steward often helps more than a reminder.",
                        style="dim italic")
        self.query_one("#members-note", Static).update(note)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only what fits the selected member's status."""
        member = self.current()
        if action in ("edit_member", "pause_member", "resume_member", "remove_member",
                      "host_role", "member_detail"):
            if member is None:
                return False
            status = t.effective_status(member, self.capp.today())
            if action == "pause_member":
                return status == MemberStatus.ACTIVE
            if action == "resume_member":
                return status == MemberStatus.PAUSED or member.delivery_paused
            if action in ("remove_member", "host_role"):
                return status != MemberStatus.LEFT
        return True

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Keys follow the selected member."""
        self.refresh_keys()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a member opens them in full."""
        event.stop()
        self.action_member_detail()

    def action_member_detail(self) -> None:
        """Status, role, delivery problems in words, stories, hosting history."""
        member = self.current()
        if member is None:
            return
        data, app = self.data, self.capp
        profile = member_profile(member, rounds=data.rounds.values(),
                                 stories=data.stories.values(),
                                 responses=data.responses.values(), today=app.today(),
                                 now=app.now(), tz=app.config.tz)
        self.app.push_screen(MemberDetailScreen(profile))

    def action_host_role(self) -> None:
        """Switch whether they may be asked to host."""
        member = self.current()
        if member is not None:
            self.act("change who may host", SetHosting(member_id=member.id,
                                                       can_host=not member.can_host),
                     lambda: [replace(member, can_host=not member.can_host)])

    def action_add_member(self) -> None:
        """Add someone new."""
        def added(values: dict[str, str] | None) -> None:
            if values:
                self.act("add a member", AddMember(name=values["name"], email=values["email"]),
                         lambda: [new_member(list(self.data.members.values()), values["name"],
                                             values["email"], self.capp.today())])
        self.app.push_screen(FormScreen(
            "Add a member", [("name", "Name", ""), ("email", "Email", "")],
            validate=lambda values: member_problems(list(self.data.members.values()), values)),
            added)

    def action_edit_member(self) -> None:
        """Change name, address, aliases."""
        member = self.current()
        if member is None:
            return

        def edited(values: dict[str, str] | None) -> None:
            if values:
                self.act("edit the member", EditMember(
                    member_id=member.id, name=values["name"], email=values["email"],
                    aliases=tuple(_aliases(values["aliases"])), note=values["note"]),
                    lambda: [_edited(member, values, [m for m in self.data.members.values()
                                                      if m.id != member.id])])
        def others() -> list[Member]:
            return [m for m in self.data.members.values() if m.id != member.id]
        self.app.push_screen(FormScreen(f"Edit {member.name}", [
            ("name", "Name", member.name), ("email", "Email", member.email),
            ("aliases", "Other addresses (comma separated)", ", ".join(member.aliases)),
            ("note", "Steward's note (private)", member.note)],
            validate=lambda values: member_problems(others(), values)), edited)

    def action_pause_member(self) -> None:
        """Pause, optionally until a date."""
        member = self.current()
        if member is None:
            return

        def paused(values: dict[str, str] | None) -> None:
            if values is None:
                return
            when = date.fromisoformat(values["until"]) if values["until"] else None
            self.act("pause", PauseMember(member_id=member.id, until=when),
                     lambda: [t.pause(member, when, today=self.capp.today())])
        self.app.push_screen(FormScreen(f"Pause {member.name}", [
            ("until", "Until (YYYY-MM-DD, empty = until resumed)", "")],
            "They receive nothing until then, and resume by themselves.",
            validate=lambda values: pause_problems(member, values["until"], self.capp.today())),
            paused)

    def action_resume_member(self) -> None:
        """Resume their mail."""
        member = self.current()
        if member is not None:
            self.act("resume", ResumeMember(member_id=member.id), lambda: [t.resume(member)])

    def action_remove_member(self) -> None:
        """They leave; asks first."""
        member = self.current()
        if member is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.act("remove", RemoveMember(member_id=member.id), lambda: [t.leave(member)])
        self.app.push_screen(ConfirmScreen(
            f"Remove {member.name}?", f"{member.name} will receive no more mail from the "
            "circle. Their stories and responses stay where they are.", "Remove"), confirmed)


def member_problems(others: list[Member], values: Values) -> dict[str, str]:
    """What is wrong with a member form, under its field, by the checks the use-cases apply.

    `others` are the members whose addresses may not be taken (everyone else); `values` has
    name and email, and for an edit the other addresses too."""
    problems: dict[str, str] = {}
    try:
        checked_name(values.get("name", ""))
    except CircleError as exc:
        problems["name"] = str(exc)
    try:
        checked_addresses(others, values.get("email", ""))
    except CircleError as exc:
        problems["email"] = str(exc)
    for alias in _aliases(values.get("aliases", "")):
        try:
            checked_addresses(others, alias)
        except CircleError as exc:
            problems["aliases"] = str(exc)
            break
    return problems


def pause_problems(member: Member, until: str, today: date) -> dict[str, str]:
    """What is wrong with a pause's end date (not a date, or a day already past)."""
    try:
        when = date.fromisoformat(until) if until else None
    except ValueError:
        return {"until": f"{until!r} is not a date like {today.year + 1}-01-31"}
    try:
        t.pause(member, when, today=today)
    except CircleError as exc:
        return {"until": str(exc)}
    return {}


def _aliases(text: str) -> list[str]:
    return [a.strip().lower() for a in text.split(",") if a.strip()]


def _edited(member: Member, values: dict[str, str], others: list[Member]) -> Member:
    """The preview of an edit, by the same checks the EditMember use-case applies."""
    email, aliases = checked_addresses(others, values["email"], _aliases(values["aliases"]))
    return replace(member, name=checked_name(values["name"]), email=email, aliases=aliases,
                   note=values["note"])
