"""Use-cases on rounds: hosts (swap, assign, skip), the question, the digest's approval."""

from __future__ import annotations

from dataclasses import replace

from circle import rotation
from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import (
    ApproveDigest,
    ApproveQuestion,
    AssignHost,
    SetQuestion,
    SkipHost,
    SwapHosts,
)
from circle.app.rounds import archived_rounds
from circle.errors import TransitionError
from circle.model import Member, Round


def _name(tx: Tx, member_id: str | None) -> str:
    member = tx.store.get(Member, member_id) if member_id else None
    return member.name if member else (member_id or "nobody")


@use_case(SwapHosts)
def swap(tx: Tx, intent: SwapHosts) -> Outcome:
    """Swap two rounds' hosts (rounds whose invitation went out refuse).

    A round with no host yet takes the rotation's planned host first, so the swap exchanges
    the people the steward sees in the rotation.
    """
    pair = (intent.round_a, intent.round_b)
    rounds = tx.store.all(Round)
    coming = sorted((r for r in rounds if r.gathering >= tx.now), key=lambda r: r.gathering)
    history = archived_rounds(tx.store, {r.id for r in rounds})
    planned = (dict(rotation.preview(tx.store.all(Member), [*history, *rounds], coming[0].id,
                                     n=12)) if coming else {})
    rounds = [rotation.assign(r, host) if r.id in pair and not r.host_id
              and (host := planned.get(r.id)) else r for r in rounds]
    changed = [r for r in rotation.swap(rounds, *pair) if r.id in pair]
    return Outcome(changed, f"Swapped the hosts of {intent.round_a} and {intent.round_b}")


@use_case(AssignHost)
def assign(tx: Tx, intent: AssignHost) -> Outcome:
    """Choose the host of a round."""
    rnd = tx.need(Round, intent.round_id, "round")
    tx.need(Member, intent.member_id, "member")
    return Outcome([rotation.assign(rnd, intent.member_id)],
                   f"{_name(tx, intent.member_id)} will be asked to host {rnd.id}")


@use_case(SkipHost)
def skip(tx: Tx, intent: SkipHost) -> Outcome:
    """The round has no host."""
    rnd = tx.need(Round, intent.round_id, "round")
    return Outcome([rotation.skip(rnd)], f"{rnd.id} has no host now")


@use_case(SetQuestion)
def set_question(tx: Tx, intent: SetQuestion) -> Outcome:
    """The round's question; a question already sent cannot change."""
    rnd = tx.need(Round, intent.round_id, "round")
    text = intent.text.strip()
    if not text:
        raise TransitionError("the question is empty")
    if "question" in rnd.fired:
        raise TransitionError(f"the question of {rnd.id} was already sent to the members")
    if text == rnd.question:
        return Outcome([], "Question unchanged")
    return Outcome([replace(rnd, question=text, question_approved=False)],
                   f"Question saved for {rnd.id}; approve it to send it on time")


@use_case(ApproveQuestion)
def approve_question(tx: Tx, intent: ApproveQuestion) -> Outcome:
    """Approve the question so it goes out on time."""
    rnd = tx.need(Round, intent.round_id, "round")
    if not rnd.question.strip():
        raise TransitionError(f"round {rnd.id} has no question yet")
    return Outcome([replace(rnd, question_approved=True)],
                   f"The question for {rnd.id} is approved")


@use_case(ApproveDigest)
def approve_digest(tx: Tx, intent: ApproveDigest) -> Outcome:
    """Approve the round's digest for sending."""
    rnd = tx.need(Round, intent.round_id, "round")
    return Outcome([replace(rnd, digest_approved=True)],
                   f"The digest of {rnd.id} is approved")
