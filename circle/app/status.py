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
from circle.outbox import expected_finish
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
    items = store.all(OutboxItem, bodies=False)
    out += _digests_sent(store, items, local)
    sent = [i for i in items if i.sent_at and i.sent_at >= day]
    if sent:
        kinds = Counter(i.kind for i in sent)
        out.append(f"Sent in the last 24 hours: {len(sent)} ("
                   + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ").")
    events = sorted(store.all(Event), key=lambda e: e.at)[-5:]
    out += [f"{e.at.astimezone(local):%Y-%m-%d %H:%M} {e.text}" for e in events]
    return out


def _digests_sent(store: Store, items: list[OutboxItem], local: Any) -> list[str]:
    """'Digest of 2026-11 sent to 14 members at 2026-11-23 14:02.' for each hot round whose
    digest went (counted from the copies the relay accepted)."""
    from circle.app.digests import digest_delivery
    from circle.carrying import digest_gone

    out = []
    for rnd in sorted(store.all(Round), key=lambda r: r.gathering):
        if not digest_gone(rnd):
            continue
        sent = digest_delivery(items, rnd.id)
        if sent.done and sent.last_sent_at is not None:
            out.append(f"Digest of {rnd.id} sent to {sent.sent} members at "
                       f"{sent.last_sent_at.astimezone(local):%Y-%m-%d %H:%M}.")
        elif sent.sent or sent.waiting or sent.failed:
            out.append(f"Digest of {rnd.id}: {sent.sent} sent, {sent.waiting} still to go, "
                       f"{sent.failed} failed (`circle outbox list`).")
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
            due = rnd.fired.get("digest_due")
            if (due is not None and due <= now
                    and rnd.state not in {RoundState.DIGEST_SENT, RoundState.CLOSED}):
                out.append(f"Round {rnd.id}: the digest is approved; send it: `circle digest "
                           "send`." if rnd.digest_approved else
                           f"Round {rnd.id}: the digest is due: `circle digest preview`, "
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


_WAITING_STATES = ("queued", "failed_temporary")


def sending_plan(store: Store, now: datetime, config: Config) -> dict[str, Any]:
    """What waits to be sent and when the last of it should have gone at the relay's limits
    (`[smtp] per_minute` and `max_per_day`): `waiting`, `sent_last_24h`, `per_minute`,
    `max_per_day` (0 = none), `finish_at` (ISO, or None when nothing waits)."""
    items = store.all(OutboxItem, bodies=False)
    waiting = [i for i in items if str(i.state) in _WAITING_STATES]
    sent_times = [i.sent_at for i in items if i.sent_at]
    smtp = config.smtp
    finish = expected_finish(waiting, sent_times, now, max_per_day=smtp.max_per_day,
                             per_minute=smtp.per_minute)
    return {"waiting": len(waiting),
            "sent_last_24h": sum(1 for t in sent_times if now - timedelta(days=1) < t <= now),
            "per_minute": smtp.per_minute, "max_per_day": smtp.max_per_day,
            "finish_at": finish.isoformat(timespec="seconds") if finish else None}


def sending_sentence(plan: dict[str, Any], local: Any) -> str | None:
    """The plan in words ("300 emails wait to be sent; at ... the last should go by ...")."""
    if not plan["waiting"] or not plan["finish_at"]:
        return None
    finish = datetime.fromisoformat(plan["finish_at"]).astimezone(local)
    limits = [f"{plan['per_minute']} a minute" if plan["per_minute"] else "no rate limit"]
    if plan["max_per_day"]:
        left = max(plan["max_per_day"] - plan["sent_last_24h"], 0)
        limits.append(f"{plan['max_per_day']} a day, {left} left in the last 24 hours")
    return (f"{plan['waiting']} email(s) wait to be sent; at the relay's limits "
            f"({'; '.join(limits)}) the last should go by {finish:%Y-%m-%d %H:%M}.")


def status_report(store: Store, now: datetime, config: Config) -> dict[str, Any]:
    """The circle at `now`: `happened`, `next`, `waiting` (sentences), `counts` and
    `sending` (the outbox's expected finishing time, `sending_plan`)."""
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
    sending = sending_plan(store, now, config)
    coming = _next(store, now, config, local)
    line = sending_sentence(sending, local)
    if line:
        coming.append(line)
    return {"happened": _happened(store, now, local), "next": coming,
            "waiting": _waiting(store, now, counts), "counts": counts, "sending": sending}
