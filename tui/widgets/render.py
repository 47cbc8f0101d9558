"""Rendering helpers: member text always as plain, inert `Text` (never markup), dates in words.

Every string that may carry member text goes through `circle.text_safety.inert` here too, so
records stored before the parser sanitised them, steward edits and raw archived mail can never
send an escape sequence, a control character or a bidi override to the steward's terminal.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from circle.model import Response, Story, StoryState, Visibility
from circle.reasons import plain_reasons
from circle.text_safety import inert, inert_line

STATE_STYLE = {StoryState.PENDING: "bold", StoryState.APPROVED: "green",
               StoryState.HELD: "yellow", StoryState.HIDDEN: "dim",
               StoryState.WITHDRAWN: "dim strike"}
VISIBILITY_WORDS = {Visibility.CIRCLE: "circle (with name)",
                    Visibility.ANONYMOUS: "anonymous (without name)",
                    Visibility.STEWARD: "steward only (never leaves this screen)"}


def day(at: datetime | None, tz: tzinfo) -> str:
    """`Wed 25 Nov` in the circle's timezone."""
    return "—" if at is None else at.astimezone(tz).strftime("%a %d %b")


def day_time(at: datetime | None, tz: tzinfo) -> str:
    """`Wed 25 Nov 18:00` in the circle's timezone."""
    return "—" if at is None else at.astimezone(tz).strftime("%a %d %b %H:%M")


def plain(text: str, style: str = "") -> Text:
    """Member text as it is, made inert: no markup, no emoji codes, no highlighting, no escapes."""
    return Text(inert(text), style=style, no_wrap=False)


def one_line(text: str, width: int = 60) -> str:
    """The first words of a text on one line."""
    flat = inert_line(text)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def post_header(post: Story | Response, author: str, round_label: str, tz: tzinfo) -> Text:
    """Who, when, which round, state and visibility, above a story or response."""
    kind = "Story" if isinstance(post, Story) else "Response"
    head = Text()
    head.append(f"{kind} by ", style="dim")
    head.append(inert_line(author), style="bold")
    head.append(f" · {round_label} · {day_time(post.received_at, tz)}\n", style="dim")
    head.append("State: ", style="dim")
    head.append(post.state.value, style=STATE_STYLE.get(post.state, ""))
    head.append("   Visibility: ", style="dim")
    head.append(VISIBILITY_WORDS[post.visibility])
    if post.themes:
        head.append("   Themes: ", style="dim")
        head.append(inert_line(", ".join(post.themes)))
    if post.state == StoryState.HELD and post.held_reasons:
        head.append("\nHeld because: ", style="dim")
        head.append(inert(plain_reasons(post.held_reasons)))
    if post.steward_note:
        head.append("\nNote: ", style="dim")
        head.append(inert(post.steward_note), style="italic")
    return head
