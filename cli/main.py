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
    "cli.commands.members",
    "cli.commands.stories",
    "cli.commands.rounds",
    "cli.commands.mailin",
    "cli.commands.mailout",
    "cli.commands.parse",
    "cli.commands.demo",
)

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


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand."""
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
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def _run_tui(args: argparse.Namespace) -> int:
    from cli.context import load_context
    from tui.app import run_app  # Textual only here

    run_app(load_context(args.config))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `circle` script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Any = getattr(args, "func", None) or _run_tui
    try:
        code = func(args)
    except CircleError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"Error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
