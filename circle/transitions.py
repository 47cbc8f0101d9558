"""Legal state changes of members, stories, responses and quarantine items; illegal ones refuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar

from circle.errors import TransitionError
from circle.model import (
    Appreciation,
    Member,
    MemberStatus,
    QuarantineItem,
    QuarantineState,
    Response,
    Story,
    StoryState,
    Visibility,
)

Post = TypeVar("Post", Story, Response, Appreciation)

# Which review states may follow which. Withdrawn is final: the author took it back.
_REVIEW: dict[StoryState, frozenset[StoryState]] = {
    StoryState.PENDING: frozenset({StoryState.APPROVED, StoryState.HELD, StoryState.HIDDEN,
                                   StoryState.WITHDRAWN}),
    StoryState.APPROVED: frozenset({StoryState.HELD, StoryState.HIDDEN, StoryState.PENDING,
                                    StoryState.WITHDRAWN}),
    StoryState.HELD: frozenset({StoryState.APPROVED, StoryState.HIDDEN, StoryState.PENDING,
                                StoryState.WITHDRAWN}),
    StoryState.HIDDEN: frozenset({StoryState.APPROVED, StoryState.HELD, StoryState.PENDING,
                                  StoryState.WITHDRAWN}),
    StoryState.WITHDRAWN: frozenset(),
}


def _what(post: Story | Response | Appreciation) -> str:
    return f"{type(post).__name__.lower()} {post.id}"


def move(post: Post, target: StoryState) -> Post:
    """Move a story/response/appreciation to `target`, refusing illegal moves."""
    if target == post.state:
        return post
    if target not in _REVIEW[post.state]:
        hint = " (its author withdrew it)" if post.state == StoryState.WITHDRAWN else ""
        raise TransitionError(f"cannot move {_what(post)} from {post.state} to {target}{hint}")
    return replace(post, state=target)


def approve(post: Post) -> Post:
    """The steward approves it for the digest."""
    return move(post, StoryState.APPROVED)


def hold(post: Post, reason: str = "") -> Post:
    """The steward holds it back for now (reason kept)."""
    moved: Post = move(post, StoryState.HELD)
    if reason and not isinstance(moved, Appreciation) and reason not in moved.held_reasons:
        return replace(moved, held_reasons=[*moved.held_reasons, reason])
    return moved


def hide(post: Post) -> Post:
    """The steward hides it (never in a digest; kept, never deleted)."""
    return move(post, StoryState.HIDDEN)


def withdraw(post: Post) -> Post:
    """Its author takes it back; final (and recorded as the author's own choice)."""
    moved: Post = move(post, StoryState.WITHDRAWN)
    if isinstance(moved, Story | Response):
        moved.member_consent_version = post.version + 1  # a fresh copy made by `move`
    return moved


def set_visibility(post: Story | Response, visibility: Visibility) -> Story | Response:
    """Record the author's consent: circle, anonymous or steward-only."""
    if post.state == StoryState.WITHDRAWN:
        raise TransitionError(f"cannot change visibility of {_what(post)}: it was withdrawn")
    return replace(post, visibility=visibility)


def edit_text(post: Story | Response, text: str) -> Story | Response:
    """The steward edits the text; the original is kept the first time."""
    if post.state == StoryState.WITHDRAWN:
        raise TransitionError(f"cannot edit {_what(post)}: it was withdrawn")
    original = post.original_text or post.text
    return replace(post, text=text, original_text=original)


def restore_elided(post: Story | Response) -> Story | Response:
    """Put the trimmed remainder (quotes, signature) back under the text."""
    if not post.elided:
        return post
    original = post.original_text or post.text
    return replace(post, text=f"{post.text.rstrip()}\n\n{post.elided}", elided="",
                   original_text=original)


def pause(member: Member, until: date | None = None, *, today: date | None = None) -> Member:
    """Pause a member's mail, optionally until a date (they resume by themselves then)."""
    if member.status == MemberStatus.LEFT:
        raise TransitionError(f"cannot pause {member.name}: they left the circle")
    if until is not None and today is not None and until <= today:
        raise TransitionError(f"cannot pause {member.name} until {until}: that date has passed")
    return replace(member, status=MemberStatus.PAUSED, paused_until=until)


def resume(member: Member) -> Member:
    """Resume a paused member (or one whose mail was paused for delivery problems)."""
    if member.status == MemberStatus.LEFT:
        raise TransitionError(f"cannot resume {member.name}: they left; add them again instead")
    return replace(member, status=MemberStatus.ACTIVE, paused_until=None, delivery_paused=False)


def leave(member: Member) -> Member:
    """The member leaves (STOP or removed by the steward); their stories stay."""
    return replace(member, status=MemberStatus.LEFT, paused_until=None)


def rejoin(member: Member) -> Member:
    """A member who left comes back."""
    return replace(member, status=MemberStatus.ACTIVE, paused_until=None)


def effective_status(member: Member, today: date) -> MemberStatus:
    """The status on `today`: a pause with a past end date has ended by itself."""
    if (member.status == MemberStatus.PAUSED and member.paused_until is not None
            and member.paused_until <= today):
        return MemberStatus.ACTIVE
    return member.status


def receives_mail(member: Member, today: date) -> bool:
    """Whether circle mail goes to this member today."""
    return effective_status(member, today) == MemberStatus.ACTIVE and not member.delivery_paused


def resolve_quarantine(item: QuarantineItem, state: QuarantineState,
                       resolution: str = "") -> QuarantineItem:
    """Assign or dismiss an open quarantine item."""
    if item.state != QuarantineState.OPEN:
        raise TransitionError(f"quarantine item {item.id} was already {item.state}")
    if state == QuarantineState.OPEN:
        raise TransitionError("a quarantine item is resolved by assigning or dismissing it")
    return replace(item, state=state, resolution=resolution)


def stamp(at: datetime) -> str:
    """A short ISO timestamp for history lines."""
    return at.isoformat(timespec="seconds")
