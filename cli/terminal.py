"""The terminal the TUI paints on, whatever the steward redirected; whether stderr is the journal.

Textual draws on the process's stderr (file descriptor 2). `circle tui 2>circle.log` would
therefore paint the whole screen into the log and leave the terminal blank. `tui_terminal()`
keeps the TUI on the terminal: when stderr is not a terminal but stdout is, descriptor 2 points
at the terminal while the TUI runs, and Python's own `sys.stderr` (warnings, log lines, a
traceback) keeps writing to where the steward sent it. With no terminal at all the TUI is
refused with a clear error (the headless commands are `circle run` and `circle status`).

`to_journal(stream)` tells whether a stream is systemd's journal, so a line written there can
carry its syslog priority (`<3>` error, `<4>` warning, `<6>` info): the daemon's log lines
(`cli/daemon.py`) and the `Error: ...` lines of any command (`cli/main.py`). Kept here, in a
module with no heavy imports, so printing an error does not load the mail stack.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from circle.errors import CircleError

STDOUT, STDERR = 1, 2
ERR, WARNING, INFO = 3, 4, 6  # syslog priorities (sd-daemon(3) line prefixes)


def to_journal(stream: TextIO) -> bool:
    """Whether `stream` is systemd's journal: $JOURNAL_STREAM names its device and inode."""
    wanted = os.environ.get("JOURNAL_STREAM", "")
    if not wanted:
        return False
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return wanted == f"{st.st_dev}:{st.st_ino}"


def priority_prefix(stream: TextIO, priority: int) -> str:
    """`<N>` when `stream` is the journal (journald then logs the line at that priority)."""
    return f"<{priority}>" if to_journal(stream) else ""


class NoTerminalError(CircleError):
    """`circle tui` was started without a terminal (exit 2, a usage error)."""

    exit_code = 2


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


@contextmanager
def tui_terminal() -> Iterator[None]:
    """Run the body with descriptor 2 on a terminal (see the module docstring)."""
    if _isatty(STDERR):
        yield
        return
    if not _isatty(STDOUT):
        raise NoTerminalError("the terminal UI needs a terminal, and neither stdout nor stderr "
                              "is one. On a server, use `circle run` (the mail loop), "
                              "`circle status` and the other commands (`circle --help`).")
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    redirected = os.dup(STDERR)
    previous = sys.stderr
    log = open(redirected, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
               buffering=1, closefd=False)
    os.dup2(STDOUT, STDERR)
    sys.stderr = log
    try:
        yield
    finally:
        log.flush()
        os.dup2(redirected, STDERR)
        sys.stderr = previous
        log.close()
        os.close(redirected)
