"""The `circle` command line: parses arguments, runs one command, maps errors to `Error: ...`.

Never imports Textual at module level: the cron/daemon commands must stay light. The TUI is
imported only when it is asked for (`circle` alone or `circle tui`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from circle.errors import CircleError

# Each module offers `register(subparsers)`; the order is the order of `circle --help`.
COMMAND_MODULES = (
    "cli.commands.setup",
    "cli.commands.report",
    "cli.commands.members",
    "cli.commands.rounds",
    "cli.commands.curate",
    "cli.commands.mailin",
    "cli.commands.mailout",
    "cli.commands.parse",
    "cli.commands.repertoire",
    "cli.commands.questions",
    "cli.commands.demo",
    "cli.commands.harvest",
    "cli.commands.service",
    "cli.commands.decisions",
)

# Every command, the module that registers it and its one-line help: `circle --help` prints
# this without importing any command module, and `circle X` imports only X's module (start-up
# stays fast). tests/test_cli.py checks it matches what the modules register.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("cli.commands.setup", "create a config file (asks only what it must)"),
    "check": ("cli.commands.setup", "validate the config and report every problem"),
    "status": ("cli.commands.report", "what happened, what is next, what waits for you"),
    "inbound": ("cli.commands.report", "every received message and what became of it"),
    "export": ("cli.commands.report", "everything in the store, hot and archived (backup, "
               "scripts)"),
    "members": ("cli.commands.members", "add, list, pause, resume or remove members; who may host"),
    "rounds": ("cli.commands.rounds", "past and next rounds: hosts, questions, dates"),
    "rotation": ("cli.commands.rounds", "the host rotation for the next 12 rounds"),
    "question": ("cli.commands.curate", "set or approve a round's question"),
    "stories": ("cli.commands.curate", "list and review stories and responses"),
    "quarantine": ("cli.commands.curate", "messages Circle could not place"),
    "fetch": ("cli.commands.mailin", "fetch new mail once: stories, responses, commands"),
    "run": ("cli.commands.mailin", "the headless mail loop: fetch, act, wait for mail (IDLE)"),
    "send-due": ("cli.commands.mailout", "compose the mail that is due now and send the "
                 "outbox"),
    "digest": ("cli.commands.mailout", "preview, approve and send the round's digest"),
    "outbox": ("cli.commands.mailout", "list outgoing mail; resend or drop an item"),
    "parse": ("cli.commands.parse", "decode, classify and trim mail files"),
    "repertoire": ("cli.commands.repertoire", "the circle's shared repertoire: export it"),
    "questions": ("cli.commands.questions", "every question the circle was asked, and what it "
                  "drew"),
    "demo": ("cli.commands.demo", "try Circle: local mail servers, a demo circle, members "
             "writing in"),
    "harvest": ("cli.commands.harvest", "what each gathering harvested: set, show, review"),
    "service": ("cli.commands.service", "run the circle headless from systemd (unit files)"),
    "decisions": ("cli.commands.decisions", "the steward's decisions: list them, undo one"),
}

Handler = Callable[[argparse.Namespace], int | None]


def version() -> str:
    """The installed package's version (the source tree's pyproject.toml when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("circle")
    except PackageNotFoundError:  # running from a checkout without `pip install`
        import tomllib

        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


class _VersionAction(argparse.Action):
    """`--version`: looked up only when asked (start-up stays light)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"circle {version()}")
        parser.exit()


def build_parser(only: str | None = "") -> argparse.ArgumentParser:
    """The argument parser: every command's module registered (`only=""`), or only the module
    of command `only` with the others as one-line placeholders (`only=None`: none loaded)."""
    parser = argparse.ArgumentParser(
        prog="circle",
        description="Run a community of practice by email. With no command, opens the "
                    "steward's terminal UI.",
        epilog="Config: --config PATH, else $CIRCLE_CONFIG, else ~/.config/circle/config.toml.",
    )
    parser.add_argument("--config", type=Path, default=None, metavar="PATH",
                        help="the circle's config file")
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    tui = sub.add_parser("tui", help="open the steward's terminal UI (the default)")
    tui.set_defaults(func=_run_tui)
    wanted = COMMANDS[only][0] if only else None
    loaded = set(COMMAND_MODULES) if only == "" else {wanted} if wanted else set()
    for module_name in COMMAND_MODULES:
        if module_name in loaded:
            importlib.import_module(module_name).register(sub)
            continue
        for command, (owner, help_text) in COMMANDS.items():
            if owner == module_name:
                sub.add_parser(command, help=help_text, add_help=False)
    return parser


def _command_word(argv: Sequence[str]) -> str | None:
    """The command named in `argv` (skipping --config PATH), if it is one of COMMANDS."""
    words = list(argv)
    k = 0
    while k < len(words):
        word = words[k]
        if word == "--config":
            k += 2
            continue
        if word.startswith("-"):
            k += 1
            continue
        return word if word in COMMANDS else None
    return None


def _run_tui(args: argparse.Namespace) -> int:
    from cli.context import load_context
    from cli.terminal import tui_terminal
    from tui.app import run_app  # Textual only here

    ctx = load_context(args.config)
    with tui_terminal():  # Textual paints on fd 2: keep it on the terminal if 2 is redirected
        run_app(ctx)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `circle` script; returns the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_word(words))
    args = parser.parse_args(words)
    func: Any = getattr(args, "func", None) or _run_tui
    try:
        code = func(args)
    except CircleError as exc:
        from cli.terminal import ERR, priority_prefix  # `<3>` when stderr is the journal

        mark = priority_prefix(sys.stderr, ERR)
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"{mark}Error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
