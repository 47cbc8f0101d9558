"""`circle send-due`, `circle digest preview|approve|send`, `circle outbox list|resend|drop`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from filelock import FileLock, Timeout

from circle.model import OutboxItem, OutboxState
from circle.outbox import steward_action
from circle.rounds_due import approve_digest, plan_due_mail, preview_digest, queue_digest
from data.templates import load_templates, read_templates
from mail.smtp import ProgressFn, SendReport, SmtpSink, send_outbox, smtp_password
from tui.commands.mailin import AFTER_FETCH
from tui.context import Context, load_context

SENDING_LOCK = "sending.lock"


def send_due_after_fetch(ctx: Context) -> None:
    """The `circle run` hook: after every fetch, send receipts and whatever the schedule says."""
    report = asyncio.run(send_due(ctx))
    if report.attempted:
        _summary(report)


def register(sub: Any) -> None:
    """Add the `send-due`, `digest` and `outbox` commands (and hook sending into `circle run`)."""
    if send_due_after_fetch not in AFTER_FETCH:
        AFTER_FETCH.append(send_due_after_fetch)
    p = sub.add_parser("send-due", help="compose the mail that is due now and send the outbox")
    p.set_defaults(func=_send_due)
    d = sub.add_parser("digest", help="preview, approve and send the round's digest")
    dsub = d.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    pv = dsub.add_parser("preview", help="print the digest as members will read it")
    pv.add_argument("--html", action="store_true", help="print the HTML version instead")
    ap = dsub.add_parser("approve", help="approve the digest for sending")
    se = dsub.add_parser("send", help="queue the approved digest for every member and send it")
    se.add_argument("--force", action="store_true",
                    help="send even if no story or thanks is approved")
    for action, func in ((pv, _preview), (ap, _approve), (se, _send_digest)):
        action.add_argument("--round", metavar="ID", help="the round, e.g. 2026-11 "
                            "(default: the latest round whose question went out)")
        action.set_defaults(func=func)
    o = sub.add_parser("outbox", help="list outgoing mail; resend or drop an item")
    osub = o.add_subparsers(dest="outbox_command", metavar="ACTION")
    ls = osub.add_parser("list", help="list items that need attention (--all: every item)")
    ls.add_argument("--all", action="store_true")
    ls.set_defaults(func=_list)
    for name, text in (("resend", "send an uncertain or failed item again"),
                       ("drop", "never send this item"),
                       ("delivered", "the recipient did get an uncertain item: mark it sent")):
        a = osub.add_parser(name, help=text)
        a.add_argument("id", help="the item id (a unique start of it is enough)")
        a.set_defaults(func=_action, action=name)
    o.set_defaults(func=_list, all=False)


async def send_outbox_now(ctx: Context, progress: ProgressFn | None = None) -> SendReport:
    """Send every due outbox item over SMTP, holding the circle's sending lock.

    If another Circle process is sending, returns at once (its run will send these items).
    """
    lock = FileLock(str(ctx.data_dir / SENDING_LOCK), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        return SendReport(problems=["another Circle process is sending right now; "
                                    "it will send these too"])
    try:
        password = smtp_password(ctx.config.smtp)
        async with SmtpSink(ctx.config.smtp, password=password) as sink:
            return await send_outbox(ctx.store, sink, ctx.clock.now, sender=ctx.config.address,
                                     progress=progress)
    finally:
        lock.release()


async def send_due(ctx: Context, progress: ProgressFn | None = None) -> SendReport:
    """Queue what the schedule and notices call for now, then send the outbox.

    `circle run` calls this after each fetch; the TUI passes `progress` for its progress bar.
    """
    plan_due_mail(ctx.store, ctx.clock.now(), ctx.config, ctx.secret,
                  load_templates(ctx.data_dir))
    return await send_outbox_now(ctx, progress)


def _print_progress(done: int, total: int, item: OutboxItem) -> None:
    print(f"\r  {done}/{total} sent or tried", end="" if done < total else "\n",
          file=sys.stderr, flush=True)


def _summary(report: SendReport) -> None:
    print(f"Sent {report.sent}; will retry {report.failed_temporary}; "
          f"failed {report.failed_permanent}.")
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
    _summary(report)
    return 0 if not report.failed_permanent else 1


def _preview(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    print(preview_digest(ctx.store, ctx.clock.now(), ctx.config, ctx.secret,
                         round_id=args.round, html=args.html,
                         templates=load_templates(ctx.data_dir)))
    return 0


def _approve(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rnd = approve_digest(ctx.store, args.round)
    print(f"The digest of round {rnd.id} is approved. Send it with `circle digest send`.")
    return 0


def _send_digest(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    items = queue_digest(ctx.store, ctx.clock.now(), ctx.config, ctx.secret,
                         round_id=args.round, force=args.force,
                         templates=load_templates(ctx.data_dir))
    print(f"Queued the digest for {len(items)} member(s).")
    report = asyncio.run(send_outbox_now(ctx, _print_progress if sys.stderr.isatty() else None))
    _summary(report)
    return 0 if not report.failed_permanent else 1


_ATTENTION = (OutboxState.QUEUED, OutboxState.FAILED_TEMPORARY, OutboxState.FAILED_PERMANENT,
              OutboxState.UNCERTAIN, OutboxState.SENDING)


def _list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    items = sorted(ctx.store.all(OutboxItem), key=lambda i: (i.created_at, i.id))
    shown = items if getattr(args, "all", False) else [i for i in items if i.state in _ATTENTION]
    if not shown:
        print("Nothing waiting in the outbox." if items else "The outbox is empty.")
        return 0
    for i in shown:
        when = f" next try {i.next_attempt_at:%Y-%m-%d %H:%M}" if i.next_attempt_at else ""
        error = f"  ({i.last_error})" if i.last_error and i.state != OutboxState.SENT else ""
        print(f"{i.id}  {i.state:<16} {i.kind:<12} {i.round_id:<8} {i.recipient}{when}{error}")
    return 0


def _action(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    item = steward_action(ctx.store, args.id, args.action, ctx.clock.now())
    print(f"{item.id} to {item.recipient} is now {item.state}.")
    return 0
