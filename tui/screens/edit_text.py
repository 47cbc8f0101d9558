"""A text editor dialog: edit a story, a note or a question; escape leaves it unchanged."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class EditTextScreen(ModalScreen[str | None]):
    """Returns the new text, or None if the steward cancelled."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("ctrl+s", "save", "Save", id="edit_save", tooltip="Keep the new text"),
        Binding("escape", "cancel", "Cancel", id="edit_cancel", tooltip="Leave it unchanged"),
    ]

    def __init__(self, title: str, text: str, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.text, self.hint = title, text, hint

    def compose(self) -> ComposeResult:
        """Title, hint, the editor."""
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.hint or "ctrl+s saves · escape cancels", classes="hint",
                         markup=False)
            yield TextArea(self.text, id="editor", soft_wrap=True)

    def action_save(self) -> None:
        """Return the edited text."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
