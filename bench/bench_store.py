"""Store: one write and one cold load with 10,000 stories, against json.dump/json.load."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.common import emit, row, timed
from circle.model import Story
from data.store import TinyStore

N = 10_000


def main() -> None:
    """Fill a store with N stories, then time one write and one cold load."""
    now = datetime(2026, 11, 10, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "data"
        store = TinyStore(d)
        words = "I noticed that when I listen without preparing an answer, something shifts. "
        store.put_many(Story(id=f"s{i:05d}", round_id=f"2026-{i % 12 + 1:02d}",
                             member_id=f"m{i % 12}", text=words * 8, received_at=now)
                       for i in range(N))
        writes = iter(range(1_000))

        def one_write() -> None:  # a real change each time (an unchanged record is a no-op)
            store.put(Story(id=f"extra{next(writes)}", round_id="2026-11", member_id="m1",
                            text="one more", received_at=now))

        write = timed(one_write, repeat=5)
        raw = json.loads(store.path.read_bytes())
        plain = Path(tmp) / "plain.json"

        def baseline_write() -> None:
            with open(plain, "w", encoding="utf-8") as fh:
                json.dump(raw, fh, ensure_ascii=False, separators=(",", ":"))
                fh.flush()
                os.fsync(fh.fileno())

        base_write = timed(baseline_write, repeat=5)

        def cold_open() -> None:
            s = TinyStore(d)
            assert s.count(Story) == N + 5

        def cold_load() -> None:
            s = TinyStore(d)
            assert len(s.all(Story)) == N + 5

        def baseline_load() -> None:
            with open(plain, encoding="utf-8") as fh:
                assert len(json.load(fh)["stories"]) == N + 5

        opened = timed(cold_open, repeat=3)
        load = timed(cold_load, repeat=3)
        base_load = timed(baseline_load, repeat=3)
    emit([
        row("store: one write, 10k stories", write, base_write, "s", "≤ 3× json.dump+fsync",
            write <= 3 * base_write, id="store.write.10k_stories"),
        row("store: cold load, 10k stories", opened, base_load, "s", "≤ 2× json.load",
            opened <= 2 * base_load, id="store.open.10k_stories"),
        row("store: cold load + decode 10k Story records", load, base_load, "s",
            "(no target; json.load gives dicts)", None, id="store.decode.10k_stories"),
    ])


if __name__ == "__main__":
    main()
