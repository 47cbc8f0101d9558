"""A small form dialog: labelled one-line fields; Enter saves when valid, escape cancels.

Enter in any field saves the form (it never moves to the next field and selects its text:
tab does that). When `validate` finds a problem, the error appears under its field, the
dialog stays open and every input is kept as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from circle.errors import CircleError

Field = tuple[str, str, str]  # (name, label, initial value)
Values = dict[str, str]
Validate = Callable[[Values], dict[str, str]]  # field name → what is wrong ({} when valid)
KEYS_HINT = "enter saves · tab next field · escape cancels"


def raises_for(field: str, check: Callable[[Values], object]) -> Validate:
    """A `validate` from a check that raises CircleError: its message goes under `field`."""
    def validate(values: Values) -> dict[str, str]:
        try:
            check(values)
        except CircleError as exc:
            return {field: str(exc)}
        return {}
    return validate


class FormScreen(ModalScreen[Values | None]):
    """Returns {field name: value}, or None if cancelled."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "Cancel", id="form_cancel", tooltip="Leave it unchanged"),
        Binding("ctrl+s", "submit", "Save", id="form_save", tooltip="Save the form"),
    ]

    def __init__(self, title: str, fields: list[Field], hint: str = "",
                 validate: Validate | None = None) -> None:
        super().__init__()
        self.title_text, self.fields, self.hint = title, fields, hint
        self.validate = validate

    def compose(self) -> ComposeResult:
        """One label, input and (hidden until needed) error line per field; the keys."""
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.hint:
                yield Static(self.hint, classes="hint", markup=False)
            for name, label, value in self.fields:
                yield Label(label, markup=False)
                yield Input(value, id=f"field-{name}", select_on_focus=False)
                yield Static("", id=f"error-{name}", classes="field-error", markup=False)
            yield Static(KEYS_HINT, classes="hint keys", markup=False)

    def values(self) -> Values:
        """What is typed now, trimmed."""
        return {name: self.query_one(f"#field-{name}", Input).value.strip()
                for name, _label, _value in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field: save if the form is valid (focus stays where it is)."""
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        """Return the values, or show what is wrong next to its field and stay open."""
        values = self.values()
        errors = self.validate(values) if self.validate is not None else {}
        for name, _label, _value in self.fields:
            line = self.query_one(f"#error-{name}", Static)
            line.update(errors.get(name, ""))
            line.set_class(name in errors, "shown")
        if errors:
            first = next(name for name, _l, _v in self.fields if name in errors)
            self.query_one(f"#field-{first}", Input).focus()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
