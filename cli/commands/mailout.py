"""`circle send-due`, `circle digest preview|note|approve|send`, `circle outbox ...`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from circle.app.intents import ApproveDigest, ResolveOutbox, SetDigestNote
from circle.app.rounds import digest_round, preview_digest, queue_digest
from circle.model import OutboxItem, OutboxState, Round
from cli.context import Context, act, load_context
from cli.daemon import cycle, send_outbox_now
from cli.jsonl import add_json_flag, print_jsonl
from data.templates import load_templates, read_templates
from mail.send import ProgressFn, SendReport


def register(sub: Any) -> None:
    """Add the `send-due`, `digest` and `outbox` commands."""
    p = sub.add_parser("send-due", help="compose the mail that is due now and send the outbox")
    p.set_defaults(func=_send_due)
    d = sub.add_parser("digest", help="preview, approve and send the round's digest")
    dsub = d.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    pv = dsub.add_parser("preview", help="print the digest as members will read it")
    pv.add_argument("--html", action="store_true", help="print the HTML version instead")
    pv.add_argument("--member", metavar="ID", help="that member's own copy, with their reply "
                    "links (as they will see it)")
    ap = dsub.add_parser("approve", help="approve the digest for sending")
    se = dsub.add_parser("send", help="queue the approved digest for every member and send it")
    se.add_argument("--force", action="store_true",
                    help="send even if no story or thanks is approved")
    nt = dsub.add_parser("note", help="the steward's note at the top of the digest "
                         "(\"\" removes it)")
    nt.add_argument("text", help="the note, e.g. \"Thank you for a month of brave stories.\"")
    for action, func in ((pv, _preview), (ap, _approve), (se, _send_digest), (nt, _note)):
        action.add_argument("--round", metavar="ID", help="the round, e.g. 2026-11 "
                            "(default: the latest round whose question went out)")
        action.set_defaults(func=func)
    from cli.commands.harvest import add_year_digest

    add_year_digest(dsub)  # `circle digest year`: A year in stories
    o = sub.add_parser("outbox", help="list outgoing mail; resend or drop an item")
    osub = o.add_subparsers(dest="outbox_command", metavar="ACTION")
    ls = osub.add_parser("list", help="list items that need attention (--all: every item)")
    ls.add_argument("--all", action="store_true", help="every item, archived ones too")
    add_json_flag(ls, "id, message_id, kind, recipient, created_at, round_id, member_id, "
                  "state, attempts, next_attempt_at, last_error, sent_at, history, version, "
                  "archived (the composed message itself is not printed)")
    ls.set_defaults(func=_list)
    rs = osub.add_parser("resolve", help="answer for uncertain items, all at once")
    rs.add_argument("--uncertain", required=True, choices=("delivered", "resend", "drop"),
                    help="delivered: they arrived (mark sent); resend: send again; drop: "
                         "never send")
    rs.add_argument("id", nargs="*", help="item ids (a unique start is enough); none: every "
                    "uncertain item")
    rs.set_defaults(func=_resolve)
    for name, text in (("resend", "send an uncertain or failed item again"),
                       ("drop", "never send this item"),
                       ("delivered", "the recipient did get an uncertain item: mark it sent")):
        a = osub.add_parser(name, help=text)
        a.add_argument("id", nargs="*", help="item ids (a unique start is enough); none: every "
                       "uncertain item")
        a.set_defaults(func=_action, action=name)
    o.set_defaults(func=_list, all=False, json=False)


async def send_due(ctx: Context, progress: ProgressFn | None = None) -> SendReport:
    """Queue what the schedule and notices call for now, archive, then send the outbox."""
    return (await cycle(ctx, progress)).sent


def _print_progress(done: int, total: int, item: OutboxItem) -> None:
    print(f"\r  {done}/{total} sent or tried", end="" if done < total else "\n",
          file=sys.stderr, flush=True)


def print_summary(report: SendReport) -> None:
    """What a send did, in words (the CLI's and the daemon's output)."""
    print(f"Sent {report.sent}; will retry {report.failed_temporary}; "
          f"failed {report.failed_permanent}.")
    if report.dropped:
        print(f"{report.dropped} item(s) not sent: their member stopped or paused their mail "
              "after they were queued.")
    if report.deferred:
        print(f"{report.deferred} item(s) wait for the provider's daily quota ([smtp] "
              "max_per_day): `circle status` says when the last should go.")
    if report.uncertain:
        print(f"{report.uncertain} item(s) were interrupted while sending and may have arrived: "
              "see `circle outbox list`, then resend, drop or mark them delivered.")
    for line in report.problems:
        print(f"  {line}")


def _send_due(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    for line in read_templates(ctx.data_dir)[1]:
        print(f"Warning: {line}", file=sys.stderr)
    report = asyncio.run(send_due(ctx, _print_progress if sys.stderr.isatty() else None))
    print_summary(report)
    return 0 if not report.failed_permanent else 1


def _preview(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    print(preview_digest(ctx.store, ctx.clock.now(), ctx.config, ctx.secret,
                         round_id=args.round, html=args.html,
                         templates=load_templates(ctx.data_dir), member_id=args.member))
    return 0


def _note(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rnd = digest_round(ctx.store.all(Round), args.round)
    act(ctx, SetDigestNote(round_id=rnd.id, text=args.text))
    if args.text.strip():
        print(f"The note is at the top of the {rnd.id} digest: see `circle digest preview`.")
    else:
        print(f"The {rnd.id} digest has no note now.")
    return 0


def _approve(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rnd = digest_round(ctx.store.all(Round), args.round)
    act(ctx, ApproveDigest(round_id=rnd.id))
    print(f"The digest of round {rnd.id} is approved. Send it with `circle digest send`.")
    return 0


def _send_digest(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    items = queue_digest(ctx.store, ctx.clock.now(), ctx.config, ctx.secret,
                         round_id=args.round, force=args.force,
                         templates=load_templates(ctx.data_dir))
    print(f"Queued the digest for {len(items)} member(s).")
    report = asyncio.run(send_outbox_now(ctx, _print_progress if sys.stderr.isatty() else None))
    print_summary(report)
    return 0 if not report.failed_permanent else 1


_ATTENTION = (OutboxState.QUEUED, OutboxState.FAILED_TEMPORARY, OutboxState.FAILED_PERMANENT,
              OutboxState.UNCERTAIN, OutboxState.SENDING)


def _list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    if getattr(args, "json", False):
        from circle.app.views import outbox_rows

        rows = outbox_rows(ctx.store, archived=args.all)
        print_jsonl(r for r in rows if args.all or r["state"] in _ATTENTION)
        return 0
    items = sorted(ctx.store.all(OutboxItem, bodies=False), key=lambda i: (i.created_at, i.id))
    shown = items if getattr(args, "all", False) else [i for i in items if i.state in _ATTENTION]
    if not shown:
        print("Nothing waiting in the outbox." if items else "The outbox is empty.")
        return 0
    for i in shown:
        when = f" next try {i.next_attempt_at:%Y-%m-%d %H:%M}" if i.next_attempt_at else ""
        error = f"  ({i.last_error})" if i.last_error and i.state != OutboxState.SENT else ""
        print(f"{i.id}  {i.state:<16} {i.kind:<12} {i.round_id:<8} {i.recipient}{when}{error}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    args.action = args.uncertain
    return _action(args)


def _action(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    outcome = act(ctx, ResolveOutbox(refs=tuple(args.id), action=args.action))
    for item in outcome.records:
        print(f"{item.id} to {item.recipient} is now {item.state}.")
    if not outcome.records:
        print("No item was uncertain; nothing changed.")
    return 0
