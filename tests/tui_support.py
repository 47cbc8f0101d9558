"""Shared helpers for the TUI tests: a seeded store on disk, the app, waiting for it to settle."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from circle.config import Config
from cli.demo.seed import build_demo, seed_store
from data.store import TinyStore
from tui.app import CircleApp, make_app

FIXED = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


class FixedClock:
    """Always the same moment, so screens and snapshots are stable."""

    def now(self) -> datetime:
        return FIXED


def demo_config(**keys: str) -> Config:
    return Config(name="Lecturers' Circle", slug="lecturers", address="circle@example.org",
                  steward_email="steward@example.org", keys=dict(keys))


def seeded_store(data_dir: Path, extra: list[Any] | None = None) -> TinyStore:
    store = TinyStore(data_dir)
    seed_store(store, build_demo(FIXED))
    if extra:
        store.put_many(extra)
    return store


def demo_app(data_dir: Path, *, sink: Any = None, extra: list[Any] | None = None,
             **keys: str) -> CircleApp:
    store = seeded_store(data_dir, extra)
    return make_app(demo_config(**keys), store, None, sink, FixedClock(), secret=b"test-secret")


async def settle(pilot: Any, until: Any = None, timeout: float = 10.0) -> None:
    """Wait until the data is loaded, the writer is idle and `until()` (if given) holds."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await pilot.pause(0.02)
        if app.data.loaded and app.writer.idle() and not app.sending and (
                until is None or until()):
            await pilot.pause()
            return
    raise AssertionError("the app did not settle in time")


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
