"""Use-cases of the digest itself: the steward's note; how far its sending went (read only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import SetDigestNote
from circle.carrying import digest_gone
from circle.errors import TransitionError
from circle.model import OutboxItem, OutboxState, Round
from circle.text_safety import inert

NOTE_LIMIT = 2000  # characters: a note, not a second digest


@use_case(SetDigestNote)
def set_digest_note(tx: Tx, intent: SetDigestNote) -> Outcome:
    """The steward's note at the top of the round's digest ("" removes it).

    Refused once the digest was queued (members already have it). Approval stands: the
    steward approves the digest and writes the note, so the note never asks them again.
    """
    rnd = tx.need(Round, intent.round_id, "round")
    if digest_gone(rnd):
        raise TransitionError(f"the digest of {rnd.id} was already sent; a note now would "
                              "reach nobody")
    text = inert(intent.text).strip()
    if len(text) > NOTE_LIMIT:
        raise TransitionError(f"the note is {len(text)} characters; keep it under "
                              f"{NOTE_LIMIT} (the stories are the digest)")
    said = f"The note for the {rnd.id} digest is saved" if text else (
        f"The {rnd.id} digest has no note now")
    return Outcome([replace(rnd, digest_note=text)], said)


@dataclass(frozen=True)
class DigestDelivery:
    """How a round's digest went out: items handed to the relay, still to go, failed."""

    sent: int
    waiting: int
    failed: int
    last_sent_at: datetime | None

    @property
    def done(self) -> bool:
        """Every copy went (nothing waits, nothing failed)."""
        return self.sent > 0 and not self.waiting and not self.failed


_WAITING = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.FAILED_TEMPORARY,
            OutboxState.UNCERTAIN)


def digest_delivery(items: Iterable[OutboxItem], round_id: str) -> DigestDelivery:
    """Count the round's digest copies by state (test copies to the steward not counted)."""
    mine = [i for i in items if i.kind == "digest" and i.round_id == round_id]
    sent = [i for i in mine if i.state == OutboxState.SENT]
    return DigestDelivery(
        sent=len(sent), waiting=sum(1 for i in mine if i.state in _WAITING),
        failed=sum(1 for i in mine if i.state == OutboxState.FAILED_PERMANENT),
        last_sent_at=max((i.sent_at for i in sent if i.sent_at), default=None))
