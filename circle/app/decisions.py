"""The decision log: every steward decision recorded with what it changed, and undo.

`apply` calls `snapshot_before` and `record` around every intent a steward asks for (by
construction: no screen or command does anything for it). A `Decision` keeps, per record
written, the fields it changed with their values before (None for a record it created) and
the record's version right after. `UndoDecision` puts those values back as an intent of
its own, compare-and-set on the version: if anything changed the record since (a later
decision, the mail loop, the member's own choice), undo is refused with a sentence saying
what and why — so undo never overrides a member's later choice. Once the digest that
carries a post has gone out, a decision on it stays (members have read it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import Intent, UndoDecision
from circle.carrying import digest_gone, digest_month_of
from circle.codec import from_dict, to_dict
from circle.errors import NotFoundError, TransitionError
from circle.model import (
    RECORD_TYPES,
    Appreciation,
    Decision,
    Event,
    Member,
    Notice,
    OutboxItem,
    OutboxState,
    Response,
    Round,
    Story,
)
from circle.ports import Store

KEEP = 500
"""How many decisions the log keeps (the oldest is dropped as a new one comes)."""

AREAS: dict[str, str] = {
    **dict.fromkeys(("ReviewPost", "SetVisibility", "EditPost", "RestoreElided", "SetThemes",
                     "SetNote", "MarkAppreciation", "AcceptSuggestion", "DismissSuggestion"),
                    "posts"),
    **dict.fromkeys(("AssignQuarantine", "AddSender", "DismissQuarantine"), "quarantine"),
    **dict.fromkeys(("AddMember", "EditMember", "PauseMember", "ResumeMember",
                     "RemoveMember"), "members"),
    **dict.fromkeys(("SwapHosts", "AssignHost", "SkipHost", "SetQuestion", "ApproveQuestion"),
                    "hosts"),
    **dict.fromkeys(("ApproveDigest", "ResolveOutbox"), "digest"),
}
"""Where each kind of decision is made (and where `u` takes the last one back)."""

AREA_WORDS = {"posts": " on stories and responses", "quarantine": " in quarantine",
              "members": " on members", "hosts": " on hosts and questions",
              "digest": " on the digest and outbox"}

NOT_DECISIONS = frozenset({"UndoDecision", "PlanRounds", "WithdrawPost"})
"""Intents that are not steward decisions: undo itself, the scheduler, a member's withdrawal."""

_TYPES: dict[str, type[Any]] = {cls.TABLE: cls for cls in RECORD_TYPES}  # type: ignore[attr-defined]
_POSTS = (Story, Response, Appreciation)
Before = list[dict[str, Any] | None]


def logged(intent: Intent) -> bool:
    """Whether `intent` is a steward decision that goes into the log."""
    return intent.by == "steward" and type(intent).__name__ not in NOT_DECISIONS


def snapshot_before(store: Store, records: list[Any]) -> Before:
    """Each record as stored before the intent writes it (None if it is new)."""
    out: Before = []
    for record in records:
        current = store.get(type(record), record.key)
        out.append(None if current is None else to_dict(current))
    return out


def record(tx: Tx, intent: Intent, outcome: Outcome, before: Before) -> Decision | None:
    """Write the log entry for a decision just written (None if it changed nothing)."""
    changes: list[dict[str, Any]] = []
    for new, old in zip(outcome.records, before, strict=True):
        if isinstance(new, Event | Decision):
            continue  # the activity log stays as it is; undo adds to it, never erases
        after = to_dict(new)
        entry: dict[str, Any] = {"table": new.TABLE, "key": new.key, "before": None,
                                 "version": new.version, "from": 0}
        if isinstance(new, _POSTS):  # was its digest already gone when this was decided?
            rnd = tx.store.get(Round, new.round_id) if new.round_id else None
            entry["digest_gone"] = rnd is not None and digest_gone(rnd)
        if old is not None:
            entry["before"] = {k: v for k, v in old.items()
                               if k != "version" and after.get(k) != v}
            entry["from"] = int(old.get("version") or 0)
            if not entry["before"]:
                continue
        changes.append(entry)
    if not changes:
        return None
    seqs = [s for (s,) in tx.store.project(Decision, "seq")]
    seq = max(seqs, default=0) + 1
    name = type(intent).__name__
    decision = Decision(id=f"d{seq}", seq=seq, at=tx.now, by=intent.by, intent=name,
                        area=AREAS.get(name, "other"), summary=outcome.message or name,
                        changes=changes)
    tx.store.put(decision)
    if seq > KEEP:
        tx.store.delete(Decision, f"d{seq - KEEP}")
    return decision


def decisions(store: Store) -> list[Decision]:
    """The log, newest first."""
    return sorted(store.all(Decision), key=lambda d: d.seq, reverse=True)


def why_not(store: Store, decision: Decision) -> str:
    """Why `decision` cannot be undone now, in a sentence ("" when it can)."""
    if decision.undone_at is not None:
        return f"It was already undone ({decision.undone_at:%-d %b %H:%M})."
    for change in decision.changes:
        reason = _why_not_change(store, decision, change)
        if reason:
            return reason
    return ""


