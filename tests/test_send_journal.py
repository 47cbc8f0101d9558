"""The send journal (data/journal.py) and its replay (circle.outbox.replay)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from circle.model import OutboxItem, OutboxState
from circle.outbox import replay, start
from circle.ports import JournalEntry
from data.journal import outbox_journal

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


def _sending(n: int) -> list[OutboxItem]:
    return [start(OutboxItem(id=f"o-{k}", message_id=f"<{k}@x>", kind="digest",
                             recipient=f"m{k}@example.org", raw="x", created_at=AT), AT)
            for k in range(n)]


def test_replay_applies_answers_and_doubts_only_what_was_in_flight(tmp_path: Path) -> None:
    journal = outbox_journal(tmp_path)
    journal.append([JournalEntry("o-0", "start"), JournalEntry("o-1", "start")])
    journal.append([JournalEntry("o-0", "sent", "250 ok"), JournalEntry("o-2", "start")])
    journal.append([JournalEntry("o-1", "failed", "451 later"), JournalEntry("o-3", "start")])
    journal.append([JournalEntry("o-3", "failed", "550 no", permanent=True)])
    with (tmp_path / "outbox.journal").open("a") as fh:
        fh.write('["o-4","sta')  # a line torn by the crash
    states = {i.id: i.state for i in replay(_sending(6), journal.entries(), AT)}
    assert states == {"o-0": OutboxState.SENT, "o-1": OutboxState.FAILED_TEMPORARY,
                      "o-2": OutboxState.UNCERTAIN, "o-3": OutboxState.FAILED_PERMANENT,
                      "o-4": OutboxState.QUEUED, "o-5": OutboxState.QUEUED}
    journal.clear()
    assert journal.entries() == []
