"""The command palette provider: every Circle action by name, hiding what cannot run now."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.bindings import ACTIONS, MORE_SCREENS, SCREENS, ActionSpec

TITLES = dict((*SCREENS, *MORE_SCREENS))


class CircleCommands(Provider):
    """Offers every action of every screen; runs it after opening its screen."""

    def _entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        mode = getattr(app, "current_mode", "")
        entries: list[tuple[str, str, Callable[[], object]]] = []
        for spec in ACTIONS:
            if spec.scope == "app":
                label = f"Go to {spec.description}" if spec.id.startswith("goto_") \
                    else spec.description
                entries.append((label, spec.tooltip, partial(self._run, spec)))
                continue
            if spec.scope == mode and self.screen.check_action(spec.action, ()) is False:
                continue
            label = f"{TITLES[spec.scope]}: {spec.description}"
            entries.append((label, spec.tooltip, partial(self._run, spec)))
        return entries

    def _run(self, spec: ActionSpec) -> None:
        app = self.app
        if spec.scope == "app":
            app.call_later(app.run_action, spec.action)
            return

        async def go() -> None:
            if getattr(app, "current_mode", "") != spec.scope:
                await app.switch_mode(spec.scope)
            await app.screen.run_action(spec.action)
        app.call_later(go)

    async def discover(self) -> Hits:
        """Everything, when nothing is typed yet."""
        for label, help_text, callback in self._entries():
            yield DiscoveryHit(label, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy match on the action's name."""
        matcher = self.matcher(query)
        for label, help_text, callback in self._entries():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=help_text)
