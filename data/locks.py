"""Cross-process locks: only one mail loop (`circle run` / `circle fetch`) per circle at a time."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from circle.errors import LockedError
from data.journal import outbox_journal

MAIL_LOOP_LOCK = "mailloop.lock"
SENDING_LOCK = "sending.lock"


class ProcessLock:
    """A non-blocking lock file; the holder's pid is written next to it for the error message."""

    def __init__(self, path: Path, what: str = "circle run") -> None:
        self.path = Path(path)
        self.pid_path = self.path.with_suffix(".pid")
        self.what = what
        self._lock = FileLock(str(self.path), timeout=0, thread_local=False, mode=0o600)

    def holder(self) -> str:
        """The pid recorded by the current holder, or "" if unknown."""
        try:
            return self.pid_path.read_text(encoding="ascii").strip()
        except OSError:
            return ""

    def acquire(self) -> None:
        """Take the lock now or raise LockedError naming the holder."""
        try:
            self._lock.acquire()
        except Timeout as exc:
            pid = self.holder()
            who = f" (pid {pid})" if pid else ""
            raise LockedError(f"{self.what} is already running{who} for this circle "
                              f"(lock {self.path}); stop it first, or let it do the "
                              "fetching") from exc
        with contextlib.suppress(OSError):
            self.pid_path.write_text(f"{os.getpid()}\n", encoding="ascii")

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                self.pid_path.unlink()
            self._lock.release()

    @property
    def is_locked(self) -> bool:
        """True while this object holds the lock."""
        return self._lock.is_locked

    def __enter__(self) -> ProcessLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def mail_loop_lock(data_dir: Path) -> ProcessLock:
    """The lock guarding the circle's mail loop (`data_dir/mailloop.lock`)."""
    return ProcessLock(Path(data_dir) / MAIL_LOOP_LOCK, what="circle run")


class SendingLock(ProcessLock):
    """The sender's lock, carrying the circle's send journal (`data/journal.py`): whoever
    holds the lock is the only one who appends to or replays the journal."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(Path(data_dir) / SENDING_LOCK, what="sending")
        self.journal = outbox_journal(Path(data_dir))

    def release(self) -> None:
        """Close the journal, then give the lock back."""
        self.journal.close()
        super().release()


def sending_lock(data_dir: Path) -> SendingLock:
    """The lock guarding the circle's outbox sender (`data_dir/sending.lock`): one sender at
    a time, whoever it is (`circle run`, `circle send-due`, `circle digest send`, the TUI)."""
    return SendingLock(data_dir)
