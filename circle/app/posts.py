"""Use-cases on stories, responses and appreciations: review, consent, edits, themes, notes.

The author's consent wins: a steward's decision taken on a view older than the author's
own PRIVATE/ANONYMOUS/SHARE (or withdrawal) never undoes it, and the steward is told.
"""

from __future__ import annotations

from dataclasses import replace

from circle import transitions as t
from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import (
    EditPost,
    MarkAppreciation,
    RestoreElided,
    ReviewPost,
    SetNote,
    SetThemes,
    SetVisibility,
    WithdrawPost,
)
from circle.carrying import carrying_round, digest_month_of
from circle.errors import NotFoundError, TransitionError
from circle.model import Appreciation, Member, Response, Round, Story, StoryState, Visibility

Post = Story | Response


def find_post(tx: Tx, post_id: str) -> Story | Response | Appreciation:
    """The story, response or appreciation with this id (hot or archived)."""
    found: Story | Response | Appreciation | None = (
        tx.store.get(Story, post_id) or tx.store.get(Response, post_id)
        or tx.store.get(Appreciation, post_id))
    if found is not None:
        return found
    raise NotFoundError(f"no story, response or appreciation {post_id!r}")


def _post(tx: Tx, post_id: str) -> Post:
    found = find_post(tx, post_id)
    if isinstance(found, Appreciation):
        raise TransitionError(f"{post_id} is an appreciation; it has no text to change")
    return found


def _author(tx: Tx, post: Story | Response | Appreciation) -> str:
    member_id = post.from_member_id if isinstance(post, Appreciation) else post.member_id
    member = tx.store.get(Member, member_id)
    return member.name if member else member_id


def member_decided_since(post: Story | Response | Appreciation, seen: int | None) -> bool:
    """Whether the author changed their consent after the steward's view of version `seen`."""
    if seen is None or isinstance(post, Appreciation):
        return False
    return post.member_consent_version > seen


def _consent_note(tx: Tx, post: Post) -> str:
    said = {Visibility.STEWARD: "to keep it between them and you",
            Visibility.ANONYMOUS: "to share it without their name",
            Visibility.CIRCLE: "to share it with the circle"}[post.visibility]
    return f"{_author(tx, post)} asked {said} after you opened it; their choice stands."


def _moved(post: Story | Response | Appreciation, target: StoryState,
           reason: str) -> Story | Response | Appreciation:
    """`transitions.move`/`hold` for whichever kind of post this is."""
    if isinstance(post, Story):
        return t.hold(post, reason) if target == StoryState.HELD else t.move(post, target)
    if isinstance(post, Response):
        return t.hold(post, reason) if target == StoryState.HELD else t.move(post, target)
    return t.move(post, target)


@use_case(ReviewPost)
def review(tx: Tx, intent: ReviewPost) -> Outcome:
    """Approve / hold / hide / restore one post; a withdrawn post refuses, naming why."""
    post = find_post(tx, intent.post_id)
    if post.state == StoryState.WITHDRAWN:
        raise TransitionError(f"{_author(tx, post)} withdrew this {type(post).__name__.lower()}"
                              "; it stays out of every digest")
    target = {"approve": StoryState.APPROVED, "hold": StoryState.HELD,
              "hide": StoryState.HIDDEN, "restore": StoryState.PENDING}[intent.action]
    new = _moved(post, target, intent.reason)
    notes = []
    if not isinstance(post, Appreciation) and member_decided_since(post, intent.seen_version):
        notes.append(_consent_note(tx, post))
        if post.visibility == Visibility.STEWARD and target == StoryState.APPROVED:
            notes.append("It is approved, but stays out of the digest (steward only).")
    verb = {"approve": "Approved", "hold": "Held", "hide": "Hidden",
            "restore": "Back in review"}[intent.action]
    return Outcome([new], f"{verb}: {_author(tx, post)}", notes)


@use_case(SetVisibility)
def visibility(tx: Tx, intent: SetVisibility) -> Outcome:
    """Change who may read a post — never against the author's newer choice."""
    post = _post(tx, intent.post_id)
    if member_decided_since(post, intent.seen_version) and post.visibility != intent.visibility:
        return Outcome(refused=_consent_note(tx, post))
    new = t.set_visibility(post, intent.visibility)
    return Outcome([new], f"Visibility {intent.visibility.value}: {_author(tx, post)}")


@use_case(WithdrawPost)
def withdraw(tx: Tx, intent: WithdrawPost) -> Outcome:
    """The author takes a post back: out of every digest, kept (never deleted)."""
    post = _post(tx, intent.post_id)
    new: Post = t.withdraw(post) if isinstance(post, Story) else t.withdraw(post)  # noqa: RUF034 (one call per type for mypy)
    return Outcome([new], f"Withdrawn: {_author(tx, post)}'s "
                                       f"{type(post).__name__.lower()}")


@use_case(EditPost)
def edit(tx: Tx, intent: EditPost) -> Outcome:
    """The steward edits the text; the original is kept."""
    post = _post(tx, intent.post_id)
    return Outcome([t.edit_text(post, intent.text)], f"Edited: {_author(tx, post)}")


@use_case(RestoreElided)
def restore_elided(tx: Tx, intent: RestoreElided) -> Outcome:
    """Put the trimmed remainder back."""
    post = _post(tx, intent.post_id)
    return Outcome([t.restore_elided(post)], f"Restored: {_author(tx, post)}")


@use_case(SetThemes)
def themes(tx: Tx, intent: SetThemes) -> Outcome:
    """The themes of a post."""
    post = _post(tx, intent.post_id)
    return Outcome([replace(post, themes=list(intent.themes))], "Themes set")


@use_case(SetNote)
def note(tx: Tx, intent: SetNote) -> Outcome:
    """The steward's private note on a post."""
    post = _post(tx, intent.post_id)
    return Outcome([replace(post, steward_note=intent.note)], "Noted")


@use_case(MarkAppreciation)
def mark_appreciation(tx: Tx, intent: MarkAppreciation) -> Outcome:
    """Celebrate a post as an appreciation of a member (or a named person)."""
    post = _post(tx, intent.post_id)
    if post.state == StoryState.WITHDRAWN:
        raise TransitionError(f"{_author(tx, post)} withdrew it")
    wanted = intent.to_name.strip().lower()
    to = next((m for m in tx.store.all(Member) if m.name.lower().startswith(wanted)), None)
    # the digest that will carry it: the post's round, or the next one if that digest went
    carrier = carrying_round(tx.store.all(Round), tx.store.get(Round, post.round_id))
    round_id = carrier.id if carrier is not None else post.round_id
    thanks = Appreciation(id=f"a-{post.id}", round_id=round_id,
                          from_member_id=post.member_id, to_name=to.name if to else
                          intent.to_name.strip(), to_member_id=to.id if to else None,
                          text=intent.words, received_at=post.received_at,
                          state=StoryState.APPROVED)
    existing = tx.store.get(Appreciation, thanks.id)
    if existing is not None:
        thanks.version = existing.version
    month = digest_month_of(round_id)
    which = f"the {month} digest" if month else "the digest"
    return Outcome([thanks], f"Appreciation for {thanks.to_name} will be in {which}")
