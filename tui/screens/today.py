"""Today: the current round at a glance and what needs the steward."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from circle.model import HostState, RoundState, StoryState
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.widgets.render import day, day_time, plain

MOMENTS = (("host_invite", "host asked"), ("question", "question"), ("reminder", "reminder"),
           ("digest_due", "digest due"), ("gathering", "gathering"))


class TodayScreen(CircleScreen):
    """Host, question, dates; who has written; what is waiting; the mail loop."""

    MODE = "today"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("today")]

    def compose_body(self) -> ComposeResult:
        """Three panels in a scrollable column."""
        with VerticalScroll(id="today"):
            yield Static("Reading the circle…", id="round-panel", classes="panel")
            yield Static("", id="people-panel", classes="panel")
            yield Static("", id="needs-panel", classes="panel")

    def refresh_data(self) -> None:
        """Redraw every panel from the snapshot."""
        if not self.data.loaded:
            return
        self.query_one("#round-panel", Static).update(self._round_text())
        self.query_one("#people-panel", Static).update(self._people_text())
        self.query_one("#needs-panel", Static).update(self._needs_text())

    def _round_text(self) -> Text:
        data, tz, now = self.data, self.capp.config.tz, self.capp.now()
        name = data.circle.name if data.circle else self.capp.config.name
        rnd = data.current_round(now)
        text = Text()
        text.append(name, style="bold")
        text.append(f" · today {now.astimezone(tz):%a %-d %b %Y}", style="dim")
        if rnd is None:
            text.append("\nNo round is planned yet: `circle run` (or `circle rounds`) plans "
                        "them from the schedule.")
            return text
        host_state = {HostState.ACCEPTED: "accepted", HostState.INVITED: "asked, no answer yet",
                      HostState.DECLINED: "declined", HostState.UNASKED: "not asked yet"}
        text.append(f" · round {rnd.id} · host ")
        text.append(data.name(rnd.host_id), style="bold")
        text.append(f" ({host_state[rnd.host_state]})\n")
        text.append("Question: ", style="dim")
        text.append(plain(rnd.question or "not written yet"))
        if rnd.question and not rnd.question_approved:
            text.append("  (draft, not approved)", style="yellow")
        text.append("\n")
        for n, (moment, label) in enumerate(MOMENTS):
            at = rnd.timeline.get(moment)
            done = moment in rnd.fired or (at is not None and at <= now and moment == "gathering")
            mark = "✓ " if done else ("· " if moment not in rnd.skipped else "✗ ")
            if n:
                text.append("  ")
            text.append(mark + label + " ", style="green" if done else "dim")
            shown = day_time(at, tz) if moment == "gathering" else day(at, tz)
            text.append(shown, style="" if done else "bold")
        return text

    def _people_text(self) -> Text:
        data, now = self.data, self.capp.now()
        rnd = data.current_round(now)
        text = Text()
        if rnd is None or rnd.state == RoundState.PLANNED:
            text.append("Replies will appear here once the question has gone out.", style="dim")
            return text
        today = self.capp.today()
        wrote = {s.member_id for s in data.stories_of(rnd.id)}
        passed = data.passed(rnd.id) - wrote
        receiving = {m.id for m in data.digest_recipients(today)}
        waiting = sorted(receiving - wrote - passed, key=data.name)

        def names(ids: set[str] | list[str]) -> str:
            return ", ".join(sorted(data.name(i) for i in ids)) or "nobody yet"
        text.append(f"Stories from {len(wrote)}: ", style="bold")
        text.append(names(wrote))
        text.append(f"\nPassed this time ({len(passed)}): ", style="bold")
        text.append(names(passed))
        text.append(f"\nNot heard from yet ({len(waiting)}): ", style="bold")
        text.append(names(waiting), style="italic")
        return text

    def _needs_text(self) -> Text:
        data, now = self.data, self.capp.now()
        text = Text()
        text.append("Needs you\n", style="bold")
        waiting = data.review_queue(include_held=True)
        items = []
        if waiting:
            held = sum(1 for p in waiting if p.state == StoryState.HELD)
            extra = f", {held} of them held" if held else ""
            items.append(f"{len(waiting)} waiting for a decision{extra} (2 Review)")
        if quarantine := data.open_quarantine():
            items.append(f"{len(quarantine)} in quarantine (7 Quarantine)")
        if trouble := data.outbox_trouble():
            items.append(f"{len(trouble)} outbox items failed or uncertain (6 Digest)")
        planned = [r for r in data.rounds_sorted() if r.state == RoundState.PLANNED]
        if planned and planned[0].host_state != HostState.ACCEPTED:
            items.append(f"host for {planned[0].id} not confirmed (5 Hosts)")
        if planned and planned[0].question and not planned[0].question_approved:
            items.append(f"question for {planned[0].id} waits for approval (5 Hosts)")
        for item in items or ["Nothing. The circle is quiet and well."]:
            text.append(f"  • {item}\n")
        text.append("\nMail: ", style="bold")
        text.append(self.capp.mail_status)
        upcoming = []
        for rnd in data.rounds_sorted():
            for moment, label in MOMENTS[:-1]:
                at = rnd.timeline.get(moment)
                if at and at > now and moment not in rnd.fired and moment not in rnd.skipped:
                    upcoming.append((at, f"{label} for {rnd.id}"))
        upcoming.sort()
        text.append("\nNext: ", style="bold")
        tz = self.capp.config.tz
        text.append(" · ".join(f"{what} {day(at, tz)}" for at, what in upcoming[:3]) or "—")
        return text
