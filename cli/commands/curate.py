"""`circle question`, `circle stories`, `circle quarantine`: the steward's curation, headless.

Every change goes through an intent (`circle.app.apply`); lists read the store only.
"""

from __future__ import annotations

import argparse
from typing import Any

from circle.app.intents import (
    ApproveQuestion,
    AssignQuarantine,
    DismissQuarantine,
    ReviewPost,
    SetQuestion,
    SetVisibility,
)
from circle.app.views import POST_FIELDS, next_round, post_rows, quarantine_rows
from circle.errors import NotFoundError
from circle.members import find_member
from circle.model import Member, Round, Visibility
from cli.context import Context, act, load_context
from cli.jsonl import add_json_flag, print_jsonl

STATES = ("pending", "held", "approved", "hidden", "withdrawn")
QUARANTINE_FIELDS = ("id, message_id, received_at, reason, kind, sender, sender_name, subject, "
                     "text, state, resolution, archived")


def register(sub: Any) -> None:
    """Add `question`, `stories` and `quarantine`."""
    q = sub.add_parser("question", help="set or approve a round's question")
    qsub = q.add_subparsers(dest="question_command", metavar="ACTION", required=True)
    qs = qsub.add_parser("set", help="the round's question (approval is asked again)")
    qs.add_argument("text")
    qa = qsub.add_parser("approve", help="approve the question so it goes out on time")
    for p, func in ((qs, _question_set), (qa, _question_approve)):
        p.add_argument("--round", metavar="ID", help="e.g. 2026-11 (default: the next round "
                       "without an approved question)")
        p.set_defaults(func=func)
    s = sub.add_parser("stories", help="list and review stories and responses")
    ssub = s.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    ls = ssub.add_parser("list", help="stories and responses, oldest first")
    ls.add_argument("--round", metavar="ID")
    ls.add_argument("--state", choices=STATES)
    add_json_flag(ls, ", ".join((*POST_FIELDS, "archived")))
    ls.set_defaults(func=_stories_list)
    for action in ("approve", "hold", "hide", "restore"):
        a = ssub.add_parser(action, help=f"{action} stories or responses"
                            + (" (back to pending)" if action == "restore" else ""))
        a.add_argument("ids", nargs="+", metavar="ID")
        a.set_defaults(func=_review, action=action)
    vis = ssub.add_parser("visibility", help="who may read it: circle, anonymous, steward")
    vis.add_argument("id")
    vis.add_argument("visibility", choices=[v.value for v in Visibility])
    vis.set_defaults(func=_visibility)
    from cli.commands.stories import add_suggestion_actions

    add_suggestion_actions(ssub)
    qu = sub.add_parser("quarantine", help="messages Circle could not place")
    qusub = qu.add_subparsers(dest="quarantine_command", metavar="ACTION", required=True)
    qls = qusub.add_parser("list", help="open quarantined messages (--all: resolved too)")
    qls.add_argument("--all", action="store_true")
    add_json_flag(qls, QUARANTINE_FIELDS)
    qls.set_defaults(func=_quarantine_list)
    qas = qusub.add_parser("assign", help="the message is from this member")
    qas.add_argument("id")
    qas.add_argument("member", help="id, email or name")
    qas.add_argument("--round", metavar="ID", default="")
    qas.set_defaults(func=_quarantine_assign)
    qd = qusub.add_parser("dismiss", help="nothing to do with it (it stays archived)")
    qd.add_argument("id")
    qd.set_defaults(func=_quarantine_dismiss)
    qr = qusub.add_parser("reparse", help="read a quarantined message again from its raw "
                          "bytes (after a fix in Circle)")
    qr.add_argument("id")
    qr.set_defaults(func=_quarantine_reparse)


def _round_for_question(ctx: Context, round_id: str | None) -> Round:
    from circle.app.intents_cli import PlanRounds

    act(ctx, PlanRounds(config=ctx.config))
    if round_id:
        found = ctx.store.get(Round, round_id)
        if found is None:
            raise NotFoundError(f"no round {round_id}; `circle rounds` lists them")
        return found
    rnd = next_round(ctx.store, ctx.clock.now(), unapproved=True)
    if rnd is None:
        raise NotFoundError("every coming round already has an approved question")
    return rnd


def _question_set(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rnd = _round_for_question(ctx, args.round)
    print(act(ctx, SetQuestion(round_id=rnd.id, text=args.text)).message + ".")
    return 0


def _question_approve(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rnd = _round_for_question(ctx, args.round)
    print(act(ctx, ApproveQuestion(round_id=rnd.id)).message + ".")
    return 0


def _stories_list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rows = post_rows(ctx.store, round_id=args.round, state=args.state)
    if args.json:
        print_jsonl(rows)
        return 0
    if not rows:
        print("No stories or responses" + (" match." if args.round or args.state else " yet."))
        return 0
    names = {m.id: m.name for m in ctx.store.all(Member)}
    for r in rows:
        text = " ".join(str(r["text"]).split())
        short = text if len(text) <= 60 else text[:59] + "…"
        mark = " (archived)" if r["archived"] else ""
        print(f"{r['id']}  {r['kind']:<8} {r['round_id']:<8} {r['state']:<9} "
              f"{r['visibility']:<9} {names.get(r['member_id'], r['member_id'])}: {short}{mark}")
    return 0


def _review(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    for post_id in args.ids:  # one intent each: a refusal names the one refused
        outcome = act(ctx, ReviewPost(post_id=post_id, action=args.action))
        print(f"{post_id}: {outcome.message}.")
        for note in outcome.notes:
            print(f"  {note}")
    return 0


def _visibility(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    outcome = act(ctx, SetVisibility(post_id=args.id,
                                        visibility=Visibility(args.visibility)))
    print(f"{args.id}: {outcome.message}.")
    return 0


def _quarantine_list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rows = quarantine_rows(ctx.store, everything=args.all)
    if args.json:
        print_jsonl(rows)
        return 0
    if not rows:
        print("Nothing in quarantine.")
        return 0
    for r in rows:
        print(f"{r['id']}  {r['state']:<9} {r['received_at'][:16]}  {r['sender']}  "
              f"{r['subject']!r}: {r['reason']}")
    return 0


def _quarantine_assign(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    member = find_member(ctx.store.all(Member), args.member)
    outcome = act(ctx, AssignQuarantine(item_id=args.id, member_id=member.id,
                                           round_id=args.round))
    print(outcome.message + ".")
    return 0


def _quarantine_dismiss(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    print(act(ctx, DismissQuarantine(item_id=args.id)).message + ".")
    return 0


def _quarantine_reparse(args: argparse.Namespace) -> int:
    from circle.app.ingest import parse_again

    ctx = load_context(args.config)
    report = parse_again(ctx.store, args.id, config=ctx.config, secret=ctx.secret,
                         now=ctx.clock.now())
    still = "still in quarantine" if report.quarantined else "placed"
    print(f"Read {args.id} again: {still} ({report.summary()}).")
    return 0
