"""A yes/no confirmation that states exactly what will happen, with its keys shown."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

KEYS_HINT = "y or enter: yes · n or escape: no"
KEYS_HINT_CAREFUL = "y: yes · n, escape or enter: no"


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that matters; True means go ahead.

    The Yes button has the focus, so Enter (like y) goes ahead; n or escape leaves it. For what
    cannot be taken back (`careful=True`: sending mail to every member) the No button has the
    focus instead, so a stray Enter leaves it and only y goes ahead.
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes", tooltip="Go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no", tooltip="Leave it"),
    ]

    def __init__(self, title: str, body: str, yes: str = "Yes", *, careful: bool = False) -> None:
        super().__init__()
        self.title_text, self.body, self.yes, self.careful = title, body, yes, careful

    def compose(self) -> ComposeResult:
        """Title, the consequence in words, two buttons, the keys."""
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.body, markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")
            yield Static(KEYS_HINT_CAREFUL if self.careful else KEYS_HINT, classes="hint keys",
                         markup=False)

    def on_mount(self) -> None:
        """Enter answers yes (the primary button has the focus), or no when careful."""
        self.query_one("#no" if self.careful else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """A key answers."""
        self.dismiss(yes)
