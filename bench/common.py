"""Shared helpers for benchmarks: timing, peak memory, one JSON result line per benchmark."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Best wall-clock seconds of `repeat` runs of `fn`."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(rows: list[dict[str, Any]]) -> None:
    """Print the result rows as the last stdout line (read by bench/__main__.py)."""
    for row in rows:
        row.setdefault("rss_mb", round(peak_rss_mb(), 1))
    sys.stdout.write("BENCH " + json.dumps(rows) + "\n")


def row(figure: str, value: float, baseline: float, unit: str, target: str,
        ok: bool | None = None, **extra: Any) -> dict[str, Any]:
    """One table row: a figure, its same-run baseline, their ratio and the target."""
    ratio = value / baseline if baseline else float("nan")
    return {"figure": figure, "value": round(value, 4), "baseline": round(baseline, 4),
            "ratio": round(ratio, 2), "unit": unit, "target": target, "ok": ok, **extra}
