"""`circle demo`: local mail servers, a seeded demo circle, simulated members, then the TUI."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from circle.errors import CircleError, NotFoundError

DEMO_DOMAIN = "example.org"


def register(sub: Any) -> None:
    """Add the `demo` command (and `demo inbox`)."""
    d = sub.add_parser(
        "demo", help="try Circle: local mail servers, a demo circle, members writing in",
        description="Start private mail servers on 127.0.0.1 (Dovecot + an SMTP relay), seed "
                    "a demo circle in a throwaway directory, let simulated members reply by "
                    "real email, and open the steward's TUI. Quitting stops everything.")
    d.add_argument("--no-tui", action="store_true",
                   help="run servers, simulated members and the mail loop without the TUI")
    d.add_argument("--seconds", type=float, default=0.0, metavar="N",
                   help="with --no-tui: stop after N seconds (default: until Ctrl-C)")
    d.add_argument("--interval", type=float, default=15.0, metavar="S",
                   help="about how many seconds between simulated members' emails (default "
                        "15: the month's mail arrives over about six minutes)")
    d.set_defaults(func=_demo)
    dsub = d.add_subparsers(dest="demo_command", metavar="ACTION")
    inbox = dsub.add_parser("inbox", help="read the demo members' mailboxes (e.g. the digest)")
    inbox.add_argument("member", nargs="?", default="",
                       help="member id or address (e.g. mei); omit to list mailboxes")
    inbox.add_argument("number", nargs="?", type=int, default=0,
                       help="print message NUMBER's text instead of listing subjects")
    inbox.set_defaults(func=_inbox)


def _demo(args: argparse.Namespace) -> int:
    from cli.demo.session import (
        DemoSession,
        install_signal_handlers,
        restore_signal_handlers,
    )

    headless = bool(args.no_tui)
    log_lines: list[str] = []
    session: DemoSession

    def say(line: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        if headless:
            print(f"{stamp} {line}", flush=True)
            return
        log_lines.append(line)
        if session.dirs is not None:
            with open(session.dirs.root / "demo.log", "a", encoding="utf-8") as fh:
                fh.write(f"{stamp} {line}\n")

    # With the TUI, its own worker runs the mail loop (as when no `circle run` holds the lock).
    session = DemoSession(interval=max(0.2, args.interval), say=say, run_loop=headless)
    previous = install_signal_handlers(session)
    try:
        print("Starting the demo: mail servers on 127.0.0.1, a seeded circle...", flush=True)
        ctx = session.start()
        assert session.dirs is not None
        if headless:
            print(_month_line(session), flush=True)
            print(session.connection_help(), flush=True)
            _wait(session, args.seconds)
            _print_summary(session)
        else:
            print(f"Demo directory: {session.dirs.root} (log: demo.log there).\n"
                  f"{_month_line(session)}", flush=True)
            from cli.terminal import tui_terminal
            from tui.app import run_app  # Textual only here

            with tui_terminal():  # as `circle tui`: stays on the terminal if stderr is redirected
                run_app(ctx)
    except KeyboardInterrupt:
        print("\nStopping the demo...", file=sys.stderr)
    finally:
        session.stop()
        restore_signal_handlers(previous)
    if session.dirs is not None:
        print(f"Demo stopped; its servers are down. Its files stay in {session.dirs.root}.\n"
              f"Read the members' mail with `{command()} demo inbox` "
              f"(e.g. `{command()} demo inbox mei`).")
    return 0


def _month_line(session: Any) -> str:
    """What the demo's month brings, and when (printed before the TUI opens)."""
    steps = session.simulator.steps if session.simulator is not None else []
    total = sum(step.gap for step in steps) * session.interval
    return (f"The month in {max(1, round(total / 60))} minutes: {len(steps)} emails from "
            f"members, about one every {session.interval:g} s; the next host is asked after "
            f"{session.pace.invite_in:.0f} s, the reminder goes out after "
            f"{session.pace.reminder_in:.0f} s.")


def _wait(session: Any, seconds: float) -> None:
    """Until `seconds` pass (0 = until Ctrl-C)."""
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    while time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def _print_summary(session: Any) -> None:
    summary = session.summary()
    print(f"Simulated members sent {len(summary.sent)} email(s); the mail loop fetched "
          f"{summary.fetched}.", flush=True)


def _address(member: str) -> str:
    return member if "@" in member else f"{member}@{DEMO_DOMAIN}"


def _inbox(args: argparse.Namespace) -> int:
    from cli.demo.session import mailboxes, read_inbox
    from cli.demo.setup import last_demo

    dirs = last_demo()
    if dirs is None:
        raise NotFoundError("no demo found: run `circle demo` (or `make demo`) first")
    print(f"Demo mail in {dirs.mail / 'mail'}")
    if not args.member:
        for address in mailboxes(dirs):
            print(f"  {address:32} {len(read_inbox(dirs, address)):3} message(s)")
        print(f"Read one with `{command()} demo inbox MEMBER [NUMBER]`.")
        return 0
    address = _address(args.member)
    messages = read_inbox(dirs, address)
    if not messages:
        raise NotFoundError(f"no mail for {address} in the demo (`circle demo inbox` lists "
                            "the mailboxes)")
    if args.number:
        if not 1 <= args.number <= len(messages):
            raise CircleError(f"{address} has messages 1 to {len(messages)}, not {args.number}")
        msg = messages[args.number - 1]
        for name in ("From", "To", "Date", "Subject"):
            print(f"{name}: {msg.get(name, '')}")
        body = msg.get_body(preferencelist=("plain",))
        print()
        print(body.get_content() if body is not None else "(no plain-text part)")
        return 0
    print(f"{address}: {len(messages)} message(s)")
    for n, msg in enumerate(messages, start=1):
        kind = str(msg.get("X-Circle-Kind", "")).partition(";")[0]
        print(f"  {n:3}  {str(msg.get('Date', ''))[:25]:25}  {kind:12}  {msg.get('Subject', '')}")
    print(f"Print one with `{command()} demo inbox {args.member} NUMBER`.")
    return 0


__all__ = ["register"]


def command() -> str:
    """How to type `circle` here: plain `circle` when it is on PATH, else the path to it
    (after `make demo` it is `.venv/bin/circle` until the venv is activated)."""
    import os
    import shutil

    here = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    found = shutil.which("circle")
    if found and (here is None or Path(found).resolve() == here):
        return "circle"
    if here is not None and here.name == "circle":
        try:
            return os.path.relpath(here)
        except ValueError:
            return str(here)
    return "circle"
