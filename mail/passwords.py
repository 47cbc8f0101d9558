"""One password resolver for IMAP and SMTP: the environment variable, else a command's first line.

Passwords never come from the config file. `password_command = "pass show circle"` prints the
password on its first line (pass adds more lines for other fields): only that line is used,
for both servers, with the same errors.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

from circle.errors import MailError


def resolve(table: str, password_env: str, password_command: str, *,
            env: Mapping[str, str] | None = None) -> str | None:
    """The password for `[table]`: `$password_env`, else the command's first line, else None."""
    env = os.environ if env is None else env
    if password_env and env.get(password_env):
        return env[password_env]
    if not password_command:
        return None
    try:
        done = subprocess.run(shlex.split(password_command), capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise MailError(f"[{table}] password_command {password_command!r} could not run: "
                        f"{exc}") from exc
    if done.returncode != 0:
        raise MailError(f"[{table}] password_command {password_command!r} failed (exit "
                        f"{done.returncode}): {done.stderr.strip()[:200]}")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise MailError(f"[{table}] password_command {password_command!r} printed no password "
                        "on its first line")
    return lines[0]
