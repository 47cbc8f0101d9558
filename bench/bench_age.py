"""The store at 1, 3 and 10 years: write cost, cold open, first TUI screen, full-text search.

Writes are medians of 15 (the machine is shared; a best-of would flatter, a mean would
follow the neighbours).

A 200-member circle is simulated month by month (bench/history.py). At each age: one write
(a member's pause, as the CLI or the mail loop makes it) against the same-run floor of
`json.dump + fsync` of the same hot data; the file sizes. At 10 years: a cold open of what
the TUI and the daemon need (the hot snapshot), the TUI's first screen against an empty
Textual app, and a search over every story of the ten years against a plain scan of the
same texts held in memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import emit, row, timed
from bench.history import Age, advance, now_at, start
from circle.app import apply
from circle.app.intents import PauseMember, ResumeMember
from circle.app.maintenance import archive_closed
from circle.model import Response, Story
from data.store import TinyStore
from tui.snapshot import load_snapshot

AGES = (("1y", 12), ("3y", 36), ("10y", 120))


def _one_write(store: TinyStore, at: datetime) -> float:
    """Median of 15: one intent (pause, then resume) in its own transaction and fsync."""
    took = []
    for n in range(15):
        intent = PauseMember(member_id="m007") if n % 2 == 0 else ResumeMember(member_id="m007")
        t0 = time.perf_counter()
        outcome = apply(store, intent, at)
        took.append(time.perf_counter() - t0)
        assert outcome.ok, outcome.refused
    return statistics.median(took)


def _floor(store: TinyStore, tmp: Path) -> float:
    """json.dump + fsync of the hot data: what any JSON store must pay for the same file."""
    data = json.loads(store.path.read_bytes())
    target = tmp / "floor.json"

    def write() -> None:
        with open(target, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
    took = []
    for _ in range(15):
        t0 = time.perf_counter()
        write()
        took.append(time.perf_counter() - t0)
    return statistics.median(took)


async def _first_screen(data_dir: Path, at: datetime) -> float:
    from circle.config import Config
    from tui.app import make_app

    class Clock:
        def now(self) -> datetime:
            return at

    config = Config(name="Bench circle", slug="bench", address="circle@example.org",
                    steward_email="steward@example.org")
    t0 = time.perf_counter()
    store = TinyStore(data_dir)
    app: Any = make_app(config, store, None, None, Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.data.loaded:
            await asyncio.sleep(0.005)
        await pilot.pause()
        return time.perf_counter() - t0


async def _empty_screen() -> float:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Empty(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    t0 = time.perf_counter()
    async with Empty().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return time.perf_counter() - t0


def main() -> None:
    """Simulate, measure at each age, print the rows."""
    rng = random.Random(20261201)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        store = TinyStore(data_dir)
        start(store)
        age = Age()
        writes: dict[str, float] = {}
        for label, months in AGES:
            t0 = time.perf_counter()
            advance(store, age, months, rng)
            built = time.perf_counter() - t0
            at = now_at(age)
            archive_closed(store, at)  # as the daemon has done after every fetch meanwhile
            writes[label] = _one_write(store, at)
            sizes = store.file_sizes()
            rows.append(row(f"store: one write, 200 members, {label}", writes[label],
                            _floor(store, tmp), "s", "≤ 0.030 s", writes[label] <= 0.030,
                            id=f"store.write.{label}",
                            hot_kb=round(sizes["hot"] / 1024), archive_kb=round(
                                sizes["archive"] / 1024), blobs_kb=round(sizes["blobs"] / 1024),
                            simulated_in_s=round(built, 1)))
        growth = writes["10y"] / writes["1y"]
        rows.append(row("store: one write, 10y ÷ 1y", growth, 1.0, "×", "≤ 1.5×", growth <= 1.5,
                        id="store.write.growth"))
        at = now_at(age)
        hot = json.loads(store.path.read_bytes())
        hot_rows = sum(len(v) for v in hot.values())

        def cold_open() -> None:
            fresh = TinyStore(data_dir)
            data = load_snapshot(fresh)
            assert data.members and data.rounds

        def plain_load() -> None:
            assert len(json.loads(store.path.read_bytes())) > 1

        opened = timed(cold_open, repeat=3)
        rows.append(row("store: cold open + TUI/daemon snapshot, 10y", opened,
                        timed(plain_load, repeat=3), "s", "≤ 0.100 s", opened <= 0.100,
                        id="store.open.10y", hot_records=hot_rows))
        first = min(asyncio.run(_first_screen(data_dir, at)) for _ in range(2))
        empty = min(asyncio.run(_empty_screen()) for _ in range(2))
        rows.append(row("tui: first screen, 10y", first, empty, "s", "≤ 1 s", first <= 1.0,
                        id="tui.first_screen.10y"))
        # cold: a new process (as a TUI or `circle` command would be), nothing cached; timed
        # inside it, so interpreter start-up is not counted. Best of three such processes.
        probe = ("import sys, time; from pathlib import Path; from data.store import TinyStore;"
                 "from circle.app.search import search; s = TinyStore(Path(sys.argv[1]));"
                 "t = time.perf_counter(); n = len(search(s, 'patience courage'));"
                 "print(time.perf_counter() - t, n)")
        runs = [subprocess.run([sys.executable, "-c", probe, str(data_dir)], check=True,
                               capture_output=True, text=True).stdout.split()
                for _ in range(3)]
        cold = min(float(took) for took, _ in runs)
        found = int(runs[0][1])
        fresh = TinyStore(data_dir)
        total = len(fresh.project_archived(Story, "id")) + len(fresh.project(Story, "id"))
        texts = [str(t).casefold() for (t,) in [*fresh.project_archived(Story, "text"),
                                                 *fresh.project_archived(Response, "text")]]

        def scan() -> None:
            assert sum(1 for t in texts if "patience" in t and "courage" in t) >= 0
        rows.append(row("archive: full-text search, all stories+responses, 10y (cold)", cold,
                        timed(scan, repeat=3), "s", "≤ 0.200 s", cold <= 0.200,
                        id="archive.search.10y", hits=found, stories=total))
        # The Repertoire screen's query (circle.app.repertoire_search.find): words plus a theme
        # and a question filter, every year, no cap; cold, as above; baseline the same scan.
        probe = ("import sys, time; from pathlib import Path; from data.store import TinyStore;"
                 "from circle.app.repertoire import every; from circle.model import Member, Round;"
                 "from circle.app.repertoire_search import find, parse_query;"
                 "s = TinyStore(Path(sys.argv[1])); t = time.perf_counter();"
                 "q = parse_query('patience theme:courage question:story');"
                 "n = len(find(s, q, s.all(Member), every(s, Round)));"
                 "print(time.perf_counter() - t, n)")
        runs = [subprocess.run([sys.executable, "-c", probe, str(data_dir)], check=True,
                               capture_output=True, text=True).stdout.split()
                for _ in range(3)]
        cold = min(float(took) for took, _ in runs)
        rows.append(row("repertoire: search, words + theme: + question:, 10y (cold)", cold,
                        timed(scan, repeat=3), "s", "≤ 0.300 s", cold <= 0.300,
                        id="repertoire.search.10y", hits=int(runs[0][1]), stories=total))
    emit(rows)


if __name__ == "__main__":
    main()

