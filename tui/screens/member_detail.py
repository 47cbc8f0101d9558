"""One member in full: status, role, delivery problems in words, their stories, hosting."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from circle.app.views import MemberProfile
from tui.widgets.render import one_line, plain


class MemberDetailScreen(ModalScreen[None]):
    """Read-only; escape (or enter) goes back to the list, where every change is a key."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape,enter", "close", "Back", id="member_detail_close",
                tooltip="Back to the members"),
    ]

    def __init__(self, profile: MemberProfile) -> None:
        super().__init__()
        self.profile = profile

    def compose(self) -> ComposeResult:
        """Title, the profile as text, the keys."""
        with Vertical(classes="dialog wide", id="member-detail"):
            yield Static(Text(one_line(self.profile.name, 60)), classes="dialog-title")
            with VerticalScroll():
                yield Static(render_profile(self.profile), id="member-detail-text")
            yield Static("esc back · on the list: e edit · h hosting · p pause · r resume",
                         classes="hint", markup=False)

    def action_close(self) -> None:
        """Back to the list."""
        self.dismiss(None)


def render_profile(p: MemberProfile) -> Text:
    """The profile as plain, inert Text (names and story words are member text)."""
    text = Text()

    def field(label: str, value: str, style: str = "") -> None:
        text.append(f"{label}: ", style="bold")
        text.append(plain(value, style=style))
        text.append("\n")
    field("Email", p.email + (f" (also {', '.join(p.aliases)})" if p.aliases else ""))
    field("Status", p.status, "yellow" if p.status.startswith("paused") else "")
    field("Role", p.role)
    text.append("\nDelivery\n", style="bold underline")
    if p.delivery:
        for line in p.delivery:
            text.append("  • ").append(plain(line)).append("\n")
    else:
        text.append("  Every email reached them.\n", style="green")
    text.append(f"\nStories ({len(p.stories)}) · responses written: {p.responses}\n",
                style="bold underline")
    for round_id, state, visibility, words in p.stories[:24]:
        text.append(f"  {round_id}  {state:<9} {visibility:<9} ", style="dim")
        text.append(one_line(words, 28)).append("\n")
    if not p.stories:
        text.append("  No story yet.\n", style="italic")
    text.append("\nHosting\n", style="bold underline")
    for round_id, when, what in p.hosting:
        text.append(f"  {round_id}  {when:%d %b %Y}  {what}\n")
    if not p.hosting:
        text.append("  Never hosted nor asked.\n", style="italic")
    if p.note:
        text.append("\nSteward's note (private): ", style="bold")
        text.append(plain(p.note, style="italic"))
    return text