def _why_not_change(store: Store, decision: Decision, change: dict[str, Any]) -> str:
    cls = _TYPES.get(str(change["table"]))
    if cls is None:
        return f"Circle no longer knows the records of {change['table']}."
    current = store.get(cls, str(change["key"]))
    if current is None:
        return "What it changed is no longer in the circle's store."
    if isinstance(current, _POSTS) and not change.get("digest_gone"):
        gone = _digest_sent(store, current.round_id)
        if gone:
            return gone
    if current.version == change["version"]:
        return "" if change["before"] is not None else _created_in_use(store, current)
    return _changed_since(store, decision, current, change)


def _digest_sent(store: Store, round_id: str) -> str:
    """Why a decision on a post of this round stays: its digest went out since."""
    rnd = store.get(Round, round_id) if round_id else None
    if rnd is None or not digest_gone(rnd):
        return ""
    month = digest_month_of(rnd.id) or rnd.id
    return (f"The {month} digest that carries it has been sent; members have read it, "
            "so this decision stays.")


def _created_in_use(store: Store, current: Any) -> str:
    """A record the decision created can be removed only while nothing else refers to it."""
    if isinstance(current, Member):
        for cls in (Story, Response):
            if any(mid == current.id for (mid,) in store.project(cls, "member_id")):
                return (f"{current.name} has written to the circle since; they stay a member "
                        "(remove them on the Members screen if they should leave).")
        if any(mid == current.id for (mid,) in store.project(OutboxItem, "member_id")):
            return f"Circle has already written to {current.name}; they stay a member."
    if isinstance(current, OutboxItem) and current.state != OutboxState.QUEUED:
        return "The email it queued has already been handed to the relay."
    return ""


def _changed_since(store: Store, decision: Decision, current: Any,
                   change: dict[str, Any]) -> str:
    if isinstance(current, Story | Response) and \
            current.member_consent_version > int(change["version"]):
        name = _name(store, current.member_id)
        return f"{name} chose who may read it after this decision; their choice stands."
    if isinstance(current, Notice) and current.handled:
        return "The member has already been told (the confirmation went out)."
    if isinstance(current, OutboxItem) and current.state == OutboxState.SENT:
        return "The email was sent meanwhile; it cannot be taken back."
    if isinstance(current, Round) and digest_gone(current):
        month = digest_month_of(current.id) or current.id
        return f"The {month} digest was sent meanwhile; this decision stays."
    if isinstance(current, Round):
        sent = [m for m in ("host_invite", "question") if m in current.fired]
        if sent:
            what = {"host_invite": "invitation to host", "question": "question"}[sent[-1]]
            return (f"The {what} of {current.id} has gone out; this decision stays "
                    "(change it on the Hosts screen instead).")
    later = next((d for d in decisions(store) if d.seq > decision.seq and d.undone_at is None
                  and any(c["key"] == change["key"] and c["table"] == change["table"]
                          for c in d.changes)), None)
    if later is not None:
        return f"It changed since: undo “{later.summary}” ({later.id}) first."
    return ("It changed since this decision (the mail loop or a member acted on it); "
            "undoing it now would overwrite that.")


def _name(store: Store, member_id: str) -> str:
    member = store.get(Member, member_id)
    return member.name if member else member_id


def _find(tx: Tx, intent: UndoDecision) -> Decision:
    if intent.decision_id:
        return tx.need(Decision, intent.decision_id, "decision")
    standing = [d for d in decisions(tx.store) if d.undone_at is None]
    if intent.key:
        found = next((d for d in standing if any(c["key"] == intent.key for c in d.changes)),
                     None)
    else:
        found = next((d for d in standing if not intent.area or d.area == intent.area), None)
    if found is None:
        where = AREA_WORDS.get(intent.area, "") if not intent.key else " on this item"
        raise NotFoundError(f"Nothing to undo{where}: no decision is still standing.")
    return found


@use_case(UndoDecision)
def undo(tx: Tx, intent: UndoDecision) -> Outcome:
    """Put back what a decision changed (refused, with why, if anything changed since)."""
    decision = _find(tx, intent)
    reason = why_not(tx.store, decision)
    if reason:
        raise TransitionError(f"Cannot undo “{decision.summary}”: {reason}")
    restored: list[Any] = []
    earlier = [d for d in decisions(tx.store) if d.seq < decision.seq and d.undone_at is None]
    rechained: dict[str, Decision] = {}
    for change in decision.changes:
        cls = _TYPES[str(change["table"])]
        current = tx.need(cls, str(change["key"]))
        if change["before"] is None:
            tx.store.delete(cls, current.key)
            continue
        doc = {**to_dict(current), **change["before"], "version": current.version}
        restored.append(from_dict(cls, doc))
        for d in _rechain(earlier, change, current.version + 1):
            rechained[d.id] = d
    done = replace(decision, undone_at=tx.now, undone_by=intent.by)
    return Outcome([*restored, *rechained.values(), done], f"Undone: {decision.summary}")


def _rechain(earlier: list[Decision], change: dict[str, Any], version: int) -> list[Decision]:
    """The record is back as it was before `change`, at a new `version`: an earlier decision
    that had left it in that state may now be undone in turn, so it expects the new version.
    Returns the earlier decisions so updated (to be written)."""
    out = []
    for d in earlier:
        for c in d.changes:
            if c["table"] == change["table"] and c["key"] == change["key"] and \
                    c["version"] == change["from"]:
                c["version"] = version
                out.append(d)
    return out
