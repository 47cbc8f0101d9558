"""Intents the headless command line needs beyond the TUI's (`circle/app/intents.py`).

Plain immutable data like every intent; their use-cases live in `circle/app/planning.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from circle.app.intents import Intent
from circle.config import Config


@dataclass(frozen=True)
class PlanRounds(Intent):
    """Add the coming rounds the schedule implies (idempotent): the next `ahead` months."""

    config: Config
    ahead: int = 12
