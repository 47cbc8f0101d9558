"""Review: the queue of pending stories and responses, one at a time, with every decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from circle import transitions as t
from circle.app import Intent
from circle.app.intents import (
    EditPost,
    MarkAppreciation,
    RestoreElided,
    ReviewAction,
    ReviewHarvest,
    ReviewPost,
    SetNote,
    SetThemes,
    SetVisibility,
    UndoDecision,
)
from circle.app.requests import AcceptSuggestion, DismissSuggestion
from circle.errors import CircleError
from circle.model import Harvest, Response, Story, StoryState, Visibility
from circle.ports import RawArchive
from tui.bindings import bindings_for
from tui.messages import Happened
from tui.screens.base import CircleScreen
from tui.screens.edit_text import EditTextScreen
from tui.screens.form import FormScreen
from tui.snapshot import Post
from tui.widgets.filter import FilterBar
from tui.widgets.render import day, one_line, plain, post_header
from tui.widgets.tables import StableTable

NEXT_VISIBILITY = {Visibility.CIRCLE: Visibility.ANONYMOUS,
                   Visibility.ANONYMOUS: Visibility.STEWARD,
                   Visibility.STEWARD: Visibility.CIRCLE}
NEEDS_POST = {"approve", "hold", "hide", "visibility", "edit", "restore", "tags", "note",
              "appreciation", "original", "next_item", "previous_item", "accept_suggestion",
              "dismiss_suggestion"}
FILTERS: dict[str, tuple[str, frozenset[StoryState]]] = {
    "needs": ("to review", frozenset({StoryState.PENDING, StoryState.HELD})),
    "pending": ("pending", frozenset({StoryState.PENDING})),
    "decided": ("decided (approved or hidden)",
                frozenset({StoryState.APPROVED, StoryState.HIDDEN})),
}
"""Review's list filters, cycled by `f`: what needs a decision (the default), pending only,
and what was decided, so any approved or hidden item can be decided again."""


class ReviewScreen(CircleScreen):
    """A list on the left, the story on the right; decide and move on without leaving."""

    MODE = "review"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("review")]

    def __init__(self) -> None:
        super().__init__()
        self.filter = "needs"  # everything that needs a decision: pending and held
        self.show_original = False
        self._originals: dict[str, Text] = {}  # raw sha → the rendered original email

    def compose_body(self) -> ComposeResult:
        """Queue and detail side by side."""
        yield FilterBar("queue")
        with Horizontal(id="review"):
            table = StableTable(id="queue", zebra_stripes=True)
            table.add_columns("When", "Who", "")
            yield table
            with VerticalScroll(id="post"):
                yield Static("", id="post-head")
                yield Static("", id="post-body")

    @property
    def table(self) -> DataTable[str | Text]:
        """The queue."""
        return self.query_one("#queue", DataTable)

    def current(self) -> Post | None:
        """The story or response under the cursor."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return self.data.stories.get(key) or self.data.responses.get(key)

    def refresh_data(self) -> None:
        """Rebuild the queue, keeping the cursor on the same item when it is still there."""
        if not self.data.loaded:
            return
        queue = self.queue()
        rows = [(p.id, self._cells(p)) for p in queue]
        rows += self._harvest_rows()  # harvests waiting for review (circle/app/harvest.py)
        self.query_one("#queue", StableTable).fill(rows)
        self.table.border_title = self._title(queue)
        self._show_current()

    @property
    def include_held(self) -> bool:
        """Whether held items are listed (the default filter)."""
        return self.filter == "needs"

    def states(self) -> frozenset[StoryState]:
        """The states the current filter lists."""
        return FILTERS[self.filter][1]

    def queue(self) -> list[Post]:
        """The items of the current filter: oldest first to review, newest first decided."""
        if self.filter != "decided":
            return self.data.review_queue(self.include_held)
        wanted = self.states()
        posts: list[Post] = [s for s in self.data.stories.values() if s.state in wanted]
        posts += [r for r in self.data.responses.values() if r.state in wanted]
        return sorted(posts, key=lambda p: p.received_at, reverse=True)

    def _title(self, queue: list[Post]) -> str:
        held = sum(1 for p in queue if p.state == StoryState.HELD)
        return f"{len(queue)} {FILTERS[self.filter][0]}" + (f" ({held} held)" if held else "")

    def _cells(self, post: Post) -> tuple[str | Text, ...]:
        kind = "S" if isinstance(post, Story) else "R"
        held = (Text("held", style="yellow") if post.state == StoryState.HELD else
                Text(post.state.value[:6], style="dim") if post.state != StoryState.PENDING
                else Text(kind))
        return day(post.received_at, self.capp.config.tz), Text(one_line(
            self.data.name(post.member_id), 16)), held

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Moving in the list shows the item at once."""
        self._show_current()

    def filter_changed(self) -> None:
        """The filter changed which items show: show the one under the cursor."""
        self._show_current()

    def _show_current(self) -> None:
        post = self.current()
        head = self.query_one("#post-head", Static)
        body = self.query_one("#post-body", Static)
        if post is None and self._show_harvest(head, body):
            return
        if post is None:
            head.update(Text("Nothing waiting for review. Thank you.", style="italic"))
            body.update("")
            self.refresh_keys()
            return
        label = f"round {post.round_id}"
        head.update(post_header(post, self.data.name(post.member_id), label,
                                self.capp.config.tz))
        body.update(self._original(post) if self.show_original else self._clean(post))
        self.refresh_keys()

    def _clean(self, post: Post) -> Text:
        text = Text("\n")
        if isinstance(post, Response):
            parent = self.data.stories.get(post.story_id)
            if parent is not None:
                text.append(f"In reply to {self.data.name(parent.member_id)}: ", style="dim")
                text.append(one_line(parent.text, 70) + "\n\n", style="dim italic")
        text.append(plain(post.text))
        if isinstance(post, Story) and post.suggested_command:
            text.append(f"\n\n── {self.data.name(post.member_id)} also asks: ", style="bold")
            text.append(plain(post.suggested_command, style="bold"))
            if post.suggested_words:
                text.append(" (“")
                text.append(plain(one_line(post.suggested_words, 120)))
                text.append("”)")
            text.append(" ── y accepts · z sets it aside", style="dim")
        if post.elided:
            text.append("\n\n── trimmed (r restores) ──\n", style="dim")
            text.append(plain(post.elided, style="dim"))
        if post.original_text and post.original_text != post.text:
            text.append("\n\n── as it arrived ──\n", style="dim")
            text.append(plain(post.original_text, style="dim"))
        return text

    def _original(self, post: Post) -> Text:
        """The original email: from the cache, else read and parsed in a thread worker."""
        if not post.raw_sha:
            return Text("\n── the original email ──\n(no raw email kept for this one)",
                        style="dim")
        cached = self._originals.get(post.raw_sha)
        if cached is not None:
            return _with_codes(post, cached)
        archive, sha = self.capp.store.archive, post.raw_sha

        def read() -> None:
            self.post_message(OriginalRead(sha, render_original(archive, sha)))
        self.run_worker(read, thread=True, group="original", exclusive=True,
                        exit_on_error=False)
        return Text("\n── the original email ──\n(reading it…)", style="dim")

    def on_original_read(self, message: OriginalRead) -> None:
        """The original email was read: show it if its post is still the one on screen."""
        self._originals[message.sha] = message.text
        post = self.current()
        if self.show_original and post is not None and post.raw_sha == message.sha:
            self.query_one("#post-body", Static).update(_with_codes(post, message.text))


    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what cannot run on the current item."""
        if action not in NEEDS_POST:
            return True
        if self.current_harvest() is not None:  # a harvest: approve, hold, hide, move on
            return action in ("approve", "hold", "hide", "next_item", "previous_item")
        post = self.current()
        if post is None:
            return False
        if post.state == StoryState.WITHDRAWN and action not in ("original", "next_item",
                                                                  "previous_item", "note"):
            return False
        if action == "restore":
            return bool(post.elided)
        if action in ("accept_suggestion", "dismiss_suggestion"):
            return isinstance(post, Story) and bool(post.suggested_command)
        if action == "approve":
            return post.state != StoryState.APPROVED
        return True

    def _update(self, what: str, new: Post | None, intent: Intent) -> None:
        post = self.current()
        if post is None or new is None:
            return
        self.act(what, intent, lambda: [new], redraw=False)
        table = self.table
        still = new.state in self.states()
        if not still:
            table.remove_row(new.id)
        else:
            for col, value in zip(table.columns, self._cells(new), strict=False):
                table.update_cell(new.id, col, value)
        table.border_title = self._title(self.queue())
        self._show_current()

    def _decide(self, what: str, fn: Callable[[Any], Post], make: Callable[..., Intent]) -> None:
        """Predict with the pure rule `fn` on this view; send the intent `make(post_id=...)`
        carrying the version the steward saw."""
        post = self.current()
        if post is None:
            return
        try:
            new = fn(post)
        except CircleError as exc:
            self.notify(str(exc), title=f"Cannot {what}", severity="warning")
            return
        self._update(what, new, make(post_id=post.id, seen_version=post.version))

    def action_approve(self) -> None:
        """Approve for the digest."""
        if self._review_harvest("approve"):
            return
        self._decide("approve", t.approve, partial(ReviewPost, action="approve"))

    def action_hold(self) -> None:
        """Hold back for now."""
        if self._review_harvest("hold"):
            return
        self._decide("hold", lambda p: t.hold(p, "held by the steward"),
                     partial(ReviewPost, action="hold", reason="held by the steward"))

    def action_hide(self) -> None:
        """Hide: never in a digest."""
        if self._review_harvest("hide"):
            return
        self._decide("hide", t.hide, partial(ReviewPost, action="hide"))

    def action_visibility(self) -> None:
        """Cycle circle → anonymous → steward only."""
        post = self.current()
        if post is not None:
            target = NEXT_VISIBILITY[post.visibility]
            self._decide("change visibility", lambda p: t.set_visibility(p, target),
                         partial(SetVisibility, visibility=target))

    def action_restore(self) -> None:
        """Put the trimmed remainder back."""
        self._decide("restore the trimmed text", t.restore_elided, RestoreElided)

    def action_edit(self) -> None:
        """Edit the text in a dialog; the original is kept."""
        post = self.current()
        if post is None:
            return

        def edited(text: str | None) -> None:
            if text is not None and text != post.text:
                self._decide("edit", lambda p: t.edit_text(p, text),
                             partial(EditPost, text=text))

        def problem(text: str) -> str:
            if not text.strip():
                return ("The text is empty. A story needs its words; to keep it out of the "
                        "digest, hide it (x) instead.")
            try:
                t.edit_text(post, text)
            except CircleError as exc:
                return str(exc)
            return ""
        self.app.push_screen(EditTextScreen(f"Edit {self.data.name(post.member_id)}'s words",
                                            post.text, "The original stays kept (u undoes "
                                            "the edit).", validate=problem), edited)

    def action_tags(self) -> None:
        """Themes, comma separated."""
        post = self.current()
        if post is None:
            return

        def tagged(values: dict[str, str] | None) -> None:
            if values is not None:
                themes = [w.strip() for w in values["themes"].split(",") if w.strip()]
                self._decide("tag", lambda p: replace(p, themes=themes),
                             partial(SetThemes, themes=tuple(themes)))
        self.app.push_screen(FormScreen("Themes", [("themes", "Themes (comma separated)",
                                                    ", ".join(post.themes))]), tagged)

    def action_note(self) -> None:
        """A private note for the steward."""
        post = self.current()
        if post is None:
            return

        def noted(values: dict[str, str] | None) -> None:
            if values is not None:
                self._decide("note", lambda p: replace(p, steward_note=values["note"]),
                             partial(SetNote, note=values["note"]))
        self.app.push_screen(FormScreen("Steward's note (never sent)",
                                        [("note", "Note", post.steward_note)]), noted)

    def action_appreciation(self) -> None:
        """Celebrate the item as an appreciation of someone."""
        post = self.current()
        if post is None:
            return

        def made(values: dict[str, str] | None) -> None:
            if not values or not values["to"]:
                return
            self.act("mark an appreciation", MarkAppreciation(
                post_id=post.id, to_name=values["to"], words=values["words"],
                seen_version=post.version))
        self.app.push_screen(FormScreen("Mark as appreciation", [
            ("to", "Who is thanked (name)", ""), ("words", "The words of thanks",
                                                  one_line(post.text, 200))]), made)

    def action_original(self) -> None:
        """Clean text or original email."""
        self.show_original = not self.show_original
        self._show_current()

    def action_show_held(self) -> None:
        """Cycle the filter: needs a decision → pending only → decided → needs a decision."""
        order = list(FILTERS)
        self.filter = order[(order.index(self.filter) + 1) % len(order)]
        self.refresh_data()

    def action_undo(self) -> None:
        """Take back the last decision on a story or response (a refusal says why)."""
        self.act("undo", UndoDecision(area="posts"))

    def action_accept_suggestion(self) -> None:
        """Apply the request the member made inside their story."""
        post = self.current()
        if isinstance(post, Story) and post.suggested_command:
            self.act("accept the request", AcceptSuggestion(post_id=post.id,
                                                            seen_version=post.version))

    def action_dismiss_suggestion(self) -> None:
        """Leave the member's request aside; the story stays as it is."""
        post = self.current()
        if isinstance(post, Story) and post.suggested_command:
            self.act("set the request aside", DismissSuggestion(
                post_id=post.id, seen_version=post.version),
                lambda: [replace(post, suggested_command="", suggested_words="")])

    def action_next_item(self) -> None:
        """Next item."""
        self.table.action_cursor_down()

    def action_previous_item(self) -> None:
        """Previous item."""
        self.table.action_cursor_up()

    # -- harvests (what a gathering harvested), reviewed beside the stories ------------------
    def current_harvest(self) -> Harvest | None:
        """The harvest under the cursor, if the row is one."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return self.data.harvests.get(key)

    def _harvest_rows(self) -> list[tuple[str, tuple[str | Text, ...]]]:
        """The queue's rows for harvests waiting for review (pending, and held when shown)."""
        states = self.states()  # the current filter's states: harvests are decided like posts
        rows: list[tuple[str, tuple[str | Text, ...]]] = []
        for h in sorted(self.data.harvests.values(), key=lambda h: h.received_at):
            if h.state in states:
                mark = Text("held", style="yellow") if h.state == StoryState.HELD else Text("H")
                rows.append((h.id, (day(h.received_at, self.capp.config.tz),
                                    Text(one_line(f"Harvest {h.gathering_round}", 16)), mark)))
        return rows

    def _show_harvest(self, head: Static, body: Static) -> bool:
        harvest = self.current_harvest()
        if harvest is None:
            return False
        who = ", ".join(self.data.name(m) for m in harvest.member_ids) or "the steward"
        head.update(Text(f"Harvest of the {harvest.gathering_round} gathering · from {who} · "
                         f"for the {harvest.round_id} digest · {harvest.state.value}",
                         style="bold"))
        text = Text("\n").append(plain(harvest.text))
        if harvest.attachments:
            text.append("\n\nAttached: " + ", ".join(harvest.attachments), style="dim")
        body.update(text)
        self.refresh_keys()
        return True

    def _review_harvest(self, action: ReviewAction) -> bool:
        """Decide on the harvest under the cursor (ReviewHarvest); False if it is no harvest."""
        harvest = self.current_harvest()
        if harvest is None:
            return False
        target = {"approve": StoryState.APPROVED, "hold": StoryState.HELD,
                  "hide": StoryState.HIDDEN}[action]
        self.act(action, ReviewHarvest(round_id=harvest.gathering_round, action=action,
                                       seen_version=harvest.version),
                 lambda: [replace(harvest, state=target)], redraw=False)
        if target != StoryState.HELD or not self.include_held:
            self.table.remove_row(harvest.id)
        self._show_current()
        return True


