"""TUI: first screen with 10,000 stories vs an empty Textual app; moving 100 rows in Review."""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from bench.common import emit, row
from circle.config import Config
from cli.demo.seed import seed_large, seed_store
from data.store import TinyStore

N = 10_000
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
SIZE = (120, 40)


class _Clock:
    def now(self) -> datetime:
        return NOW


class _Empty(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")


class _Table(App[None]):
    """The same-run baseline for moving: a bare DataTable of as many rows."""

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(cursor_type="row")
        table.add_columns("When", "Who", "")
        for i in range(300):
            table.add_row("Mon 16 Nov", f"member {i}", "S", key=str(i))
        yield table


async def _bare_table_moves() -> float:
    async with _Table().run_test(size=SIZE) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        for _ in range(100):
            await pilot.press("down")
        return time.perf_counter() - t0


async def _empty_first_screen() -> float:
    t0 = time.perf_counter()
    app = _Empty()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return time.perf_counter() - t0


async def _circle(data_dir: Path) -> tuple[float, float, float]:
    from tui.app import make_app
    from tui.screens.review import ReviewScreen

    config = Config(name="Lecturers' Circle", slug="lecturers", address="circle@example.org",
                    steward_email="steward@example.org")
    t0 = time.perf_counter()
    store = TinyStore(data_dir)  # a real launch opens (and reads) the store first
    app: Any = make_app(config, store, None, None, _Clock())
    async with app.run_test(size=SIZE) as pilot:
        while not app.data.loaded:
            await asyncio.sleep(0.005)
        await pilot.pause()
        first = time.perf_counter() - t0
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.table.row_count >= 101
        t1 = time.perf_counter()
        for _ in range(100):
            await pilot.press("down")
        move = time.perf_counter() - t1
        screen = app.screen
        t2 = time.perf_counter()
        for _ in range(100):  # the UI thread's own work per move: handler, layout, one frame
            screen.table.action_cursor_down()
            screen._show_current()
            screen._refresh_layout(size=screen.size)
            screen._compositor.render_update(full=True)
        frame = (time.perf_counter() - t2) / 100
    return first, move, frame


def run() -> dict[str, float]:
    """Seed 10,000 stories on disk, then time the first screen and 100 moves in Review."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        seed_store(TinyStore(data_dir), seed_large(N, NOW))
        empty = asyncio.run(_empty_first_screen())
        bare = asyncio.run(_bare_table_moves())
        first, move, frame = asyncio.run(_circle(data_dir))
    result = {"first_screen_s": first, "empty_app_first_screen_s": empty,
              "move_100_rows_s": move, "bare_table_move_100_rows_s": bare,
              "per_row_ms": move * 10, "ui_work_per_move_ms": frame * 1000}
    print(f"first screen with {N} stories: {first:.3f} s (empty Textual app: {empty:.3f} s)")
    print(f"100 moves in the review list: {move:.3f} s ({move * 10:.1f} ms per row, through "
          f"Pilot; a bare DataTable in the same run: {bare:.3f} s)")
    print(f"UI-thread work per move (handler + layout + full frame): {frame * 1000:.1f} ms")
    return result


def main() -> None:
    """Run and emit the benchmark rows."""
    r = run()
    emit([row("tui first screen, 10k stories", r["first_screen_s"],
              r["empty_app_first_screen_s"], "s", "< 1 s", r["first_screen_s"] < 1.0,
              id="tui.first_screen.10k_stories"),
          row("tui move 100 rows in review (Pilot)", r["move_100_rows_s"],
              r["bare_table_move_100_rows_s"], "s", "within 2x of a bare DataTable",
              r["move_100_rows_s"] < 2 * r["bare_table_move_100_rows_s"],
              id="tui.review.move_100"),
          row("tui UI work per move in review", r["ui_work_per_move_ms"], 0.0, "ms",
              "< 50 ms (feels instant)", r["ui_work_per_move_ms"] < 50,
              id="tui.review.ui_per_move")])


if __name__ == "__main__":
    main()
