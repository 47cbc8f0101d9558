"""SVG snapshots of every screen at 80x24 and 120x40 (fixed clock, demo circle)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui_support import demo_app, settle

SCREENS = {"today": "1", "review": "2", "threads": "3", "members": "4", "hosts": "5",
           "digest": "6", "quarantine": "7"}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(screen: str, size: tuple[int, int], tmp_path: Path,
                         snap_compare: Any) -> None:
    app = demo_app(tmp_path)

    async def open_screen(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(SCREENS[screen])
        if screen == "digest":
            await settle(pilot, lambda: app.screen.preview is not None)
        elif screen == "threads":
            await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_screen)


def test_light_theme_snapshot(tmp_path: Path, snap_compare: Any) -> None:
    app = demo_app(tmp_path)

    async def light(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+t", "2")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=light)


# -- interaction states (issue 14): search, member detail, empty queues, a form's inline
# error, the help, progress --

def _quiet_app(data_dir: Path) -> Any:
    """The demo circle with every decision taken: nothing to review, quarantine empty."""
    from circle.model import QuarantineState, StoryState
    from cli.demo.seed import build_demo, seed_store
    from data.store import TinyStore
    from tests.tui_support import FIXED, FixedClock, demo_config
    from tui.app import make_app

    demo = build_demo(FIXED)
    for post in [*demo.stories, *demo.responses]:
        if post.state in (StoryState.PENDING, StoryState.HELD):
            post.state = StoryState.APPROVED
    for item in demo.quarantine:
        item.state = QuarantineState.DISMISSED
    store = TinyStore(data_dir)
    seed_store(store, demo)
    return make_app(demo_config(), store, None, None, FixedClock(), secret=b"test-secret")


async def _keys(pilot: Any, *keys: str) -> None:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _progress(pilot: Any) -> None:
    """The digest screen while sending: the state the send worker reports (4 of 10 done)."""
    await _keys(pilot, "6")
    await settle(pilot, lambda: pilot.app.screen.preview is not None)
    pilot.app.sending, pilot.app.send_progress = True, (4, 10)
    pilot.app.screen.show_progress()
    pilot.app.refresh_screen()
    await pilot.pause()


STATES: dict[str, tuple[bool, Any]] = {  # name: (quiet circle?, what the steward does)
    "members-search": (False, lambda p: _keys(p, "4", "slash", *"an")),
    "member-detail": (False, lambda p: _keys(p, "4", "slash", *"tomasz", "enter", "enter")),
    "review-empty": (True, lambda p: _keys(p, "2")),
    "quarantine-empty": (True, lambda p: _keys(p, "7")),
    "add-member-error": (False, lambda p: _keys(p, "4", "a", *"Ana Again", "tab",
                                                *"ana@example.org", "ctrl+s")),
    "review-help": (False, lambda p: _keys(p, "2", "question_mark")),
    "digest-progress": (False, _progress),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("state", list(STATES))
def test_interaction_snapshot(state: str, size: tuple[int, int], tmp_path: Path,
                              snap_compare: Any) -> None:
    quiet, run_before = STATES[state]
    app = _quiet_app(tmp_path) if quiet else demo_app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
def test_confirm_dialog_snapshot(size: tuple[int, int], tmp_path: Path,
                                 snap_compare: Any) -> None:
    app = demo_app(tmp_path)

    async def confirm(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=confirm)


@SIZES
def test_edit_dialog_inline_error_snapshot(size: tuple[int, int], tmp_path: Path,
                                           snap_compare: Any) -> None:
    app = demo_app(tmp_path)

    async def edit_empty(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("TextArea").text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=edit_empty)


@SIZES
def test_decision_log_snapshot(size: tuple[int, int], tmp_path: Path,
                               snap_compare: Any) -> None:
    from circle.app import apply
    from circle.app.intents import ReviewPost, SetVisibility, UndoDecision
    from circle.model import Story, StoryState, Visibility
    from tests.tui_support import FIXED

    app = demo_app(tmp_path)  # three decisions made before (no toasts to time)
    pending = sorted((s for s in app.store.all(Story) if s.state == StoryState.PENDING),
                     key=lambda s: s.id)
    apply(app.store, ReviewPost(post_id=pending[0].id, action="approve"), FIXED)
    apply(app.store, SetVisibility(post_id=pending[1].id, visibility=Visibility.ANONYMOUS),
          FIXED)
    apply(app.store, UndoDecision(area="posts"), FIXED)

    async def open_the_log(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: getattr(app.screen, "rows", None))

    assert snap_compare(app, terminal_size=size, run_before=open_the_log)
