"""`apply(store, intent, now)`: one transaction per intent, through its registered use-case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from circle.app.intents import Intent
from circle.errors import CircleError, NotFoundError
from circle.ports import Store

IntentT = TypeVar("IntentT", bound=Intent)
R = TypeVar("R")


@dataclass
class Outcome:
    """What an intent did: the records as written, a sentence for the steward, and warnings.

    `refused` is set (and nothing written) when the rules or a member's own choice say no;
    `notes` tell the steward about something that changed since they looked.
    """

    records: list[Any] = field(default_factory=list)
    message: str = ""
    notes: list[str] = field(default_factory=list)
    refused: str = ""
    error: CircleError | None = field(default=None, repr=False, compare=False)  # the refusal
    decision_id: str = ""  # the decision-log entry this intent made ("" if none)

    @property
    def ok(self) -> bool:
        """True unless the intent was refused."""
        return not self.refused


@dataclass
class Tx:
    """What a use-case gets: the store (inside the transaction) and the time."""

    store: Store
    now: datetime

    def need(self, cls: type[R], key: str, what: str = "") -> R:
        """The current record, or NotFoundError naming it."""
        found = self.store.get(cls, key)
        if found is None:
            name = what or cls.__name__.lower()
            raise NotFoundError(f"no {name} {key!r} (it may have been removed meanwhile)")
        return found


UseCase = Callable[[Tx, Any], Outcome]
_REGISTRY: dict[type[Intent], UseCase] = {}


def use_case(kind: type[IntentT]) -> Callable[[Callable[[Tx, IntentT], Outcome]],
                                             Callable[[Tx, IntentT], Outcome]]:
    """Register the function that applies intents of `kind`."""
    def register(fn: Callable[[Tx, IntentT], Outcome]) -> Callable[[Tx, IntentT], Outcome]:
        _REGISTRY[kind] = fn
        return fn
    return register


def apply(store: Store, intent: Intent, now: datetime) -> Outcome:
    """Apply one intent in one store transaction and say what happened.

    A refusal by the domain's rules (a CircleError such as TransitionError) comes back as
    `Outcome.refused` with nothing written; store and other errors propagate.
    """
    _load_use_cases()
    from circle.app import decisions

    handler = _REGISTRY.get(type(intent))
    if handler is None:
        raise CircleError(f"no use-case handles {type(intent).__name__}")
    try:
        with store.transaction():
            tx = Tx(store, now)
            outcome = handler(tx, intent)
            if outcome.ok and outcome.records:
                log = decisions.logged(intent)  # every steward decision, by construction
                before = decisions.snapshot_before(store, outcome.records) if log else []
                store.put_many(outcome.records)
                if log and (entry := decisions.record(tx, intent, outcome, before)):
                    outcome.decision_id = entry.id
    except CircleError as exc:
        if _is_refusal(exc):
            return Outcome(refused=str(exc), error=exc)
        raise
    return outcome


def apply_or_refuse(store: Store, intent: Intent, now: datetime) -> Outcome:
    """`apply`, for callers that stop on a refusal (commands, scripts): a refused intent
    raises the rule's own error again (NotFoundError exits 66, TransitionError 65)."""
    outcome = apply(store, intent, now)
    if not outcome.ok:
        if outcome.error is not None:
            raise outcome.error
        from circle.errors import TransitionError

        raise TransitionError(outcome.refused)
    return outcome


def _is_refusal(exc: CircleError) -> bool:
    from circle.errors import StoreError

    return not isinstance(exc, StoreError)


def _load_use_cases() -> None:
    """Import the modules that register use-cases (cached by Python after the first call; not
    skipped when the registry is non-empty, since importing one module registers only its own)."""
    from circle.app import (  # noqa: F401
        decisions,
        digests,
        harvest,
        hosting,
        outbox,
        people,
        planning,
        posts,
        requests,
        triage,
        year,
    )
