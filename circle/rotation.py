"""Fair host rotation: who hosts which round, and the steward's overrides (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from circle.errors import NotFoundError, TransitionError
from circle.model import HostState, Member, MemberStatus, Round, RoundState

INVITE_LEAD_DAYS = 28
"""A host must be back from a pause by the invitation, this many days before the gathering."""


def host_of(rnd: Round) -> str | None:
    """Who hosts (or is planned to host) `rnd`: None if nobody, declined, or no host this round."""
    if rnd.host_id is None or rnd.host_state == HostState.DECLINED:
        return None
    if rnd.host_state == HostState.ACCEPTED:
        return rnd.host_id
    if "host" in rnd.skipped or "host_invite" in rnd.skipped:
        return None
    return rnd.host_id


def _round_date(round_id: str, rounds: Sequence[Round]) -> date:
    """The gathering date of `round_id`; the month's first day if there is no record yet."""
    for rnd in rounds:
        if rnd.id == round_id:
            return rnd.gathering.date()
    year, month = (int(part) for part in round_id.split("-"))
    return date(year, month, 1)


def available(member: Member, on: date, lead_days: int = INVITE_LEAD_DAYS) -> bool:
    """Whether `member` can be asked to host a round gathering on `on`: willing, reachable,
    a member by the invitation and not paused then (a pause that ends by then is fine)."""
    invite = on - timedelta(days=lead_days)
    if member.status == MemberStatus.LEFT or not member.can_host or member.delivery_paused:
        return False
    if member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > invite):
        return False
    return member.joined <= invite


def _neighbours(rounds: Sequence[Round], round_id: str) -> set[str]:
    """Hosts of the rounds just before and just after `round_id` (nobody twice in a row)."""
    before = [r for r in rounds if r.id < round_id]
    after = [r for r in rounds if r.id > round_id]
    near = [max(before, key=lambda r: r.id)] if before else []
    near += [min(after, key=lambda r: r.id)] if after else []
    return {h for h in map(host_of, near) if h is not None}


def next_host(members: Sequence[Member], rounds: Sequence[Round], round_id: str,
              lead_days: int = INVITE_LEAD_DAYS) -> str | None:
    """The member who should host `round_id`, or None if nobody can.

    An accepted host is fixed; a planned or invited host stays while still available and not in
    `hosts_asked`. Otherwise: the available member who hosted least recently (never first, ties
    by joined date then id), excluding those who already declined this round and the hosts of
    the neighbouring rounds. A round whose hosting the steward skipped has no host.
    """
    target = next((r for r in rounds if r.id == round_id), None)
    if target is not None and target.host_id and target.host_state == HostState.ACCEPTED:
        return target.host_id
    if target is not None and "host" in target.skipped:
        return None
    on = _round_date(round_id, rounds)
    asked = set(target.hosts_asked) if target is not None else set()
    by_id = {m.id: m for m in members}
    planned = host_of(target) if target is not None else None
    if planned and planned not in asked and planned in by_id and available(
            by_id[planned], on, lead_days):
        return planned
    if target is not None and target.host_state == HostState.DECLINED and target.host_id:
        asked.add(target.host_id)
    blocked = asked | _neighbours(rounds, round_id)
    last: dict[str, str] = {}
    for rnd in rounds:
        host = host_of(rnd)
        if rnd.id < round_id and host is not None:
            last[host] = max(last.get(host, ""), rnd.id)
    candidates = [m for m in members if m.id not in blocked and available(m, on, lead_days)]
    if not candidates:
        return None
    return min(candidates, key=lambda m: (last.get(m.id, ""), m.joined, m.id)).id


def _month_ids(start_round_id: str, n: int) -> list[str]:
    year, month = (int(part) for part in start_round_id.split("-"))
    ids = []
    for step in range(n):
        y, m = divmod(month - 1 + step, 12)
        ids.append(f"{year + y:04d}-{m + 1:02d}")
    return ids


def preview(members: Sequence[Member], rounds: Sequence[Round], start_round_id: str,
            n: int = 12, lead_days: int = INVITE_LEAD_DAYS) -> list[tuple[str, str | None]]:
    """The hosts of the `n` months from `start_round_id`, simulating the rotation forward.

    Months without a Round record are taken to gather on their first day.
    """
    simulated = {r.id: r for r in rounds}
    plan: list[tuple[str, str | None]] = []
    for round_id in _month_ids(start_round_id, n):
        host = next_host(members, list(simulated.values()), round_id, lead_days)
        plan.append((round_id, host))
        rnd = simulated.get(round_id) or Round(
            id=round_id, gathering=datetime.combine(_round_date(round_id, ()), datetime.min.time(),
                                                    tzinfo=UTC))
        if host is not None and host_of(rnd) != host:
            rnd = replace(rnd, host_id=host, host_state=HostState.ACCEPTED)
        simulated[round_id] = rnd
    return plan


def _check_changeable(rnd: Round) -> None:
    if rnd.state != RoundState.PLANNED or "question" in rnd.fired:
        raise TransitionError(f"round {rnd.id}: the question has already gone out in the host's "
                              "name; its host can no longer change")


def swap(rounds: Sequence[Round], a_round_id: str, b_round_id: str) -> list[Round]:
    """The rounds with the hosts of two rounds exchanged; both must be asked (again)."""
    by_id = {r.id: r for r in rounds}
    for rid in (a_round_id, b_round_id):
        if rid not in by_id:
            raise NotFoundError(f"round {rid} does not exist — plan it first")
        _check_changeable(by_id[rid])
    a, b = by_id[a_round_id], by_id[b_round_id]
    new_a = assign(a, b.host_id) if b.host_id else _unhosted(a)
    new_b = assign(b, a.host_id) if a.host_id else _unhosted(b)
    swapped = {a_round_id: new_a, b_round_id: new_b}
    return [swapped.get(r.id, r) for r in rounds]


def _unhosted(rnd: Round) -> Round:
    return replace(rnd, host_id=None, host_state=HostState.UNASKED)


def assign(rnd: Round, member_id: str, accepted: bool = False) -> Round:
    """The steward's choice of host for `rnd` (still to be invited, unless `accepted`)."""
    _check_changeable(rnd)
    skipped = {k: v for k, v in rnd.skipped.items() if k != "host"}
    return replace(rnd, host_id=member_id, skipped=skipped,
                   host_state=HostState.ACCEPTED if accepted else HostState.UNASKED,
                   hosts_asked=[m for m in rnd.hosts_asked if m != member_id])


def skip(rnd: Round, reason: str = "skipped by the steward") -> Round:
    """`rnd` without a host: nobody is invited and the rotation passes over this round."""
    return replace(_unhosted(rnd), skipped={**rnd.skipped, "host": reason})
