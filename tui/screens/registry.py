"""Which screen class serves which navigation mode."""

from __future__ import annotations

from tui.screens.base import CircleScreen
from tui.screens.digest import DigestScreen
from tui.screens.hosts import HostsScreen
from tui.screens.members import MembersScreen
from tui.screens.quarantine import QuarantineScreen
from tui.screens.repertoire import RepertoireScreen
from tui.screens.review import ReviewScreen
from tui.screens.threads import ThreadsScreen
from tui.screens.today import TodayScreen

SCREEN_CLASSES: dict[str, type[CircleScreen]] = {
    "today": TodayScreen,
    "review": ReviewScreen,
    "threads": ThreadsScreen,
    "members": MembersScreen,
    "hosts": HostsScreen,
    "digest": DigestScreen,
    "quarantine": QuarantineScreen,
    "repertoire": RepertoireScreen,
}
