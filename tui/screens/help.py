"""Help: what every key does on the current screen and everywhere.

The keys are a two-column table: the key column is as wide as the longest key, and a long
description wraps inside its own column, so the help reads well at 80 columns too.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.bindings import MORE_SCREENS, SCREENS, specs_for

ABOUT = ("Circle keeps the circle's mail so you can tend the people. Nothing a member sent is "
         "ever deleted; hiding and holding can always be undone. Every action is also in the "
         "command palette (ctrl+p). Keys can be changed in the [keys] table of the config.")


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys for this screen, then the keys that work everywhere."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help_close",
                tooltip="Back to the screen"),
    ]

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        """The text of the help."""
        keymap = self.app._keymap  # the keys after the config's remapping
        title = dict((*SCREENS, *MORE_SCREENS)).get(self.mode, "Circle")
        sections: list[tuple[str, list[tuple[str, str]]]] = []
        for scope, heading in ((self.mode, title), ("app", "Everywhere")):
            rows = [(shown_keys(keymap.get(spec.id, spec.key)),
                     f"{spec.description}: {spec.tooltip}") for spec in specs_for(scope)]
            if scope == "app":
                rows += [("ctrl+p", "Command palette: every action by name"),
                         ("ctrl+q", "Quit")]
            sections.append((heading, rows))
        width = max((len(key) for _h, rows in sections for key, _w in rows), default=0)
        parts: list[Text | Table] = []
        for heading, rows in sections:
            parts += [Text(heading, style="bold"), keys_table(rows, width), Text()]
        parts.append(Text(ABOUT, style="italic"))
        with Vertical(classes="dialog wide help"):
            yield VerticalScroll(Static(Group(*parts)))

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)


def shown_keys(keys: str) -> str:
    """A binding's keys as the steward types them: "j,right_square_bracket" → "j or ]"."""
    return " or ".join(format_key(key) for key in keys.split(",") if key)


def keys_table(rows: list[tuple[str, str]], key_width: int) -> Table:
    """Keys in bold on the left (never wrapped, `key_width` wide so every section lines up),
    what they do on the right (wrapped inside its column)."""
    table = Table.grid(padding=(0, 2), pad_edge=False)
    table.add_column(style="bold", no_wrap=True, min_width=key_width + 2)
    table.add_column(ratio=1)
    for key, words in rows:
        table.add_row(f"  {key}", words)
    return table
