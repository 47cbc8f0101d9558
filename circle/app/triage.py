"""Use-cases on quarantine: assign a message to a member, add its sender, dismiss it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from circle.app.apply import Outcome, Tx, use_case
from circle.app.ingest import ref_for
from circle.app.intents import AddSender, AssignQuarantine, DismissQuarantine
from circle.members import new_member
from circle.model import (
    Member,
    MessageKind,
    QuarantineItem,
    QuarantineState,
    Round,
    RoundState,
    Story,
)
from circle.transitions import resolve_quarantine


def current_round_id(tx: Tx) -> str:
    """The round a late-assigned story belongs to: the open one, else the next to gather."""
    rounds = sorted(tx.store.all(Round), key=lambda r: r.gathering)
    open_rounds = [r for r in rounds if r.state == RoundState.OPEN]
    if open_rounds:
        return open_rounds[-1].id
    upcoming = [r for r in rounds if r.gathering >= tx.now]
    return upcoming[0].id if upcoming else (rounds[-1].id if rounds else "")


def _assigned(tx: Tx, item: QuarantineItem, member: Member, round_id: str) -> list[Any]:
    """The item resolved to `member`; a reply becomes their pending story."""
    records: list[Any] = [resolve_quarantine(item, QuarantineState.ASSIGNED,
                                             f"member:{member.id}")]
    if item.kind == MessageKind.REPLY and item.text:
        story_id = f"s-{ref_for(item.message_id)}"
        if tx.store.get(Story, story_id) is None:
            records.append(Story(
                id=story_id, round_id=round_id or current_round_id(tx),
                member_id=member.id, text=item.text, received_at=item.received_at,
                message_id=item.message_id, raw_sha=item.raw_sha, subject=item.subject,
                classify_reasons=[f"assigned by the steward ({item.reason})"]))
        if item.sender and item.sender.lower() not in member.addresses():
            records.append(replace(member, aliases=[*member.aliases, item.sender.lower()]))
    return records


@use_case(AssignQuarantine)
def assign(tx: Tx, intent: AssignQuarantine) -> Outcome:
    """It is from this member: a reply waits in Review as their story."""
    item = tx.need(QuarantineItem, intent.item_id, "quarantine item")
    member = tx.need(Member, intent.member_id, "member")
    records = _assigned(tx, item, member, intent.round_id)
    waits = "; it waits in Review" if any(isinstance(r, Story) for r in records) else ""
    return Outcome(records, f"Assigned to {member.name}{waits}")


@use_case(AddSender)
def add_sender(tx: Tx, intent: AddSender) -> Outcome:
    """Add the sender as a member; their message is linked to them, never made a story.

    A stranger's first mail is usually "May I join?": it is no answer to the round's
    question, so it stays in quarantine's history (resolved, findable under the "resolved"
    filter) instead of becoming a story of the round (issue 14).
    """
    item = tx.need(QuarantineItem, intent.item_id, "quarantine item")
    member = new_member(tx.store.all(Member), intent.name, intent.email, tx.now.date())
    resolved = resolve_quarantine(item, QuarantineState.ASSIGNED,
                                  f"member:{member.id} (added as a member; not a story)")
    return Outcome([member, resolved],
                   f"Welcome, {member.name}; their message stays a note, not a story")


@use_case(DismissQuarantine)
def dismiss(tx: Tx, intent: DismissQuarantine) -> Outcome:
    """Nothing to do with it; the raw message stays archived."""
    item = tx.need(QuarantineItem, intent.item_id, "quarantine item")
    return Outcome([resolve_quarantine(item, QuarantineState.DISMISSED,
                                       "dismissed by the steward")], "Dismissed")
