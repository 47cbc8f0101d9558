"""Today: the current round at a glance and what needs the steward.

Truthful about time: a moment is ticked only once it happened, with when it happened; a
moment still ahead shows its date as upcoming (even if a record says it fired early); the
digest line says "sent to N members at 14:02" once the relay took every copy. The mail line
is read from the store's sync state and outbox, so it moves as fetches and sends happen.

Under `WIDE` columns (80×24 is the size that must work) the layout is compact so everything
fits without scrolling: the circle's name and the date and "Needs you" sit in the panels'
borders, dates of moments leave out the weekday, name lists end in "+N more" and the lines
that only inform (what happened, what is next, the last fetch and send) are cut to one line.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from circle.app.digests import digest_delivery
from circle.carrying import digest_gone
from circle.model import HostState, OutboxState, Round, RoundState, StoryState
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.snapshot import CircleData
from tui.widgets.footer import WIDE
from tui.widgets.render import day, day_time, one_line, plain

MOMENTS = (("host_invite", "host asked"), ("question", "question"), ("reminder", "reminder"),
           ("digest_due", "digest due"), ("gathering", "gathering"))


def happened_at(rnd: Round, moment: str, now: datetime) -> datetime | None:
    """When `moment` happened, if it did by `now` (a record dated later has not happened)."""
    if moment == "gathering":
        return rnd.gathering if rnd.gathering <= now else None
    at = rnd.fired.get(moment)
    return at if at is not None and at <= now else None


def short_day(at: datetime | None, tz: tzinfo, *, with_time: bool = False) -> str:
    """`25 Nov` (or `25 Nov 18:00`) in the circle's timezone: a date without its weekday."""
    if at is None:
        return "—"
    return at.astimezone(tz).strftime("%d %b %H:%M" if with_time else "%d %b")


def fitting_names(names: list[str], room: int) -> str:
    """`names` joined by commas in at most `room` characters, ending in "+N more" when
    they do not all fit (at least one name is always shown)."""
    shown: list[str] = []
    for n, name in enumerate(names):
        rest = len(names) - n - 1
        more = f", +{rest} more" if rest else ""
        if shown and len(", ".join([*shown, name]) + more) > room:
            return ", ".join(shown) + f", +{len(names) - len(shown)} more"
        shown.append(name)
    return ", ".join(shown)


