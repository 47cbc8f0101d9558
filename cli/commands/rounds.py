"""`circle rounds` (past and next rounds) and `circle rotation` (hosts for the next 12 rounds)."""

from __future__ import annotations

import argparse
from typing import Any

from circle import rotation
from circle.app import Intent
from circle.app.intents import AssignHost, SkipHost, SwapHosts
from circle.app.rounds import archived_rounds, plan_rounds
from circle.errors import NotFoundError
from circle.members import find_member
from circle.model import Member, Round, RoundState
from cli.context import Context, act, load_context


def register(sub: Any) -> None:
    """Add `rounds` and `rotation`."""
    r = sub.add_parser("rounds", help="past and next rounds: hosts, questions, dates")
    r.add_argument("--ahead", type=int, default=3, help="how many coming rounds to show")
    r.set_defaults(func=_rounds)
    rot = sub.add_parser("rotation", help="the host rotation for the next 12 rounds")
    rot.add_argument("--swap", nargs=2, metavar=("ROUND_A", "ROUND_B"),
                     help="swap the hosts of two rounds, e.g. --swap 2026-12 2027-01")
    rot.add_argument("--assign", nargs=2, metavar=("ROUND", "MEMBER"),
                     help="pick the host of a round yourself")
    rot.add_argument("--skip", metavar="ROUND", help="no host for a round (the steward hosts)")
    rot.set_defaults(func=_rotation)


def planned_rounds(ctx: Context, ahead: int = 12) -> list[Round]:
    """All hot rounds, after adding the coming ones the schedule implies."""
    return plan_rounds(ctx.store, ctx.clock.now(), ctx.config, ahead=ahead)


def _names(ctx: Context) -> dict[str, str]:
    return {m.id: m.name for m in ctx.store.all(Member)}


def _rounds(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rounds = planned_rounds(ctx)
    now = ctx.clock.now()
    names = _names(ctx)
    past = [r for r in rounds if r.gathering < now][-6:]
    coming = [r for r in rounds if r.gathering >= now][: args.ahead]
    members = ctx.store.all(Member)
    seen = [*archived_rounds(ctx.store, {r.id for r in rounds}), *rounds]
    hosts = dict(rotation.preview(members, seen, coming[0].id, n=len(coming))) if coming else {}
    for title, group in (("Past rounds", past), ("Coming rounds", coming)):
        print(title)
        if not group:
            print("  (none)")
        for rnd in group:
            when = rnd.gathering.astimezone(ctx.config.tz).strftime("%a %d %b %Y %H:%M")
            host_id = rnd.host_id or hosts.get(rnd.id)
            host = names.get(host_id or "", "no host yet")
            state = f"host {rnd.host_state}" if rnd.state == RoundState.PLANNED else rnd.state
            question = f' — "{rnd.question}"' if rnd.question else ""
            print(f"  {rnd.id}  {when}  {host} ({state}){question}")
    return 0


def _rotation(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rounds = planned_rounds(ctx)
    members = ctx.store.all(Member)
    by_id = {r.id: r for r in rounds}
    intent: Intent | None = None
    if args.swap:
        intent = SwapHosts(round_a=args.swap[0], round_b=args.swap[1])
    elif args.assign:
        if args.assign[0] not in by_id:
            raise NotFoundError(f"no round {args.assign[0]}; `circle rounds` lists them")
        intent = AssignHost(round_id=args.assign[0],
                            member_id=find_member(members, args.assign[1]).id)
    elif args.skip:
        if args.skip not in by_id:
            raise NotFoundError(f"no round {args.skip}; `circle rounds` lists them")
        intent = SkipHost(round_id=args.skip)
    if intent is not None:
        act(ctx, intent)
        rounds = planned_rounds(ctx)
    now = ctx.clock.now()
    coming = [r for r in rounds if r.gathering >= now]
    if not coming:
        print("No coming rounds.")
        return 0
    names = _names(ctx)
    by_id = {r.id: r for r in rounds}
    seen = [*archived_rounds(ctx.store, {r.id for r in rounds}), *rounds]
    for round_id, host_id in rotation.preview(members, seen, coming[0].id, n=12):
        rnd = by_id.get(round_id)
        state = f" ({rnd.host_state})" if rnd and rnd.host_id else ""
        print(f"  {round_id}  {names.get(host_id or '', '— the steward hosts')}{state}")
    return 0
