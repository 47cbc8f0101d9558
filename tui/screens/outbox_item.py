"""One outbox item in full: why it waits (state, tries, the relay's words, its history) and the
message itself; before a resend, the same view asks to confirm."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from circle.model import OutboxItem, OutboxState
from tui.widgets.render import plain

STATE_WORDS = {
    OutboxState.QUEUED: "waiting to be sent",
    OutboxState.SENDING: "being handed to the relay now",
    OutboxState.SENT: "sent",
    OutboxState.FAILED_TEMPORARY: "the relay refused it for now; it is tried again later",
    OutboxState.FAILED_PERMANENT: "the relay refused it for good",
    OutboxState.UNCERTAIN: "sending was interrupted: it may or may not have arrived",
    OutboxState.DROPPED: "dropped: it will never be sent",
}


def reason_text(item: OutboxItem) -> Text:
    """Why the item is where it is, in full (never cut)."""
    text = Text()
    text.append("State: ", style="bold")
    text.append(f"{item.state.value} — {STATE_WORDS.get(item.state, '')}\n")
    text.append("Tries: ", style="bold")
    text.append(f"{item.attempts}\n")
    if item.last_error:
        text.append("The relay said: ", style="bold")
        text.append_text(plain(item.last_error))
        text.append("\n")
    if item.history:
        text.append("History:\n", style="bold")
        for line in item.history[-8:]:
            text.append_text(plain(f"  {line}\n"))
    return text


class OutboxItemScreen(ModalScreen[bool]):
    """The item's reason and message; with `resend`, True means send it again."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("y", "answer(True)", "Resend", id="outbox_item_yes",
                tooltip="Send this message again now"),
        Binding("n,escape", "answer(False)", "Close", id="outbox_item_no",
                tooltip="Leave it as it is"),
    ]

    def __init__(self, item: OutboxItem, headline: str, message: str, *,
                 resend: bool = False) -> None:
        super().__init__()
        self.item, self.headline, self.message, self.resend = item, headline, message, resend

    def compose(self) -> ComposeResult:
        """Title, the reason, the message, and the answer buttons."""
        title = (f"Resend this {self.item.kind} to {self.item.recipient}?" if self.resend
                 else f"Outbox: {self.item.kind} to {self.item.recipient}")
        with Vertical(classes="dialog wide", id="outbox-item"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Static(reason_text(self.item), id="outbox-reason")
            with VerticalScroll(id="outbox-message"):
                yield Static(plain(f"{self.headline}\n\n{self.message}"), id="outbox-body")
            with Horizontal(classes="buttons"):
                if self.resend:
                    yield Button("Resend it (y)", variant="primary", id="yes")
                    yield Button("No (n)", id="no")
                else:
                    yield Button("Close (escape)", id="no")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`y` only answers a resend question."""
        if action == "answer" and parameters == (True,):
            return self.resend
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers."""
        self.dismiss(self.resend and event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """A key answers."""
        self.dismiss(self.resend and yes)
