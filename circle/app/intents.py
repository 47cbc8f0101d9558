"""Intents: what someone asks the circle to do, as plain immutable data (no records inside).

`seen_version` is the version of the record the steward was looking at when they decided;
use-cases use it to tell a decision made on a stale view from a fresh one (the member's own
choice made in between wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from circle.model import Visibility

ReviewAction = Literal["approve", "hold", "hide", "restore"]
OutboxAction = Literal["resend", "drop", "delivered"]


@dataclass(frozen=True, kw_only=True)
class Intent:
    """Base of every intent: who asks (for the log) and what they saw."""

    by: str = "steward"
    seen_version: int | None = None


# -- stories, responses, appreciations ------------------------------------------------------
@dataclass(frozen=True)
class ReviewPost(Intent):
    """Approve, hold, hide or restore (back to pending) a story, response or appreciation."""

    post_id: str
    action: ReviewAction
    reason: str = ""


@dataclass(frozen=True)
class WithdrawPost(Intent):
    """The author takes their story or response back (final). `by` is "member" when it
    comes from the author (their email, or the steward relaying their request)."""

    post_id: str


@dataclass(frozen=True)
class SetVisibility(Intent):
    """Who may read a story or response: circle, anonymous, steward only."""

    post_id: str
    visibility: Visibility


@dataclass(frozen=True)
class EditPost(Intent):
    """The steward edits a post's text (the original is kept)."""

    post_id: str
    text: str


@dataclass(frozen=True)
class RestoreElided(Intent):
    """Put the trimmed remainder (quotes, signature) back under the text."""

    post_id: str


@dataclass(frozen=True)
class SetThemes(Intent):
    """The themes (tags) of a post."""

    post_id: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class SetNote(Intent):
    """The steward's private note on a post."""

    post_id: str
    note: str


@dataclass(frozen=True)
class MarkAppreciation(Intent):
    """Celebrate a post as an appreciation of someone (approved for the digest)."""

    post_id: str
    to_name: str
    words: str


# -- members --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddMember(Intent):
    """Someone new joins."""

    name: str
    email: str
    aliases: tuple[str, ...] = ()
    can_host: bool = True
    is_steward: bool = False


@dataclass(frozen=True)
class EditMember(Intent):
    """Change a member's name, address, other addresses or the steward's note."""

    member_id: str
    name: str
    email: str
    aliases: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class PauseMember(Intent):
    """Pause a member's mail, optionally until a date."""

    member_id: str
    until: date | None = None


@dataclass(frozen=True)
class ResumeMember(Intent):
    """Resume a paused member."""

    member_id: str


@dataclass(frozen=True)
class RemoveMember(Intent):
    """The member leaves the circle (their stories stay)."""

    member_id: str


# -- rounds and hosting ---------------------------------------------------------------------
@dataclass(frozen=True)
class SwapHosts(Intent):
    """Swap the hosts of two rounds."""

    round_a: str
    round_b: str


@dataclass(frozen=True)
class AssignHost(Intent):
    """Choose the host of a round."""

    round_id: str
    member_id: str


@dataclass(frozen=True)
class SkipHost(Intent):
    """This round has no host."""

    round_id: str


@dataclass(frozen=True)
class SetQuestion(Intent):
    """The round's question (approval is asked again)."""

    round_id: str
    text: str


@dataclass(frozen=True)
class ApproveQuestion(Intent):
    """Approve the round's question so it goes out on time."""

    round_id: str


@dataclass(frozen=True)
class ApproveDigest(Intent):
    """Approve the round's digest for sending."""

    round_id: str


@dataclass(frozen=True)
class SetDigestNote(Intent):
    """The steward's note at the top of the round's digest ("" removes it)."""

    round_id: str
    text: str


# -- quarantine and outbox ------------------------------------------------------------------
@dataclass(frozen=True)
class AssignQuarantine(Intent):
    """A quarantined message is from this member (a reply becomes their pending story)."""

    item_id: str
    member_id: str
    round_id: str = ""


@dataclass(frozen=True)
class AddSender(Intent):
    """Add a quarantined message's sender as a new member and give them their message."""

    item_id: str
    name: str
    email: str
    round_id: str = ""


@dataclass(frozen=True)
class DismissQuarantine(Intent):
    """Nothing to do with a quarantined message (it stays archived)."""

    item_id: str


@dataclass(frozen=True)
class ResolveOutbox(Intent):
    """Resend, drop or mark delivered outbox items (by id, unique prefix or Message-ID)."""

    refs: tuple[str, ...]
    action: OutboxAction



@dataclass(frozen=True)
class SetHosting(Intent):
    """Whether a member may be asked to host (the rotation skips those who may not)."""

    member_id: str
    can_host: bool


# -- the harvest and the year in stories (circle/app/harvest.py, circle/app/year.py) --------
@dataclass(frozen=True)
class SetHarvest(Intent):
    """The steward types (or replaces) what a round's gathering harvested; approved as typed."""

    round_id: str
    text: str


@dataclass(frozen=True)
class ReviewHarvest(Intent):
    """Approve, hold, hide or restore (back to pending) a round's harvest."""

    round_id: str
    action: ReviewAction


@dataclass(frozen=True)
class SetYearIntro(Intent):
    """The steward's opening words of the year's digest (approval is asked again)."""

    year: int
    text: str


@dataclass(frozen=True)
class ApproveYearDigest(Intent):
    """Approve "A year in stories" for sending."""

    year: int
# -- the decision log -----------------------------------------------------------------------
@dataclass(frozen=True)
class UndoDecision(Intent):
    """Take a steward decision back (circle/app/decisions.py).

    `decision_id` names it; without one, the newest decision still standing that touched
    record `key` (if given), else the newest one still standing in `area` ("posts",
    "quarantine", "members", "hosts", "digest").
    """

    decision_id: str = ""
    area: str = ""
    key: str = ""
