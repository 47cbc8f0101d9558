"""Helpers for tests that drive a circle only through real `circle` processes (the CLI contract).

A `Headless` circle is a config file plus the environment its commands run with; `run()` starts
the installed `circle` script in a subprocess (time fixed with the test-only `$CIRCLE_NOW`,
`cli/context.py`) and returns its exit code and output. `configure_servers` is what an operator
does after `circle init`: point [imap] and [smtp] at their servers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import tomlkit

ROOT = Path(__file__).resolve().parents[1]


def circle_command() -> list[str]:
    """The installed `circle` script next to this interpreter (else `python -m cli.main`)."""
    script = Path(sys.executable).parent / "circle"
    if script.exists():
        return [str(script)]
    found = shutil.which("circle")
    return [found] if found else [sys.executable, "-m", "cli.main"]


@dataclass
class Result:
    """What one `circle` process did."""

    code: int
    out: str
    err: str

    def jsonl(self) -> list[dict[str, Any]]:
        """stdout as JSON Lines."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


@dataclass
class Headless:
    """A circle driven through its command line: the config file and the commands' environment."""

    config: Path
    env: dict[str, str] = field(default_factory=dict)

    def environ(self, now: datetime | None) -> dict[str, str]:
        """The environment of one command (`$CIRCLE_NOW` set when `now` is given)."""
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        env.pop("CIRCLE_NOW", None)
        if now is not None:
            env["CIRCLE_NOW"] = now.isoformat()
        return env

    def argv(self, *args: str) -> list[str]:
        """The full command line of `circle --config CONFIG ARGS...`."""
        return [*circle_command(), "--config", str(self.config), *args]

    def run(self, *args: str, now: datetime | None = None, timeout: float = 60.0,
            ok: Sequence[int] = (0,)) -> Result:
        """Run `circle ARGS...` to completion; assert its exit code is one of `ok`."""
        proc = subprocess.run(self.argv(*args), capture_output=True, text=True, cwd=ROOT,
                              env=self.environ(now), timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        assert result.code in ok, (f"circle {' '.join(args)} exited {result.code}:\n"
                                   f"{result.out[-2000:]}\n{result.err[-2000:]}")
        return result

    def start(self, *args: str, now: datetime | None = None) -> subprocess.Popen[str]:
        """Start `circle ARGS...` in the background (stdout and stderr piped)."""
        return subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env=self.environ(now), stdin=subprocess.DEVNULL)


def configure_servers(config: Path, *, imap: Mapping[str, Any] | None = None,
                      smtp: Mapping[str, Any] | None = None) -> None:
    """Edit the config `circle init` wrote, as an operator would: set [imap] and [smtp] keys."""
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    for table, values in (("imap", imap or {}), ("smtp", smtp or {})):
        section: Any = doc[table]
        for key, value in values.items():
            section[key] = value
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


def kind_of(msg: Message) -> str:
    """The kind Circle stamps on its mail (`X-Circle-Kind: digest; round=...` → "digest")."""
    return str(msg.get("X-Circle-Kind", "")).partition(";")[0].strip()


def parsed(raw: bytes) -> EmailMessage:
    """One received message, parsed with the modern email API (get_body, get_content)."""
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def plain_text(msg: EmailMessage) -> str:
    """The plain-text body of one message."""
    body = msg.get_body(("plain",))
    assert body is not None, "no text/plain part"
    return str(body.get_content())
