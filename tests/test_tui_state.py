"""The TUI over the state core: failed writes revert the view, dead workers are loud and
restore what they owned, older snapshots never replace newer ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from circle.errors import StoreError
from circle.model import Story, StoryState
from tests.tui_support import demo_app, settle
from tui.messages import DataLoaded
from tui.screens.review import ReviewScreen
from tui.snapshot import CircleData


async def test_a_failed_write_reverts_the_view_and_says_why(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        first = next(p for p in app.data.review_queue(include_held=True)
                     if isinstance(p, Story) and p.state == StoryState.PENDING)
        screen.table.move_cursor(row=screen.table.get_row_index(first.id))
        await settle(pilot)
        assert screen.current() == first
        rows = screen.table.row_count

        def disk_full(_records: object) -> None:
            raise StoreError("could not write the store: No space left on device")
        monkeypatch.setattr(app.store, "put_many", disk_full)
        await pilot.press("a")
        await settle(pilot, until=lambda: any("No space left" in n.message
                                              for n in app._notifications))
        await settle(pilot, until=lambda: app.data.stories[first.id].state
                     == StoryState.PENDING and screen.table.row_count == rows)
        assert app.store.get(Story, first.id).state == StoryState.PENDING  # type: ignore[union-attr]
        told = [n for n in app._notifications if "No space left" in n.message]
        assert told[0].title == "Could not approve" and told[0].severity == "error"


async def test_an_unexpected_error_in_the_sending_worker_is_shown_and_sending_is_restored(
        tmp_path: Path) -> None:
    app = demo_app(tmp_path, sink=object())  # never reached: preparing fails first

    def prepare() -> list[object]:
        raise PermissionError(13, "Permission denied", str(tmp_path / "sending.lock"))

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.start_sending(prepare, "digest")
        assert app.sending
        await settle(pilot, until=lambda: not app.sending)
        told = [n for n in app._notifications if "Permission denied" in n.message]
        assert told and told[0].severity == "error"
        await pilot.press("5")  # the Digest screen: its send keys are offered again
        await settle(pilot)
        assert app.screen.check_action("send_test", ()) is True


async def test_an_older_snapshot_never_replaces_a_newer_one(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        current = app.data
        stale = CircleData(loaded=True)  # e.g. a slow load started before the last one
        app.post_message(DataLoaded(stale, 0.1, app.generation - 1))
        await pilot.pause()
        await settle(pilot)
        assert app.data is current and app.data.members


async def test_threads_reach_the_rounds_moved_to_the_archives(tmp_path: Path) -> None:
    """Closed rounds leave the hot file; Threads still lists them (read once, in a worker)."""
    from datetime import timedelta

    from circle.app.maintenance import archive_closed
    from circle.model import Round
    from tests.tui_support import FIXED

    app = demo_app(tmp_path)
    moved = archive_closed(app.store, FIXED + timedelta(days=1))
    archived = {r.id for r in app.store.archived(Round)}
    assert moved and archived and not archived & {r.id for r in app.store.all(Round)}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.history is None  # the first screen never waits for the archives
        await pilot.press("3")
        await settle(pilot, until=lambda: app.history is not None)
        tree = app.screen.thread_tree
        listed = {node.data[1] for node in tree.root.children if node.data}
        assert archived <= listed, archived - listed


async def test_threads_keep_what_was_open_and_the_cursor_across_a_reload(tmp_path: Path) -> None:
    """Another process writes, the snapshot reloads: the tree stays as the steward left it."""
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot, until=lambda: app.history is not None)
        tree = app.screen.thread_tree
        first = next(n for n in tree.root.children if n.allow_expand)
        first.expand()
        await settle(pilot, until=lambda: bool(first.children))
        story = first.children[0]
        tree.move_cursor(story)
        await pilot.pause()
        app.action_reload()  # what the poll does when `circle run` writes
        await settle(pilot)
        await pilot.pause(0.1)
        tree = app.screen.thread_tree
        again = next(n for n in tree.root.children if n.data == first.data)
        assert again.is_expanded
        assert tree.cursor_node is not None and tree.cursor_node.data == story.data
