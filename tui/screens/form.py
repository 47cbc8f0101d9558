"""A small form dialog: labelled one-line fields, enter to submit, escape to cancel."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

Field = tuple[str, str, str]  # (name, label, initial value)


class FormScreen(ModalScreen[dict[str, str] | None]):
    """Returns {field name: value}, or None if cancelled."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "Cancel", id="form_cancel", tooltip="Leave it unchanged"),
        Binding("ctrl+s", "submit", "Save", id="form_save", tooltip="Save the form"),
    ]

    def __init__(self, title: str, fields: list[Field], hint: str = "") -> None:
        super().__init__()
        self.title_text, self.fields, self.hint = title, fields, hint

    def compose(self) -> ComposeResult:
        """One label and input per field."""
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.hint:
                yield Static(self.hint, classes="hint", markup=False)
            for name, label, value in self.fields:
                yield Label(label, markup=False)
                yield Input(value, id=f"field-{name}")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: next field, or submit on the last one."""
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            inputs[inputs.index(event.input) + 1].focus()

    def action_submit(self) -> None:
        """Return the values."""
        self.dismiss({name: self.query_one(f"#field-{name}", Input).value.strip()
                      for name, _label, _value in self.fields})

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
