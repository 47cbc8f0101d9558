"""Growth checks instead of wall-clock bounds: same-run ratios hold under load and coverage.

`assert_linear(make, run, n)` times `run(make(n))` against `run(make(n // 4))` (inputs built
outside the timing) and fails when the big input costs more than 10 times the
small one: linear work costs about 4 times, quadratic 16 times. A machine that is busy or slow
(coverage, 2 shared cores) slows both alike, so the ratio stays; a hiccup during the small run
only makes the check laxer, never red.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
SHRINK = 4
LIMIT = 10.0
FLOOR = 0.05  # seconds: below this both runs are noise, and nothing can be quadratic in time


def timed(run: Callable[[T], R], arg: T) -> tuple[float, R]:
    """Seconds `run(arg)` took, and what it returned."""
    started = time.perf_counter()
    result = run(arg)
    return time.perf_counter() - started, result


def assert_linear(make: Callable[[int], T], run: Callable[[T], R], n: int, *,
                  limit: float = LIMIT) -> R:
    """Fail when `run` grows faster than linearly from n // 4 to n; `run(make(n))`'s result."""
    small, _ = timed(run, make(max(1, n // SHRINK)))
    big, result = timed(run, make(n))
    assert big <= limit * small + FLOOR, (
        f"{big:.3f}s at n={n} vs {small:.3f}s at n={n // SHRINK}: grows faster than linearly "
        f"(ratio {big / max(small, 1e-9):.1f}, linear is about {SHRINK})")
    return result
