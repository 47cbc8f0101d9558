"""Use-case of `PlanRounds`: the coming rounds of the schedule, added in one transaction.

`circle question set`, `circle run` and `circle send-due` plan first, so a new circle needs
no other command before its first round exists (docs/architecture.md, "The first round").
"""

from __future__ import annotations

from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents_cli import PlanRounds
from circle.model import Round
from circle.schedule import ensure_rounds, parse_rule


@use_case(PlanRounds)
def plan(tx: Tx, intent: PlanRounds) -> Outcome:
    """The rounds the schedule implies that do not exist yet (hot or in the recent archive)."""
    config = intent.config
    existing = tx.store.all(Round)
    rule = parse_rule(config.schedule.gathering, config.tz)
    known = existing + [r for r in tx.store.archived(Round, years=[tx.now.year, tx.now.year - 1])
                        if r.id not in {e.id for e in existing}]
    new = ensure_rounds(known, rule, tx.now, config.schedule, ahead=intent.ahead)
    new = [r for r in new if tx.store.get(Round, r.id) is None]
    return Outcome(new, f"{len(new)} round(s) planned")
