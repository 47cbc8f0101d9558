"""`circle decisions list|undo`: the steward's decision log, and taking a decision back.

Undo is an intent like any other (`UndoDecision`, circle/app/decisions.py): it is refused,
with the reason, when the record changed since or the digest that carries it was sent.
"""

from __future__ import annotations

import argparse
from typing import Any

from circle.app.decisions import decisions, why_not
from circle.app.intents import UndoDecision
from cli.context import act, load_context
from cli.jsonl import add_json_flag, print_jsonl

FIELDS = ("id, at, by, intent, area, summary, records, undone_at, undone_by, undoable, "
          "why_not")


def register(sub: Any) -> None:
    """Add `decisions`."""
    d = sub.add_parser("decisions", help="the steward's decisions: list them, undo one")
    dsub = d.add_subparsers(dest="decisions_command", metavar="ACTION", required=True)
    ls = dsub.add_parser("list", help="recent decisions, newest first")
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
    add_json_flag(ls, FIELDS)
    ls.set_defaults(func=_list)
    un = dsub.add_parser("undo", help="take a decision back (default: the newest standing)")
    un.add_argument("id", nargs="?", default="", help="e.g. d12 (from `circle decisions list`)")
    un.set_defaults(func=_undo)


def _list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rows: list[dict[str, Any]] = []
    for decision in decisions(ctx.store)[:max(args.limit, 0)]:
        reason = why_not(ctx.store, decision)
        rows.append({"id": decision.id, "at": decision.at.isoformat(), "by": decision.by,
                     "intent": decision.intent, "area": decision.area,
                     "summary": decision.summary,
                     "records": [f"{c['table']}:{c['key']}" for c in decision.changes],
                     "undone_at": decision.undone_at.isoformat() if decision.undone_at
                     else None, "undone_by": decision.undone_by,
                     "undoable": not reason, "why_not": reason})
    if args.json:
        print_jsonl(rows)
        return 0
    if not rows:
        print("No decisions yet.")
        return 0
    for r in rows:
        mark = "undone" if r["undone_at"] else ("can undo" if r["undoable"] else "stays")
        print(f"{r['id']:<6} {r['at'][:16]}  {r['area']:<10} {mark:<8}  {r['summary']}")
    return 0


def _undo(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    print(act(ctx, UndoDecision(decision_id=args.id)).message + ".")
    return 0
