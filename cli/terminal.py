"""The terminal the TUI paints on, whatever the steward redirected.

Textual draws on the process's stderr (file descriptor 2). `circle tui 2>circle.log` would
therefore paint the whole screen into the log and leave the terminal blank. `tui_terminal()`
keeps the TUI on the terminal: when stderr is not a terminal but stdout is, descriptor 2 points
at the terminal while the TUI runs, and Python's own `sys.stderr` (warnings, log lines, a
traceback) keeps writing to where the steward sent it. With no terminal at all the TUI is
refused with a clear error (the headless commands are `circle run` and `circle status`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from circle.errors import CircleError

STDOUT, STDERR = 1, 2


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
