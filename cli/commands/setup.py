"""`circle init` creates a config from the example; `circle check` reports every problem at once
(and with `--connect` logs into the mail servers)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit

from circle.config import Config
from circle.errors import CircleError, ConfigError, MailError
from circle.members import slugify, valid_email
from cli.context import data_dir_for, default_config_path, load_context, read_config
from data.jsonfile import atomic_write_bytes

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def register(sub: Any) -> None:
    """Add `init` and `check`."""
    init = sub.add_parser("init", help="create a config file (asks only what it must)")
    init.add_argument("--name", help="the circle's name")
    init.add_argument("--address", help="the circle's own email address")
    init.add_argument("--steward-email", help="your address as steward")
    init.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin")
    init.add_argument("--data-dir", help="where the circle's data lives")
    init.add_argument("--force", action="store_true", help="overwrite an existing config")
    init.set_defaults(func=_init)
    check = sub.add_parser("check", help="validate the config and report every problem")
    check.add_argument("--connect", action="store_true",
                       help="also log into the IMAP and SMTP servers (connect, TLS, login; "
                            "no mail is sent) and report each step: this is what checks the "
                            "passwords")
    check.set_defaults(func=_check)


def _ask(value: str | None, prompt: str, default: str = "") -> str:
    if value:
        return value
    if not sys.stdin.isatty():
        if default:
            return default
        raise CircleError(f"{prompt.strip()} is needed: pass it as an option (see circle init -h)")
    shown = f" [{default}]" if default else ""
    answer = input(f"{prompt}{shown}: ").strip()
    return answer or default


def _local_timezone() -> str:
    tz = os.environ.get("TZ", "")
    if tz:
        return tz
    try:
        link = os.readlink("/etc/localtime")
        return link.split("zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return "UTC"


def _init(args: argparse.Namespace) -> int:
    path: Path = args.config or default_config_path()
    if path.exists() and not args.force:
        raise CircleError(f"{path} already exists; edit it, or pass --force to replace it")
    name = _ask(args.name, "Name of the circle")
    address = _ask(args.address, "The circle's email address")
    steward = _ask(args.steward_email, "Your email address (steward)")
    timezone = _ask(args.timezone, "Timezone", _local_timezone())
    problems = [f"{a!r} is not an email address" for a in (address, steward)
                if not valid_email(a)]
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{timezone!r} is not a known timezone (e.g. Europe/Berlin)")
    if problems:
        raise ConfigError(problems)
    doc = tomlkit.parse(EXAMPLE.read_text(encoding="utf-8"))
    circle: Any = doc["circle"]
    circle["name"], circle["slug"] = name, slugify(name)
    circle["address"], circle["steward_email"], circle["timezone"] = address, steward, timezone
    if args.data_dir:
        circle["data_dir"] = args.data_dir
    domain = address.partition("@")[2]
    for table in ("imap", "smtp"):
        section: Any = doc[table]
        section["host"] = f"{'imap' if table == 'imap' else 'smtp'}.{domain}"
        section["username"] = address
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, tomlkit.dumps(doc).encode("utf-8"))
    config = read_config(path)
    print(f"Wrote {path}.")
    print(f"Data will live in {data_dir_for(config, path)}.")
    print("Next: check the [imap] and [smtp] servers in that file, set CIRCLE_IMAP_PASSWORD and "
          "CIRCLE_SMTP_PASSWORD, then run `circle check` and `circle members add`.")
    return 0


def _check(args: argparse.Namespace) -> int:
    path: Path = args.config or default_config_path()
    problems: list[str] = []
    try:
        config = read_config(path)
    except ConfigError as exc:
        problems.extend(exc.problems)
        config = None
    if config is not None:
        for section in (config.imap, config.smtp):
            which = "imap" if section is config.imap else "smtp"
            if section.username and not (os.environ.get(section.password_env)
                                         or section.password_command):
                problems.append(f"{path}: [{which}] no password: set the environment variable "
                                f"{section.password_env} or password_command")
        try:
            ctx = load_context(path)
            print(f"Store: {ctx.store.path} (readable)")
        except CircleError as exc:
            problems.extend(str(exc).splitlines())
    if problems:
        print(f"{len(problems)} problem(s) in {path}:", file=sys.stderr)
        for line in problems:
            print(f"Error: {line}", file=sys.stderr)
        return ConfigError.exit_code
    print(f"{path}: OK")
    if getattr(args, "connect", False) and config is not None:
        return _connect(config)
    return 0


def _connect(config: Config) -> int:
    """Log into IMAP, then SMTP, printing each step; MailError's exit code if either fails."""
    import asyncio

    from mail.imap import ImapSource
    from mail.smtp import check_smtp, smtp_password

    failures: list[MailError] = []
    try:
        ImapSource(config.imap, attempts=1).check(lambda line: print(f"IMAP {line}", flush=True))
    except MailError as exc:
        failures.append(exc)
        print(f"Error: IMAP: {exc}", file=sys.stderr, flush=True)
    try:
        asyncio.run(check_smtp(config.smtp, smtp_password(config.smtp),
                               lambda line: print(f"SMTP {line}", flush=True)))
    except MailError as exc:
        failures.append(exc)
        print(f"Error: {exc}", file=sys.stderr, flush=True)
    if failures:
        return failures[0].exit_code
    print("IMAP and SMTP: OK (logged in; no mail was sent)")
    return 0
