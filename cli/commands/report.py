"""`circle status`, `circle inbound list`, `circle export`: what a headless operator reads."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from circle.app.views import INBOUND_FIELDS
from circle.errors import ConfigError
from cli.context import load_context
from cli.jsonl import add_json_flag, print_jsonl


def register(sub: Any) -> None:
    """Add `status`, `inbound` and `export`."""
    st = sub.add_parser("status", help="what happened, what is next, what waits for you")
    st.add_argument("--json", action="store_true", help="one JSON object: happened, next, "
                    "waiting (lists of sentences) and counts")
    st.set_defaults(func=_status)
    inbound = sub.add_parser("inbound", help="every received message and what became of it")
    isub = inbound.add_subparsers(dest="inbound_command", metavar="ACTION", required=True)
    ls = isub.add_parser("list", help="received messages, oldest first (archived ones too)")
    ls.add_argument("--since", metavar="ISO", type=_iso, help="only messages received since, "
                    "e.g. 2026-11-01 or 2026-11-01T18:00+01:00")
    add_json_flag(ls, ", ".join((*INBOUND_FIELDS, "archived")))
    ls.set_defaults(func=_inbound_list)
    ex = sub.add_parser("export", help="everything in the store, hot and archived (backup, "
                        "scripts)")
    ex.add_argument("--json", action="store_true", default=True,
                    help="JSON Lines (the only format): each record's fields plus `type` (its "
                         "table: circle, members, rounds, stories, responses, appreciations, "
                         "inbound, quarantine, outbox, sync, events, notices) and `archived`")
    ex.set_defaults(func=_export)


def _iso(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date or time") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _status(args: argparse.Namespace) -> int:
    from circle.app.status import status_report

    ctx = load_context(args.config)
    report = status_report(ctx.store, ctx.clock.now(), ctx.config)
    if args.json:
        print_jsonl([report])
        return 0
    for title, key in (("What happened", "happened"), ("What is next", "next"),
                       ("Waiting for you", "waiting")):
        print(title)
        for line in report[key] or ["(nothing)"]:
            print(f"  {line}")
    return 0


def _inbound_list(args: argparse.Namespace) -> int:
    from circle.app.views import inbound_rows

    ctx = load_context(args.config)
    rows = inbound_rows(ctx.store, since=args.since)
    if args.json:
        print_jsonl(rows)
        return 0
    if not rows:
        print("No mail received" + (" since then." if args.since else " yet."))
    for r in rows:
        reasons = f" [{', '.join(r['reasons'])}]" if r["reasons"] else ""
        print(f"{r['received_at'][:16]}  {r['kind']:<14} {r['sender']:<30} "
              f"{r['outcome'] or '-'}{reasons}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from circle.app.views import export_rows

    ctx = load_context(args.config)
    if not args.json:
        raise ConfigError("export only writes JSON Lines")
    print_jsonl(export_rows(ctx.store))
    return 0
