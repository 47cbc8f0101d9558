"""Help: what every key does on the current screen and everywhere."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
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
        text = Text()
        title = dict((*SCREENS, *MORE_SCREENS)).get(self.mode, "Circle")
        text.append(f"{title}\n", style="bold")
        for scope in (self.mode, "app"):
            if scope == "app":
                text.append("\nEverywhere\n", style="bold")
            for spec in specs_for(scope):
                key = keymap.get(spec.id, spec.key).replace("question_mark", "?")
                text.append(f"  {key:<24}", style="bold")
                text.append(f"{spec.description}: {spec.tooltip}\n")
        text.append("  ctrl+p                  Command palette: every action by name\n")
        text.append("  ctrl+q                  Quit\n")
        text.append(f"\n{ABOUT}\n", style="italic")
        with Vertical(classes="dialog wide"):
            yield VerticalScroll(Static(text))

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
