"""`circle questions list [--json]`: every question asked, its host, date, answers and passes."""

from __future__ import annotations

import argparse
import json
from typing import Any

from circle.app.questions import questions
from circle.compose.text import clean_line
from cli.context import load_context


def register(sub: Any) -> None:
    """Add `questions list`."""
    q = sub.add_parser("questions", help="every question the circle was asked, and what it drew")
    verbs = q.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = verbs.add_parser("list", help="every question asked (archived rounds included)")
    ls.add_argument("--json", action="store_true",
                    help="one JSON object per line: round, date, question, host, host_id, "
                    "answered, passed, state")
    ls.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    found = questions(ctx.store)
    if args.json:
        for q in found:
            print(json.dumps(q.as_json(), ensure_ascii=False))
        return 0
    if not found:
        print("No question has been asked yet.")
    for q in found:
        host = clean_line(q.host_name) or "the steward"
        print(f"{q.round_id}  {q.gathering:%d %b %Y}  {q.answered:>3} answered  "
              f"{q.passed:>3} passed  host {host}")
        print(f"    {clean_line(q.question, 300)}")
    return 0