def moment_mark(data: CircleData, rnd: Round, moment: str, label: str, *, now: datetime,
                tz: tzinfo, short: bool = False) -> tuple[str, str, str]:
    """(mark, words, style) of one moment: ✓ done (when), · upcoming (date), ✗ skipped,
    ! waiting for the steward. `short` leaves the weekday out of the dates."""
    def when(at: datetime | None, with_time: bool) -> str:
        if short:
            return short_day(at, tz, with_time=with_time)
        return day_time(at, tz) if with_time else day(at, tz)

    planned = rnd.gathering if moment == "gathering" else rnd.timeline.get(moment)
    if moment == "digest_due" and digest_gone(rnd):
        sent = digest_delivery(data.outbox.values(), rnd.id)
        if sent.done and sent.last_sent_at is not None:
            return "✓", (f"digest sent to {sent.sent} members at "
                         f"{sent.last_sent_at.astimezone(tz):%H:%M} "
                         f"{day(sent.last_sent_at, tz)}"), "green"
        if sent.sent or sent.waiting or sent.failed:
            total = sent.sent + sent.waiting + sent.failed
            failed = f", {sent.failed} failed" if sent.failed else ""
            return "…", f"digest: {sent.sent} of {total} sent{failed}", "yellow"
        return "✓", "digest sent", "green"
    if moment in rnd.skipped and moment not in rnd.fired:
        return "✗", f"{label} skipped", "dim"
    done = happened_at(rnd, moment, now)
    if done is not None:
        if moment == "digest_due":
            return "!", f"digest due since {when(done, False)}", "yellow bold"
        return "✓", f"{label} {when(done, moment in ('gathering', 'question'))}", "green"
    return "·", f"{label} {when(planned, moment == 'gathering')}", "bold"


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

    @property
    def compact(self) -> bool:
        """Whether the terminal is narrower than `WIDE` columns (the compact layout)."""
        return self.app.size.width < WIDE

    @property
    def room(self) -> int:
        """Characters that fit on one line of a panel (borders, padding and a scrollbar
        left out)."""
        return max(20, self.app.size.width - 6)

    def _fit(self, line: Text) -> Text:
        """In the compact layout, `line` cut to one line of a panel (with an ellipsis)."""
        if self.compact:
            line.truncate(self.room, overflow="ellipsis")
        return line

    def on_resize(self, _event: events.Resize) -> None:
        """A new terminal size may switch between the wide and the compact layout."""
        self.refresh_data()

    def refresh_data(self) -> None:
        """Redraw every panel from the snapshot."""
        if not self.data.loaded:
            return
        data, tz, now = self.data, self.capp.config.tz, self.capp.now()
        name = data.circle.name if data.circle else self.capp.config.name
        round_panel = self.query_one("#round-panel", Static)
        needs_panel = self.query_one("#needs-panel", Static)
        round_panel.border_title = (Text(f"{name} · today {now.astimezone(tz):%a %-d %b %Y}")
                                    if self.compact else None)  # Text: titles are markup
        needs_panel.border_title = "Needs you" if self.compact else None
        round_panel.update(self._round_text())
        self.query_one("#people-panel", Static).update(self._people_text())
        needs_panel.update(self._needs_text())

    def _round_text(self) -> Text:
        data, tz, now = self.data, self.capp.config.tz, self.capp.now()
        name = data.circle.name if data.circle else self.capp.config.name
        rnd = data.current_round(now)
        compact = self.compact
        text = Text()
        if not compact:  # compact: the name and the date are in the panel's border
            text.append(name, style="bold")
            text.append(f" · today {now.astimezone(tz):%a %-d %b %Y}", style="dim")
        if rnd is None:
            text.append(("" if compact else "\n") + "No round is planned yet: `circle run` (or "
                        "`circle rounds`) plans them from the schedule.")
            return text
        host_state = {HostState.ACCEPTED: "accepted", HostState.INVITED: "asked, no answer yet",
                      HostState.DECLINED: "declined", HostState.UNASKED: "not asked yet"}
        text.append("Round " if compact else " · round ")
        text.append(f"{rnd.id} · host ")
        text.append(data.name(rnd.host_id), style="bold")
        text.append(f" ({host_state[rnd.host_state]})\n")
        draft = "  (draft, not approved)" if rnd.question and not rnd.question_approved else ""
        question = Text()
        question.append("Question: ", style="dim")
        question.append_text(plain(rnd.question or "not written yet"))
        if compact:  # the question on one line, the draft mark always seen
            question.truncate(self.room - len(draft), overflow="ellipsis")
        text.append_text(question)
        text.append(draft, style="yellow")
        marks = [moment_mark(data, rnd, moment, label, now=now, tz=tz, short=compact)
                 for moment, label in MOMENTS]
        for title, kinds in (("Done:  ", "✓✗…!"), ("Ahead: ", "·")):
            shown = [m for m in marks if m[0] in kinds]
            if not shown:
                continue
            text.append(f"\n{title}", style="dim")
            for n, (mark, words, style) in enumerate(shown):
                text.append("  " if n else "")
                text.append(f"{mark} {words}", style=style)
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

        def line(label: str, ids: set[str] | list[str], style: str = "") -> None:
            listed = sorted(data.name(i) for i in ids)
            shown = (fitting_names(listed, self.room - len(label)) if self.compact
                     else ", ".join(listed)) or "nobody yet"
            text.append("\n" if text.plain else "")
            text.append(label, style="bold")
            text.append(shown, style=style)
        line(f"Stories from {len(wrote)}: ", wrote)
        if passed or not self.compact:  # compact: nobody passed needs no line
            line(f"Passed this time ({len(passed)}): ", passed)
        line(f"Not heard from yet ({len(waiting)}): ", waiting, "italic")
        return text

    def _needs_text(self) -> Text:
        data, now = self.data, self.capp.now()
        compact = self.compact
        text = Text()
        if not compact:  # compact: "Needs you" is the panel's border title
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
        for rnd in data.rounds_sorted():
            if happened_at(rnd, "digest_due", now) and not digest_gone(rnd):
                step = "send it" if rnd.digest_approved else "approve and send it"
                items.append(f"the {rnd.id} digest is due: preview, {step} (6 Digest)")
        planned = [r for r in data.rounds_sorted() if r.state == RoundState.PLANNED]
        if planned and planned[0].host_state != HostState.ACCEPTED:
            items.append(f"host for {planned[0].id} not confirmed (5 Hosts)")
        if planned and planned[0].question and not planned[0].question_approved:
            items.append(f"question for {planned[0].id} waits for approval (5 Hosts)")
        for item in items or ["Nothing. The circle is quiet and well."]:
            text.append_text(self._fit(Text(f"  • {item}")))
            text.append("\n")
        tz = self.capp.config.tz
        past = [e for e in data.events if e.at <= now][-3:]
        if past:
            happened = Text()
            happened.append("Happened: ", style="bold")
            happened.append_text(plain(" · ".join(f"{day_time(e.at, tz)} {one_line(e.text, 70)}"
                                                  for e in reversed(past))))
            text.append("" if compact else "\n")
            text.append_text(self._fit(happened))
        upcoming = []
        for rnd in data.rounds_sorted():
            for moment, label in MOMENTS:
                at = rnd.gathering if moment == "gathering" else rnd.timeline.get(moment)
                if (at and at > now and happened_at(rnd, moment, now) is None
                        and moment not in rnd.skipped and not (
                            moment == "digest_due" and digest_gone(rnd))):
                    upcoming.append((at, f"{label} for {rnd.id}"))
        upcoming.sort()
        coming = Text()
        coming.append("Next: ", style="bold")
        coming.append(" · ".join(f"{what} {day(at, tz)}" for at, what in upcoming[:3]) or "—")
        text.append("\n" if past else "")
        text.append_text(self._fit(coming))
        text.append("\n")
        text.append_text(self._mail_text())
        return text

    def _mail_text(self) -> Text:
        """The mail loop as it stands: where it runs, last fetch, last send, trouble."""
        data, tz = self.data, self.capp.config.tz
        text = Text()
        text.append("Mail: ", style="bold")
        text.append(self.capp.mail_status)
        fetched = [s for s in data.sync if s.last_fetch_at is not None]
        text.append("\n")
        loop = Text()
        loop.append("  last fetch: ", style="dim")
        if fetched:
            last = max(fetched, key=lambda s: s.last_fetch_at or now_floor())
            loop.append(f"{day_time(last.last_fetch_at, tz)} ({last.folder})")
        else:
            loop.append("none yet")
        sent = [o for o in data.outbox.values() if o.sent_at is not None]
        loop.append(" · last send: ", style="dim")
        if sent:
            newest = max(sent, key=lambda o: o.sent_at or now_floor())
            loop.append(f"{day_time(newest.sent_at, tz)} ({newest.kind} to {newest.recipient})")
        else:
            loop.append("none yet")
        queued = sum(1 for o in data.outbox.values() if o.state == OutboxState.QUEUED)
        if queued:
            loop.append(f" · {queued} waiting to go", style="dim")
        text.append_text(self._fit(loop))
        errors = [s for s in data.sync if s.last_error]
        for sync in errors:
            error = Text()
            error.append(f"  fetch error ({sync.folder}): ", style="red")
            error.append_text(plain(one_line(sync.last_error, 90)))
            text.append("\n")
            text.append_text(self._fit(error))
        return text


def now_floor() -> datetime:
    """The earliest aware datetime (a sort key for missing times)."""
    from datetime import UTC

    return datetime.min.replace(tzinfo=UTC)
