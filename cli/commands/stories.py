"""`circle stories suggestions|accept-suggestion|dismiss-suggestion`: requests found in stories.

A member who asks for something inside a story ("please keep it anonymous") keeps their
story; the request waits here for the steward (circle/app/requests.py), never applied alone.
"""

from __future__ import annotations

import argparse
from typing import Any

from circle.app.requests import AcceptSuggestion, DismissSuggestion
from circle.model import Member, Story
from cli.context import act, load_context


def add_suggestion_actions(ssub: Any) -> None:
    """Add `suggestions`, `accept-suggestion`, `dismiss-suggestion` to `circle stories`
    (whose parser cli/commands/curate.py makes)."""
    ls = ssub.add_parser("suggestions", help="list stories with a request waiting for you")
    ls.set_defaults(func=_list)
    ok = ssub.add_parser("accept-suggestion", help="apply a story's request (the member is told)")
    ok.add_argument("story_id")
    ok.set_defaults(func=_accept)
    no = ssub.add_parser("dismiss-suggestion", help="set a story's request aside")
    no.add_argument("story_id")
    no.set_defaults(func=_dismiss)


def _list(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    names = {m.id: m.name for m in ctx.store.all(Member)}
    waiting = [s for s in ctx.store.all(Story) if s.suggested_command]
    for s in sorted(waiting, key=lambda s: s.received_at):
        words = " ".join(s.suggested_words.split())[:80]
        print(f"{s.id}  {names.get(s.member_id, s.member_id)}: {s.suggested_command}"
              + (f"  (\u201c{words}\u201d)" if words else ""))
    if not waiting:
        print("No requests waiting.")
    return 0


def _run(args: argparse.Namespace, intent: AcceptSuggestion | DismissSuggestion) -> int:
    ctx = load_context(args.config)
    print(act(ctx, intent).message)
    return 0


def _accept(args: argparse.Namespace) -> int:
    return _run(args, AcceptSuggestion(post_id=args.story_id))


def _dismiss(args: argparse.Namespace) -> int:
    return _run(args, DismissSuggestion(post_id=args.story_id))
