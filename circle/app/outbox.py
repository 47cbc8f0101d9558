"""Use-cases on the outbox: the steward resends, drops or confirms items, several at once."""

from __future__ import annotations

from circle import outbox as rules
from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import ResolveOutbox
from circle.errors import TransitionError
from circle.model import OutboxItem, OutboxState

_MOVES = {"resend": rules.resend, "drop": rules.drop, "delivered": rules.mark_delivered}


@use_case(ResolveOutbox)
def resolve(tx: Tx, intent: ResolveOutbox) -> Outcome:
    """Apply `resend`, `drop` or `delivered` to each named item (all or none).

    With no refs, the action applies to every `uncertain` item (the steward's answer to "a
    crash left these uncertain").
    """
    move = _MOVES.get(intent.action)
    if move is None:
        raise TransitionError(f"unknown outbox action {intent.action!r} "
                              f"(known: {', '.join(_MOVES)})")
    items = tx.store.all(OutboxItem, bodies=False)
    if intent.refs:
        targets = [rules.find_item(items, ref) for ref in intent.refs]
    else:
        targets = [i for i in items if i.state == OutboxState.UNCERTAIN]
    unique = list({i.id: i for i in targets}.values())
    changed = [move(item, tx.now) for item in unique]
    word = {"resend": "queued again", "drop": "dropped", "delivered": "marked delivered"}
    return Outcome(changed, f"{len(changed)} item(s) {word[intent.action]}")
