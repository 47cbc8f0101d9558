"""`circle members add|list|pause|resume|remove`: keep the circle's membership."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from circle.app import Intent
from circle.app.intents import AddMember, PauseMember, RemoveMember, ResumeMember, SetHosting
from circle.errors import CircleError
from circle.members import find_member
from circle.model import Member
from circle.transitions import effective_status
from cli.context import act, load_context
from cli.jsonl import add_json_flag, print_jsonl


def register(sub: Any) -> None:
    """Add the `members` command and its subcommands."""
    p = sub.add_parser("members", help="add, list, pause, resume or remove members; who may "
                       "host")
    msub = p.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    add = msub.add_parser("add", help="add a member")
    add.add_argument("name")
    add.add_argument("email")
    add.add_argument("--alias", action="append", default=[], help="another address they use")
    add.add_argument("--no-host", action="store_true", help="never ask them to host")
    add.add_argument("--steward", action="store_true", help="they help steward the circle")
    add.set_defaults(func=_add)
    ls = msub.add_parser("list", help="list members with their status")
    ls.add_argument("--all", action="store_true", help="include members who left")
    add_json_flag(ls, "id, name, email, joined, aliases, status (active|paused|left, as of "
                  "today), paused_until, can_host, is_steward, delivery_problems, "
                  "delivery_paused, note, version")
    ls.set_defaults(func=_list)
    pa = msub.add_parser("pause", help="pause a member's mail (optionally until a date)")
    pa.add_argument("member", help="id, email or name")
    pa.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD")
    pa.set_defaults(func=_pause)
    re_ = msub.add_parser("resume", help="resume a paused member")
    re_.add_argument("member")
    re_.set_defaults(func=_resume)
    rm = msub.add_parser("remove", help="a member leaves; their stories stay")
    rm.add_argument("member")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(func=_remove)
    ho = msub.add_parser("hosting", help="whether a member may be asked to host")
    ho.add_argument("member", help="id, email or name")
    ho.add_argument("answer", choices=("yes", "no"))
    ho.set_defaults(func=_hosting)


def _today(ctx: Any) -> date:
    now = ctx.clock.now().astimezone(ctx.config.tz)
    return date(now.year, now.month, now.day)


def _add(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    outcome = act(ctx, AddMember(name=args.name, email=args.email,
                                    aliases=tuple(args.alias or ()), can_host=not args.no_host,
                                    is_steward=args.steward))
    member = outcome.records[0]
    print(f"Added {member.name} <{member.email}> as {member.id}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    today = _today(ctx)
    if args.json:
        from circle.app.views import member_rows

        print_jsonl(r for r in member_rows(ctx.store, today)
                    if args.all or r["status"] != "left")
        return 0
    members = sorted(ctx.store.all(Member), key=lambda m: m.name.lower())
    rows = []
    for m in members:
        status = effective_status(m, today)
        if status == "left" and not args.all:
            continue
        label = str(status) + (f" until {m.paused_until}" if m.paused_until and
                               status == "paused" else "")
        if m.delivery_paused:
            label += ", delivery problems"
        flags = ("host" if m.can_host else "") + (" steward" if m.is_steward else "")
        rows.append((m.id, m.name, m.email, label, flags.strip()))
    if not rows:
        print("No members yet. Add one: circle members add \"Full Name\" name@example.org")
        return 0
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        print("  ".join(col.ljust(w) for col, w in zip(r, widths, strict=True)).rstrip())
    return 0


def _change(args: argparse.Namespace, verb: str) -> int:
    ctx = load_context(args.config)
    member = find_member(ctx.store.all(Member), args.member)
    intent: Intent
    if verb == "pause":
        intent = PauseMember(member_id=member.id, until=args.until)
        note = f"until {args.until}" if args.until else "until they RESUME"
    elif verb == "resume":
        intent, note = ResumeMember(member_id=member.id), ("they will receive the circle's "
                                                           "mail again")
    else:
        if not args.yes and not _confirm(f"Remove {member.name}? Their stories stay. [y/N] "):
            print("Nothing changed.")
            return 1
        intent = RemoveMember(member_id=member.id)
        note = "their stories stay in the circle's record"
    act(ctx, intent)
    past = {"pause": "Paused", "resume": "Resumed", "remove": "Removed"}[verb]
    print(f"{past} {member.name} ({note}).")
    return 0


def _confirm(prompt: str) -> bool:
    try:
        return input(prompt).strip().lower() in ("y", "yes")
    except EOFError as exc:
        raise CircleError("no answer on standard input; pass --yes to confirm") from exc


def _pause(args: argparse.Namespace) -> int:
    return _change(args, "pause")


def _resume(args: argparse.Namespace) -> int:
    return _change(args, "resume")


def _remove(args: argparse.Namespace) -> int:
    return _change(args, "remove")


def _hosting(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    member = find_member(ctx.store.all(Member), args.member)
    outcome = act(ctx, SetHosting(member_id=member.id, can_host=args.answer == "yes"))
    print(f"{outcome.message}.")
    return 0
