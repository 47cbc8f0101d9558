"""Soak sizes: the SIGKILL soaks (marker `soak`) run a small seeded trial count by default and
the full one (>= 50 kills each) with `pytest --soak=full` or CIRCLE_SOAK=full (`make test-slow`,
which CI runs after `make test`). The seeds are fixed, so a quick run is a prefix of a full one.
"""

from __future__ import annotations

import os

SOAK_ENV = "CIRCLE_SOAK"
QUICK_TRIALS = 12


class Soak:
    """How many seeded kills a soak makes in this run."""

    def __init__(self, full: bool) -> None:
        self.full = full

    @classmethod
    def from_mode(cls, option: str | None) -> Soak:
        """From `--soak` (None: $CIRCLE_SOAK, else quick); a ValueError names a bad value."""
        mode = option or os.environ.get(SOAK_ENV, "") or "quick"
        if mode not in ("quick", "full"):
            raise ValueError(f"{SOAK_ENV}={mode}: use quick or full")
        return cls(mode == "full")

    def trials(self, full: int) -> int:
        """`full` in a full run, else the quick count (never more than `full`)."""
        return full if self.full else min(full, QUICK_TRIALS)
