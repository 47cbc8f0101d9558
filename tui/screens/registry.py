"""Which screen class serves which navigation mode."""

from __future__ import annotations

from tui.screens.base import CircleScreen
from tui.screens.review import ReviewScreen
from tui.screens.today import TodayScreen


def _placeholder(mode: str) -> type[CircleScreen]:
    return type(f"{mode.title()}Screen", (CircleScreen,), {"MODE": mode})


SCREEN_CLASSES: dict[str, type[CircleScreen]] = {
    "today": TodayScreen,
    "review": ReviewScreen,
    "threads": _placeholder("threads"),
    "members": _placeholder("members"),
    "hosts": _placeholder("hosts"),
    "digest": _placeholder("digest"),
    "quarantine": _placeholder("quarantine"),
}
