"""Requests in plain words found inside a story: proposed to the steward, applied on their say.

Ingest keeps the story and records the request as `Story.suggested_command` (with an Event
for the steward's log); it is never applied silently. `AcceptSuggestion` applies it through
the same rules as an email command (`circle.commands_apply`), with a confirmation to the
member that repeats what was understood and how to undo it; `DismissSuggestion` drops it.
Host answers count only in reply to a host invitation (`answers_invitation`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import Intent
from circle.commands_apply import CommandInput, apply_command
from circle.errors import TransitionError
from circle.identity import pending_command
from circle.model import Event, Member, OutboxItem, Response, Round, Story
from circle.outbox import item_id
from circle.parsing.commands import command_string
from circle.parsing.types import Command, ParsedMessage, Request
from circle.parsing.when import resolve_until
from circle.ports import Store

HOST_ANSWERS = frozenset({"HOST_YES", "HOST_NO", "SWAP"})
"""Commands that answer a host invitation, and nothing else."""
INVITATION = "invitation"
SUGGESTION_EVENT = "suggestion"


@dataclass(frozen=True)
class AcceptSuggestion(Intent):
    """Apply the request a member made inside their story (as if they had sent the command)."""

    post_id: str


@dataclass(frozen=True)
class DismissSuggestion(Intent):
    """Drop the request found inside a story; the story itself is unchanged."""

    post_id: str


def answers_invitation(store: Store, msg: ParsedMessage, member_id: str, round_id: str,
                       token_parent: str) -> bool:
    """Whether `msg` replies to the host invitation we sent this member for this round."""
    if token_parent == INVITATION:
        return True
    keys = [item_id(INVITATION, round_id, member_id, mid)
            for mid in (msg.in_reply_to, *msg.references) if mid]
    return any(store.get(OutboxItem, key) is not None for key in keys)


def settled(command: Command, request: Request | None, today: Any) -> Command:
    """A plain-words PAUSE UNTIL with its date resolved (ISO), so every later step agrees."""
    if request is None or command.name != "PAUSE_UNTIL":
        return command
    try:
        return Command("PAUSE_UNTIL", resolve_until(command.argument, today).isoformat())
    except ValueError:
        return command


def suggestion_text(member: Member, story_id: str, command: str, words: str) -> str:
    """The steward's log line for a request found in a story."""
    said = f" (\u201c{' '.join(words.split())[:120]}\u201d)" if words else ""
    return (f"{member.name}'s story {story_id} also asks: {command}{said}; "
            f"accept with `circle stories accept-suggestion {story_id}`")


def _story(tx: Tx, post_id: str) -> Story:
    story = tx.need(Story, post_id, "story")
    if not story.suggested_command:
        raise TransitionError(f"story {post_id} has no request waiting for you")
    return story


def _ref(story: Story) -> str:
    return hashlib.sha256(f"{story.id}:suggestion".encode()).hexdigest()[:16]


def _mine(records: Sequence[Any], story: Story) -> list[Any]:
    """The records with the story's suggestion cleared (on its changed copy, if any)."""
    out = [replace(r, suggested_command="", suggested_words="")
           if isinstance(r, Story) and r.id == story.id else r for r in records]
    if not any(isinstance(r, Story) and r.id == story.id for r in out):
        out.append(replace(story, suggested_command="", suggested_words=""))
    return out


@use_case(AcceptSuggestion)
def accept(tx: Tx, intent: AcceptSuggestion) -> Outcome:
    """Apply a story's request like the member's command; the member gets a confirmation."""
    story = _story(tx, intent.post_id)
    command = pending_command(story.suggested_command)
    if command is None:
        raise TransitionError(f"cannot read the request {story.suggested_command!r}")
    member = tx.need(Member, story.member_id, "member")
    rnd = tx.store.get(Round, story.round_id) if story.round_id else None
    stories = [s for s in tx.store.all(Story) if s.member_id == member.id]
    if all(s.id != story.id for s in stories):
        stories.append(story)
    today = tx.now.date()
    out = apply_command(CommandInput(
        command=command, member=member, round=rnd, parent_id=story.id,
        message_id=story.message_id, now=tx.now, today=today, ref=_ref(story),
        members=tx.store.all(Member), stories=stories,
        responses=[r for r in tx.store.all(Response) if r.member_id == member.id],
        understood=story.suggested_words or story.suggested_command))
    if out.refused:
        return Outcome(refused=out.notice.detail)
    event = _event(tx.now, story, f"the steward applied {member.name}'s request "
                                  f"{story.suggested_command} from story {story.id}")
    records = [*_mine(out.records, story), out.notice, event]
    return Outcome(records, f"Applied {story.suggested_command} for {member.name}; "
                            "they are told what was done and how to undo it")


@use_case(DismissSuggestion)
def dismiss(tx: Tx, intent: DismissSuggestion) -> Outcome:
    """Leave the request aside; the story stays as it is."""
    story = _story(tx, intent.post_id)
    event = _event(tx.now, story, f"the steward set aside the request "
                                  f"{story.suggested_command} in story {story.id}")
    return Outcome([*_mine([], story), event], f"Set aside: {story.suggested_command}")


def _event(now: datetime, story: Story, text: str) -> Event:
    # the story's version keeps the id unique when a decision is undone and taken again
    return Event(id=f"e-{_ref(story)}-{story.version}-{now.strftime('%Y%m%d%H%M%S')}", at=now,
                 kind=SUGGESTION_EVENT, text=text)


def suggestion_of(msg: ParsedMessage) -> tuple[str, str]:
    """(command as the member would write it, their words) proposed by a story, or ("", "")."""
    request = msg.request
    if request is not None and not request.alone:
        return command_string(request.command), request.words
    return "", ""
