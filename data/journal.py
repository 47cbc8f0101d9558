"""The send journal (`outbox.journal`): outbox transitions appended and fsynced one by one.

Postfix's queue discipline for Circle's outbox: the store is written once per batch, the
journal once per message (one `write` + `fsync` of a short line), so a crash loses no answer
the relay gave. `circle.outbox.replay` folds it into the store. Implements
`circle.ports.SendJournal`.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from circle.ports import JournalEntry
from data.jsonfile import FILE_MODE

JOURNAL_NAME = "outbox.journal"


class OutboxJournal:
    """An append-only file of JSON lines, one per outbox transition."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        return self._fd

    def append(self, entries: list[JournalEntry]) -> None:
        """Append the entries and fsync (durable when it returns)."""
        if not entries:
            return
        lines = "".join(json.dumps([e.item_id, e.event, e.detail, e.permanent],
                                   separators=(",", ":")) + "\n" for e in entries)
        fd = self._open()
        os.write(fd, lines.encode("utf-8"))
        os.fsync(fd)

    def entries(self) -> list[JournalEntry]:
        """Every complete entry, oldest first; a line torn by a crash is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            try:
                item_id, event, detail, permanent = json.loads(line)
            except (ValueError, TypeError):
                continue
            out.append(JournalEntry(str(item_id), str(event), str(detail), bool(permanent)))
        return out

    def clear(self) -> None:
        """Empty the journal (the store now holds what it said)."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            if self.path.stat().st_size == 0:
                return
        fd = os.open(self.path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, FILE_MODE)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Close the file (reopened on the next append)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def outbox_journal(data_dir: Path) -> OutboxJournal:
    """The circle's send journal in its data directory."""
    return OutboxJournal(Path(data_dir) / JOURNAL_NAME)
