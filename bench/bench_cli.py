"""Start-up: `circle --help` and `circle status` at 10,000 stories, against `python -c pass`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.common import emit, row, timed
from cli.demo.seed import seed_large, seed_store
from data.store import TinyStore

CIRCLE = [sys.executable, "-m", "cli.main"]


def main() -> None:
    """Seed a 10k-story circle, then time the commands as new processes (best of 5)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        seed_store(TinyStore(data), seed_large(10_000, datetime(2026, 11, 16, 10, tzinfo=UTC)))
        config = root / "config.toml"
        config.write_text(f"""[circle]
name = "Bench circle"
slug = "bench"
address = "circle@example.org"
steward_email = "steward@example.org"
data_dir = "{data}"
""", encoding="utf-8")
        env = {**os.environ, "CIRCLE_CONFIG": str(config), "CIRCLE_SECRET": "bench"}

        def run(*args: str) -> None:
            subprocess.run([*CIRCLE, *args], env=env, check=True, capture_output=True)

        floor = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                      repeat=5)
        helped = timed(lambda: run("--help"), repeat=5)
        status = timed(lambda: run("status"), repeat=5)
    emit([row("cli: circle --help", helped, floor, "s", "≤ 0.25 s", helped <= 0.25,
              id="cli.help"),
          row("cli: circle status, 10k stories", status, floor, "s", "≤ 0.5 s", status <= 0.5,
              id="cli.status")])


if __name__ == "__main__":
    main()
