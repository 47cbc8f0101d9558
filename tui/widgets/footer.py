"""The footer: the screen's keys, fitting the terminal (80 columns keep the essential ones).

At a width under `WIDE` columns the footer is compact and leaves out the keys listed in
`tui.bindings.SECONDARY_KEYS` and the ctrl+p hint (they stay in `?` help, which names the
palette, and in the palette itself), so every screen shows its essential key hints at 80×24.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.bindings import SECONDARY_KEYS

WIDE = 100


class CircleFooter(Footer):
    """Footer that drops secondary keys and padding when the terminal is narrow."""

    def narrow(self) -> bool:
        """Whether the terminal is narrower than `WIDE` columns."""
        return self.app.size.width < WIDE

    def compose(self) -> ComposeResult:
        """The shown bindings of the screen (secondary ones only when wide), then the palette."""
        if not self._bindings_ready:
            return
        narrow = self.narrow()
        self.compact = narrow
        seen: set[str] = set()
        active = self.screen.active_bindings
        keys: list[FooterKey] = []
        for _node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            if narrow and binding.id in SECONDARY_KEYS:
                continue
            seen.add(binding.action)
            keys.append(FooterKey(binding.key, self.app.get_key_display(binding),
                                  binding.description, binding.action, disabled=not enabled,
                                  tooltip=tooltip).data_bind(compact=Footer.compact))
        self.styles.grid_size_columns = len(keys)
        yield from keys
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and not narrow:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                yield FooterKey(binding.key, self.app.get_key_display(binding),
                                binding.description, binding.action,
                                classes="-command-palette", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)

    def on_resize(self, _event: events.Resize) -> None:
        """Crossing the width threshold changes which keys fit."""
        narrow = self.narrow()
        if narrow != getattr(self, "_was_narrow", None):
            self._was_narrow = narrow
            self.call_after_refresh(self.recompose)