def _with_codes(post: Post, original: Text) -> Text:
    """The original email under the rules' codes (the details view keeps them)."""
    codes = [*post.classify_reasons, *post.held_reasons]
    if not codes:
        return original
    head = Text("\n── rule codes ──\n", style="dim")
    head.append(plain(", ".join(codes), style="dim"))
    return head.append("\n").append_text(original)


@dataclass
class OriginalRead(Happened):
    """A worker read and parsed the original email of a post."""

    sha: str
    text: Text


def render_original(archive: RawArchive, sha: str) -> Text:
    """The raw email's main headers and body as plain Text (runs in a worker thread)."""
    text = Text("\n── the original email ──\n", style="dim")
    try:
        raw = archive.load(sha)
    except Exception as exc:
        return text.append(f"(cannot read it: {exc})", style="italic")
    msg = message_from_bytes(raw, policy=policy.default)
    for name in ("From", "To", "Date", "Subject", "Message-ID"):
        text.append(f"{name}: ", style="bold")
        text.append(plain(str(msg.get(name, "")) + "\n"))
    part = msg.get_body(("plain", "html")) if hasattr(msg, "get_body") else None
    body = part.get_content() if part is not None else raw.decode("utf-8", "replace")
    return text.append("\n").append(plain(str(body)))
