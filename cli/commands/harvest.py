"""`circle harvest set|show|approve|hold|hide|restore`: what each gathering harvested.

Every change goes through an intent (`SetHarvest`, `ReviewHarvest`); `show` reads the store.
See docs/architecture.md, "The harvest".
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from circle.app.harvest import harvest_rows
from circle.app.intents import ReviewHarvest, SetHarvest
from circle.compose.text import clean_line
from circle.errors import NotFoundError, TransitionError
from cli.context import act, load_context
from cli.jsonl import add_json_flag, print_jsonl

HARVEST_FIELDS = ("id, round, carried_by, state, text, from, typed_by_steward, attachments, "
                  "received_at, archived")


def register(sub: Any) -> None:
    """Add `harvest`."""
    h = sub.add_parser("harvest", help="what each gathering harvested: set, show, review")
    hsub = h.add_subparsers(dest="harvest_command", metavar="ACTION", required=True)
    hs = hsub.add_parser("set", help="type the round's harvest (approved for the next digest)")
    hs.add_argument("round", metavar="ROUND", help="the round whose gathering it harvests, "
                    "e.g. 2026-11")
    hs.add_argument("text", nargs="?", default=None, help="the words (or use --file)")
    hs.add_argument("--file", type=Path, metavar="FILE", help="read the words from a UTF-8 "
                    "text file")
    hs.set_defaults(func=_set)
    sh = hsub.add_parser("show", help="every harvest (or one round's), with its state")
    sh.add_argument("round", metavar="ROUND", nargs="?", default=None)
    add_json_flag(sh, HARVEST_FIELDS)
    sh.set_defaults(func=_show)
    for action in ("approve", "hold", "hide", "restore"):
        a = hsub.add_parser(action, help=f"{action} the round's harvest"
                            + (" (back to pending)" if action == "restore" else ""))
        a.add_argument("round", metavar="ROUND")
        a.set_defaults(func=_review, action=action)


def _words(args: argparse.Namespace) -> str:
    if args.file is not None and args.text is not None:
        raise TransitionError("give the harvest as TEXT or with --file, not both")
    if args.file is None:
        if args.text is None:
            raise TransitionError("give the harvest: `circle harvest set ROUND \"...\"` or "
                                  "--file FILE")
        return str(args.text)
    try:
        return Path(args.file).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"no file {args.file}") from None
    except UnicodeDecodeError:
        raise TransitionError(f"{args.file} is not UTF-8 text; save it as UTF-8 and try "
                              "again (nothing was changed)") from None
    except OSError as exc:
        raise NotFoundError(f"cannot read {args.file}: {exc.strerror}") from None


def _set(args: argparse.Namespace) -> int:
    words = _words(args)
    ctx = load_context(args.config)
    print(act(ctx, SetHarvest(round_id=args.round, text=words)).message + ".")
    return 0


def _show(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    rows = harvest_rows(ctx.store, args.round)
    if args.json:
        print_jsonl(rows)
        return 0
    if not rows:
        print("No harvest yet" + (f" for round {args.round}." if args.round else "."))
        return 0
    for row in rows:
        mark = " (archived)" if row["archived"] else ""
        print(f"{row['round']}  {row['state']:<9} carried by the {row['carried_by']} "
              f"digest{mark}")
        for line in str(row["text"]).splitlines() or [""]:
            print(f"    {clean_line(line, 300)}")
    return 0


def _review(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    print(act(ctx, ReviewHarvest(round_id=args.round, action=args.action)).message + ".")
    return 0


def add_year_digest(dsub: Any) -> None:
    """Add `circle digest year [YEAR] [--intro TEXT | --approve | --send]` (the digest
    command's own module calls this, so `digest year` sits beside preview/approve/send)."""
    y = dsub.add_parser("year", help="A year in stories: preview it (default), add your "
                        "words (--intro), --approve, --send")
    y.add_argument("year", nargs="?", type=int, metavar="YEAR",
                   help="e.g. 2026 (default: this year from October on, else last year)")
    what = y.add_mutually_exclusive_group()
    what.add_argument("--intro", metavar="TEXT", help="your opening words (asks for approval "
                      "again)")
    what.add_argument("--approve", action="store_true", help="approve it for sending")
    what.add_argument("--send", action="store_true", help="queue the approved digest for "
                      "every member who receives mail, and send the outbox")
    y.set_defaults(func=_year)


def _year(args: argparse.Namespace) -> int:
    import asyncio

    from circle.app.intents import ApproveYearDigest, SetYearIntro
    from circle.app.rounds import mail_setting
    from circle.app.year import default_year, preview_year, queue_year_digest
    from circle.model import Member
    from cli.commands.mailout import print_summary
    from cli.daemon import send_outbox_now
    from data.templates import load_templates

    ctx = load_context(args.config)
    now = ctx.clock.now()
    year = args.year or default_year(now, ctx.config)
    if args.intro is not None:
        print(act(ctx, SetYearIntro(year=year, text=args.intro)).message + ".")
        return 0
    if args.approve:
        print(act(ctx, ApproveYearDigest(year=year)).message
              + ". Send it with `circle digest year " + str(year) + " --send`.")
        return 0
    ms = mail_setting(ctx.config, ctx.secret, now, ctx.store.all(Member),
                      load_templates(ctx.data_dir))
    if not args.send:
        print(preview_year(ctx.store, ms, year, ctx.config))
        return 0
    items = queue_year_digest(ctx.store, ms, year, ctx.config)
    print(f"Queued A year in stories {year} for {len(items)} member(s).")
    report = asyncio.run(send_outbox_now(ctx, None))
    print_summary(report)
    return 0 if not report.failed_permanent else 1
