"""Threads: every round's stories with their responses as a tree; search across rounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from circle import transitions as t
from circle.app.intents import ReviewPost, SetHarvest, SetVisibility, UndoDecision
from circle.compose.harvest import harvest_id
from circle.errors import CircleError
from circle.model import Harvest, Response, Story, StoryState
from tui.bindings import bindings_for
from tui.screens.base import CircleScreen
from tui.screens.edit_text import EditTextScreen
from tui.screens.review import NEXT_VISIBILITY
from tui.snapshot import Post
from tui.widgets.render import STATE_STYLE, one_line, plain, post_header

MAX_RESULTS = 200
NodeData = tuple[str, str]  # ("round" | "story" | "response", id)


class ThreadsScreen(CircleScreen):
    """Rounds (newest first) open lazily into stories and their threads."""

    MODE = "threads"
    AUTO_FOCUS = "#thread-tree"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings_for("threads")]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""

    def compose_body(self) -> ComposeResult:
        """Search box, tree, detail."""
        yield Input(placeholder="/ search text, member or theme across every round", id="search")
        with Horizontal(id="threads-body"):
            tree: Tree[NodeData] = Tree("Rounds", id="thread-tree")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="thread-detail"):
                yield Static("", id="thread-text")

    def on_screen_resume(self) -> None:
        """Every round of every year: ask for the archives (once), then draw."""
        self.capp.want_history()
        super().on_screen_resume()

    @property
    def thread_tree(self) -> Tree[NodeData]:
        """The tree of rounds and threads."""
        return self.query_one("#thread-tree", Tree)

    def refresh_data(self) -> None:
        """Rebuild the tree (rounds only; each opens lazily), keeping what the steward had
        open and where the cursor was, by record key (a reload never folds the tree)."""
        if not self.data.loaded:
            return
        if self.query_text:
            self._show_results(self.query_text)
            return
        tree = self.thread_tree
        opened = {node.data for node in _walk(tree.root) if node.is_expanded and node.data}
        cursor = tree.cursor_node.data if tree.cursor_node is not None else None
        self._build_rounds(tree)
        if opened or cursor:
            self._reopen(tree, opened, cursor)

    def _reopen(self, tree: Tree[NodeData], opened: set[NodeData],
                cursor: NodeData | None) -> None:
        """Expand again what was open; put the cursor back on the same record."""
        for node in list(tree.root.children):
            if node.data in opened:
                if not node.children and node.data is not None:
                    for story in self.data.stories_of(node.data[1]):
                        self._add_story(node, story)
                node.expand()
                for child in _walk(node):
                    if child.data in opened:
                        child.expand()
        if cursor is not None:
            target = next((n for n in _walk(tree.root) if n.data == cursor), None)
            if target is not None:
                self.call_after_refresh(self._point_at, target)

    def _build_rounds(self, tree: Tree[NodeData]) -> None:
        tree.clear()
        counts: dict[str, int] = {}
        for story in self.data.stories.values():
            counts[story.round_id] = counts.get(story.round_id, 0) + 1
        for rnd in reversed(self.data.rounds_sorted()):
            n = counts.get(rnd.id, 0)
            if not n and not rnd.question:
                continue
            label = Text(f"{rnd.id}  ", style="bold")
            label.append(f"{n} stories · ", style="dim")
            label.append(one_line(rnd.question or "(no question yet)", 60))
            label.append(harvest_mark(self.data.harvests.get(harvest_id(rnd.id))), style="dim")
            tree.root.add(label, data=("round", rnd.id), allow_expand=n > 0)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        """Fill a round's stories the first time it opens."""
        node = event.node
        if node.data and node.data[0] == "round" and not node.children:
            for story in self.data.stories_of(node.data[1]):
                self._add_story(node, story)

    def _label(self, post: Post) -> Text:
        label = Text(self.data.name(post.member_id), style="bold")
        label.append(f" [{post.state.value}] ", style=STATE_STYLE.get(post.state, ""))
        label.append(one_line(post.text, 50))
        return label

    def _add_story(self, parent: TreeNode[NodeData], story: Story) -> None:
        responses = self.data.responses_of(story.id)
        node = parent.add(self._label(story), data=("story", story.id),
                          allow_expand=bool(responses))
        placed: dict[str, TreeNode[NodeData]] = {story.id: node}
        for response in responses:
            holder = placed.get(response.parent_id, node)
            placed[response.id] = holder.add_leaf(self._label(response),
                                                  data=("response", response.id))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        """Show the highlighted story or response."""
        data = event.node.data
        detail = self.query_one("#thread-text", Static)
        self.refresh_keys()
        if data is None:
            return
        kind, key = data
        if kind == "round":
            rnd = self.data.rounds[key]
            text = Text(f"Round {rnd.id} · host {self.data.name(rnd.host_id)}\n", style="bold")
            text.append(plain(rnd.question or ""))
            detail.update(harvest_detail(text, self.data.harvests.get(harvest_id(rnd.id))))
            return
        post: Post | None = (self.data.stories.get(key) if kind == "story"
                             else self.data.responses.get(key))
        if post is not None:
            head = post_header(post, self.data.name(post.member_id), f"round {post.round_id}",
                               self.capp.config.tz)
            detail.update(head.append("\n\n").append(plain(post.text)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Search on enter."""
        self.query_text = event.value.strip()
        self.refresh_data()
        self.thread_tree.focus()

    def _show_results(self, query: str) -> None:
        words = query.lower().split()
        names = {m.id: m.name.lower() for m in self.data.members.values()}
        found: list[Story] = []
        responses_by_story: dict[str, list[Response]] = {}
        for r in self.data.responses.values():
            responses_by_story.setdefault(r.story_id, []).append(r)

        def hay(post: Post) -> str:
            return " ".join((post.text, names.get(post.member_id, ""), *post.themes)).lower()
        for story in sorted(self.data.stories.values(), key=lambda s: s.received_at,
                            reverse=True):
            if story.state == StoryState.WITHDRAWN:
                continue
            texts = [hay(story), *(hay(r) for r in responses_by_story.get(story.id, []))]
            if any(all(w in t for w in words) for t in texts):
                found.append(story)
                if len(found) >= MAX_RESULTS:
                    break
        tree = self.thread_tree
        tree.clear()
        head = tree.root.add(Text(f"“{query}”: {len(found)} threads"
                                  + (" (first 200)" if len(found) >= MAX_RESULTS else ""),
                                  style="bold"), data=None, expand=True)
        for story in found:
            self._add_story(head, story)
        tree.root.expand()

    def reveal(self, story_id: str, focus_id: str = "") -> None:
        """Open the story's round and put the cursor on it (or on `focus_id`, a response)."""
        story = self.data.stories.get(story_id)
        if story is None:
            self.notify(f"Story {story_id} is not loaded yet; try again in a moment.")
            return
        self.query_text = ""
        self.query_one("#search", Input).value = ""
        self.refresh_data()
        tree = self.thread_tree
        for node in tree.root.children:
            if node.data == ("round", story.round_id):
                if not node.children:
                    for member_story in self.data.stories_of(story.round_id):
                        self._add_story(node, member_story)
                node.expand()
                target = self._find(node, focus_id or story_id) or self._find(node, story_id)
                if target is not None:
                    target.expand()
                    self.call_after_refresh(self._point_at, target)
                break
        tree.focus()

    def _point_at(self, node: TreeNode[NodeData]) -> None:
        """Put the cursor on a node once the tree has laid out its lines."""
        self.thread_tree.move_cursor(node)
        self.thread_tree.scroll_to_node(node, animate=False)

    def _find(self, node: TreeNode[NodeData], key: str) -> TreeNode[NodeData] | None:
        for child in node.children:
            if child.data is not None and child.data[1] == key:
                return child
            found = self._find(child, key)
            if found is not None:
                return found
        return None

    def action_harvest(self) -> None:
        """Type or edit the harvest of the round under the cursor (SetHarvest: approved)."""
        node = self.thread_tree.cursor_node
        data = node.data if node is not None else None
        round_id = data[1] if data and data[0] == "round" else (
            self._round_of(data) if data else "")
        if not round_id:
            self.notify("Put the cursor on a round first.", title="Harvest")
            return
        old = self.data.harvests.get(harvest_id(round_id))

        def typed(text: str | None) -> None:
            if text is not None and text.strip() and (
                    old is None or text != old.text or old.state != StoryState.APPROVED):
                self.act("keep the harvest", SetHarvest(round_id=round_id, text=text))
        self.app.push_screen(EditTextScreen(
            f"What the {round_id} gathering harvested", old.text if old else "",
            "Notes, a poem, insights. ctrl+s keeps and approves it for the next digest · "
            "escape cancels"), typed)

    def _round_of(self, data: NodeData) -> str:
        post: Post | None = (self.data.stories.get(data[1]) if data[0] == "story"
                             else self.data.responses.get(data[1]))
        return post.round_id if post is not None else ""

    def action_undo(self) -> None:
        """Take back the last decision on a story or response (as on Review)."""
        self.act("undo", UndoDecision(area="posts"))

    def selected_post(self) -> Post | None:
        """The story or response under the cursor (None on a round)."""
        node = self.thread_tree.cursor_node
        if node is None or node.data is None or node.data[0] == "round":
            return None
        kind, key = node.data
        return self.data.stories.get(key) if kind == "story" else self.data.responses.get(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The decisions need a post under the cursor that its author has not withdrawn."""
        if action in ("approve", "hold", "hide", "visibility"):
            post = self.selected_post()
            return post is not None and post.state != StoryState.WITHDRAWN
        return True

    def _decide(self, what: str, rule: Callable[[Any], Post], intent: Callable[[Post], Any]
                ) -> None:
        """The same decisions as on Review, on the selected post (predicted, then applied)."""
        post = self.selected_post()
        if post is None:
            return
        try:
            new = rule(post)
        except CircleError as exc:
            self.notify(str(exc), title=f"Cannot {what}", severity="warning")
            return
        self.act(what, intent(post), lambda: [new])

    def action_approve(self) -> None:
        """Approve the selected post (again, if it was decided otherwise)."""
        self._decide("approve", t.approve, lambda p: ReviewPost(
            post_id=p.id, action="approve", seen_version=p.version))

    def action_hold(self) -> None:
        """Hold the selected post back."""
        self._decide("hold", lambda p: t.hold(p, "held by the steward"), lambda p: ReviewPost(
            post_id=p.id, action="hold", reason="held by the steward", seen_version=p.version))

    def action_hide(self) -> None:
        """Hide the selected post."""
        self._decide("hide", t.hide, lambda p: ReviewPost(
            post_id=p.id, action="hide", seen_version=p.version))

    def action_visibility(self) -> None:
        """Cycle circle → anonymous → steward only."""
        post = self.selected_post()
        if post is None:
            return
        target = NEXT_VISIBILITY[post.visibility]
        self._decide("change visibility", lambda p: t.set_visibility(p, target),
                     lambda p: SetVisibility(post_id=p.id, visibility=target,
                                             seen_version=p.version))

    def action_search(self) -> None:
        """Focus the search box."""
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        """Back to every round."""
        self.query_text = ""
        self.query_one("#search", Input).value = ""
        self.refresh_data()
        self.thread_tree.focus()


def harvest_mark(harvest: Harvest | None) -> str:
    """' · harvest (pending)' on a round's line when its gathering has a harvest."""
    return "" if harvest is None else f" · harvest ({harvest.state.value})"


def harvest_detail(text: Text, harvest: Harvest | None) -> Text:
    """The round's detail with its harvest below the question (plain text, never markup)."""
    if harvest is None:
        return text.append("\n\nNo harvest yet (H types one).", style="dim")
    text.append(f"\n\nHarvest [{harvest.state.value}]", style="bold")
    text.append(f" · carried by the {harvest.round_id} digest\n", style="dim")
    return text.append(plain(harvest.text))


def _walk(node: TreeNode[NodeData]) -> list[TreeNode[NodeData]]:
    """Every node under `node`, depth first."""
    out: list[TreeNode[NodeData]] = []
    stack = list(node.children)
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out
