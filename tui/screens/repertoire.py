"""Repertoire: search every round, archives included, by words, member, theme, round, question.

The query runs in a thread worker (`circle.app.repertoire_search.find`, no cap); enter on a
result opens its story in Threads. The themes of every year are listed beside the results:
enter on one searches it. Member text is shown as `Text`, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from circle.app.repertoire_search import ThemeCount, find, parse_query, quoted, themes
from circle.app.search import Hit
from circle.errors import CircleError
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.screens.threads import ThreadsScreen
from tui.widgets.render import one_line


class RepertoireScreen(CircleScreen):
    """A search box, the results (every one) and the themes across the years."""

    MODE = "repertoire"
    AUTO_FOCUS = "#rep-query"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("repertoire")]
    DEFAULT_CSS = """
    #rep-body { height: 1fr; }
    #rep-results { width: 2fr; height: 1fr; border: round $primary 50%; }
    #rep-side { width: 1fr; height: 1fr; }
    #rep-themes { height: 1fr; border: round $primary 50%; }
    #rep-status { height: auto; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        self.theme_list: list[ThemeCount] = []
        self.query_text = ""

    def compose_body(self) -> ComposeResult:
        """Query box, status line, results and themes."""
        yield Input(placeholder="words  member:ana  theme:courage  round:2026-07  "
                    "question:listen", id="rep-query")
        yield Static("Type words and press enter: every round, every year.", id="rep-status")
        with Horizontal(id="rep-body"):
            yield OptionList(id="rep-results")
            with Vertical(id="rep-side"):
                yield OptionList(id="rep-themes")

    def on_screen_resume(self) -> None:
        """Results open in Threads, which reaches every year: ask for the archives (once)."""
        self.capp.want_history()
        super().on_screen_resume()

    def on_mount(self) -> None:
        """Read the themes of every year (in a worker)."""
        self._load_themes()

    def refresh_data(self) -> None:
        """The store changed or the archives arrived: refresh the themes."""
        if self.is_mounted:
            self._load_themes()

    def _load_themes(self) -> None:
        store = self.capp.store

        def work() -> None:
            found = themes(store)
            self.app.call_from_thread(self._show_themes, found)
        self.run_worker(work, thread=True, group="repertoire-themes", exclusive=True,
                        exit_on_error=False)

    def _show_themes(self, found: list[ThemeCount]) -> None:
        self.theme_list = found
        box = self.query_one("#rep-themes", OptionList)
        box.clear_options()
        box.border_title = f"Themes ({len(found)})"
        for t in found:
            label = Text(t.theme, style="bold")
            label.append(f"  {t.stories} · {t.first_round}–{t.last_round}", style="dim")
            box.add_option(Option(label))
        if found:
            box.highlighted = 0

    def run_query(self, text: str) -> None:
        """Search in a worker; the results replace the list when they come."""
        self.query_text = text.strip()
        query = parse_query(self.query_text)
        store = self.capp.store
        members = list(self.data.members.values())
        rounds = list(self.data.rounds.values())
        self.query_one("#rep-status", Static).update(Text(f"Searching for {self.query_text}…"))

        def work() -> None:
            try:
                hits = find(store, query, members, rounds)
            except CircleError as exc:
                self.app.call_from_thread(self._show_problem, str(exc))
                return
            self.app.call_from_thread(self._show_hits, hits)
        self.run_worker(work, thread=True, group="repertoire-search", exclusive=True,
                        exit_on_error=False)

    def _show_problem(self, problem: str) -> None:
        self.query_one("#rep-status", Static).update(Text(problem, style="bold red"))

    def _show_hits(self, hits: list[Hit]) -> None:
        self.hits = hits
        box = self.query_one("#rep-results", OptionList)
        box.clear_options()
        stories = sum(1 for h in hits if h.kind == "story")
        self.query_one("#rep-status", Static).update(Text(
            f"“{one_line(self.query_text, 60)}”: {stories} stories and "
            f"{len(hits) - stories} responses, every year"))
        box.add_options([Option(self._label(h)) for h in hits])
        if hits:
            box.highlighted = 0
            box.focus()

    def _label(self, hit: Hit) -> Text:
        label = Text(f"{hit.round_id}  ", style="bold")
        label.append(self.data.name(hit.member_id), style="bold")
        label.append(f" {hit.kind} [{hit.state}/{hit.visibility}]\n", style="dim")
        label.append(one_line(hit.snippet, 110))
        return label

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the query box searches."""
        self.run_query(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a result opens it in Threads; on a theme, searches that theme."""
        if event.option_list.id == "rep-themes":
            theme = self.theme_list[event.option_index].theme
            box = self.query_one("#rep-query", Input)
            box.value = f"theme:{quoted(theme)}"
            self.run_query(box.value)
        elif event.option_list.id == "rep-results":
            self.open_hit(self.hits[event.option_index])

    def open_hit(self, hit: Hit) -> None:
        """Show the hit's story (for a response, the story it answers) in Threads."""
        story_id = hit.id
        if hit.kind == "response":
            response = self.data.responses.get(hit.id)
            if response is None:
                self.notify("That response is not loaded yet; try again in a moment.")
                return
            story_id = response.story_id
        app = self.capp

        async def go() -> None:
            await app.switch_mode("threads")
            screen = app.screen
            if isinstance(screen, ThreadsScreen):
                screen.reveal(story_id, hit.id)
        app.run_worker(go(), group="reveal", exclusive=True, exit_on_error=False)

    def action_search(self) -> None:
        """Focus the query box."""
        self.query_one("#rep-query", Input).focus()

    def action_themes(self) -> None:
        """Focus the themes."""
        self.query_one("#rep-themes", OptionList).focus()
