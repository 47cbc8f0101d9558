"""`circle status`: what happened, what is next, and what waits for the steward (read only).

One dict with three lists of sentences (`happened`, `next`, `waiting`) and the figures they
are made from (`counts`), so a headless operator or a script can tell at a glance whether the
circle needs them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from circle.config import Config
from circle.model import (
    Event,
    HostState,
    Member,
    OutboxItem,
    QuarantineItem,
    Response,
    Round,
    RoundState,
    Story,
    SyncState,
)
from circle.ports import Store
from circle.schedule import MOMENTS, due_moments, timeline


def _next_moment(rnd: Round, config: Config) -> tuple[str, datetime] | None:
    times = {**timeline(rnd.gathering, config.schedule), **rnd.timeline}
    for moment in MOMENTS:
        if moment == "host_fallback" and rnd.host_state == HostState.ACCEPTED:
            continue  # nothing will happen then: the host said yes
        if moment not in rnd.fired and moment not in rnd.skipped:
            return moment, times[moment]
    return None


def _as_planned(rnd: Round, now: datetime, config: Config) -> Round:
    """`rnd` with the moments the next pass will skip as too late marked skipped: a new
    circle's first round must not announce an invitation whose time is long past."""
    skips = {d.moment: d.skip_reason for d in due_moments(rnd, now, config.schedule)
             if not d.fire}
    return replace(rnd, skipped={**rnd.skipped, **skips}) if skips else rnd


def _happened(store: Store, now: datetime, local: Any) -> list[str]:
    out = []
    for sync in store.all(SyncState):
        when = f"{sync.last_fetch_at.astimezone(local):%Y-%m-%d %H:%M}" \
            if sync.last_fetch_at else "never"
        error = f" (last error: {sync.last_error})" if sync.last_error else ""
        out.append(f"Last fetch of {sync.folder}: {when}{error}.")
    day = now - timedelta(days=1)
    sent = [i for i in store.all(OutboxItem, bodies=False) if i.sent_at and i.sent_at >= day]
    if sent:
        kinds = Counter(i.kind for i in sent)
        out.append(f"Sent in the last 24 hours: {len(sent)} ("
                   + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ").")
    events = sorted(store.all(Event), key=lambda e: e.at)[-5:]
    out += [f"{e.at.astimezone(local):%Y-%m-%d %H:%M} {e.text}" for e in events]
    return out


def _next(store: Store, now: datetime, config: Config, local: Any) -> list[str]:
    names = {m.id: m.name for m in store.all(Member)}
    coming = [r for r in sorted(store.all(Round), key=lambda r: r.gathering)
              if r.gathering >= now][:2]
    out = []
    for rnd in coming:
        host = names.get(rnd.host_id or "", "the steward")
        line = (f"Round {rnd.id} gathers {rnd.gathering.astimezone(local):%a %d %b %Y %H:%M}, "
                f"host {host} ({rnd.host_state}).")
        moment = _next_moment(_as_planned(rnd, now, config), config)
        if moment is not None:
            name, at = moment
            when = f"{at.astimezone(local):%Y-%m-%d %H:%M}"
            line += f" Next: {name}, due since {when}" if at <= now else f" Next: {name} at {when}"
            if name == "question" and not (rnd.question.strip() and rnd.question_approved):
                line += ", once its question is set and approved."
            else:
                line += ": the next `circle run` pass does it." if at <= now else "."
        out.append(line)
    if not coming:
        out.append("No round is planned: `circle run --once` (or `circle rounds`) plans them.")
    return out


def _waiting(store: Store, now: datetime, counts: dict[str, int]) -> list[str]:
    out = []
    if counts["pending"] or counts["held"]:
        out.append(f"{counts['pending']} pending and {counts['held']} held stories or responses "
                   "to review: `circle stories list --state pending`.")
    if counts["quarantine"]:
        out.append(f"{counts['quarantine']} quarantined message(s): `circle quarantine list`.")
    if counts["uncertain"]:
        out.append(f"{counts['uncertain']} outbox item(s) uncertain after an interrupted send: "
                   "`circle outbox resolve --uncertain delivered|resend|drop`.")
    if counts["failed_permanent"]:
        out.append(f"{counts['failed_permanent']} outbox item(s) failed for good: "
                   "`circle outbox list`.")
    for rnd in sorted(store.all(Round), key=lambda r: r.gathering):
        if rnd.gathering < now or "question" in rnd.fired or "question" in rnd.skipped:
            if ("digest_due" in rnd.fired and not rnd.digest_approved
                    and rnd.state not in {RoundState.DIGEST_SENT, RoundState.CLOSED}):
                out.append(f"Round {rnd.id}: the digest is due: `circle digest preview`, "
                           "then `circle digest approve` and `circle digest send`.")
            continue
        if rnd.question_approved:
            continue
        if not rnd.question.strip():
            out.append(f"Round {rnd.id} has no question: `circle question set TEXT`.")
        else:
            out.append(f"Round {rnd.id}: approve its question: `circle question approve`.")
        break
    return out


def status_report(store: Store, now: datetime, config: Config) -> dict[str, Any]:
    """The circle at `now`: `happened`, `next`, `waiting` (sentences) and `counts`."""
    # counts from the stored fields, without decoding every story (fast at 10,000 of them)
    states = Counter(str(state) for cls in (Story, Response)
                     for (state,) in store.project(cls, "state"))
    outbox = Counter(str(state) for (state,) in store.project(OutboxItem, "state"))
    counts = {"members": len(store.all(Member)), "pending": states["pending"],
              "held": states["held"],
              "quarantine": sum(1 for q in store.all(QuarantineItem) if q.state == "open"),
              **{f"outbox_{k}": v for k, v in sorted(outbox.items())},
              "uncertain": outbox["uncertain"], "failed_permanent": outbox["failed_permanent"]}
    local = config.tz
    return {"happened": _happened(store, now, local), "next": _next(store, now, config, local),
            "waiting": _waiting(store, now, counts), "counts": counts}
