"""A text editor dialog: edit a story, a note or a question; ctrl+s saves, escape cancels.

Enter makes a new line (it is a multi-line editor); ctrl+s saves. When `validate` finds a
problem, it is shown under the editor, the dialog stays open and the text is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

KEYS_HINT = "ctrl+s saves · escape cancels · enter starts a new line"
Check = Callable[[str], str]  # the text → what is wrong with it ("" when it is fine)


class EditTextScreen(ModalScreen[str | None]):
    """Returns the new text, or None if the steward cancelled."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("ctrl+s", "save", "Save", id="edit_save", tooltip="Keep the new text"),
        Binding("escape", "cancel", "Cancel", id="edit_cancel", tooltip="Leave it unchanged"),
    ]

    def __init__(self, title: str, text: str, hint: str = "",
                 validate: Check | None = None) -> None:
        super().__init__()
        self.title_text, self.text, self.hint = title, text, hint
        self.validate = validate

    def compose(self) -> ComposeResult:
        """Title, hint, the editor, its error line, the keys."""
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.hint:
                yield Static(self.hint, classes="hint", markup=False)
            yield TextArea(self.text, id="editor", soft_wrap=True)
            yield Static("", id="error-text", classes="field-error", markup=False)
            yield Static(KEYS_HINT, classes="hint keys", markup=False)

    def action_save(self) -> None:
        """Return the edited text, or say what is wrong and stay open."""
        text = self.query_one(TextArea).text
        problem = self.validate(text) if self.validate is not None else ""
        line = self.query_one("#error-text", Static)
        line.update(problem)
        line.set_class(bool(problem), "shown")
        if problem:
            self.query_one(TextArea).focus()
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
