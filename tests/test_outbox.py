"""The outbox state machine: legal moves, refused illegal ones, backoff, idempotent ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from circle.compose.message import Composed
from circle.errors import TransitionError
from circle.model import OutboxState
from circle.outbox import (
    BACKOFF_MAX,
    MAX_ATTEMPTS,
    backoff,
    drop,
    enqueue,
    failed,
    is_due,
    new_item,
    recover,
    resend,
    sent,
    start,
)

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
MAIL = Composed("digest", "2026-11", "ben", "ben@example.org", "mid@example.org", "S", b"raw")


def test_happy_path_and_idempotent_ids():
    item = new_item(MAIL, NOW)
    assert item.state == OutboxState.QUEUED and is_due(item, NOW)
    assert new_item(MAIL, NOW + timedelta(days=1)).id == item.id
    assert enqueue({item.id: item}, [MAIL, MAIL], NOW) == []
    assert len(enqueue({}, [MAIL, MAIL], NOW)) == 1
    done = sent(start(item, NOW), NOW)
    assert done.state == OutboxState.SENT and done.sent_at == NOW and done.attempts == 1
    for move in (start, resend, drop):
        with pytest.raises(TransitionError, match="already sent"):
            move(done, NOW)


def test_temporary_failures_back_off_then_give_up():
    item = failed(start(new_item(MAIL, NOW), NOW), NOW, "451 busy", permanent=False)
    assert item.state == OutboxState.FAILED_TEMPORARY
    assert item.next_attempt_at == NOW + backoff(1) and not is_due(item, NOW)
    with pytest.raises(TransitionError):
        start(item, NOW)
    assert backoff(2) == 2 * backoff(1) and backoff(30) == BACKOFF_MAX
    for _ in range(MAX_ATTEMPTS - 1):
        assert item.next_attempt_at is not None
        item = failed(start(item, item.next_attempt_at), item.next_attempt_at, "451",
                      permanent=False)
    assert item.state == OutboxState.FAILED_PERMANENT and "gave up" in item.last_error


def test_permanent_failure_and_steward_moves():
    item = failed(start(new_item(MAIL, NOW), NOW), NOW, "550 no such user", permanent=True)
    assert item.state == OutboxState.FAILED_PERMANENT
    again = resend(item, NOW)
    assert again.state == OutboxState.QUEUED and again.attempts == 0
    assert drop(again, NOW).state == OutboxState.DROPPED
    with pytest.raises(TransitionError):
        resend(again, NOW)  # already queued


def test_sending_after_a_crash_becomes_uncertain_never_queued():
    flying = start(new_item(MAIL, NOW), NOW)
    (stuck,) = recover([flying, new_item(MAIL, NOW)], NOW)
    assert stuck.state == OutboxState.UNCERTAIN and not is_due(stuck, NOW)
    with pytest.raises(TransitionError):
        start(stuck, NOW)
    assert resend(stuck, NOW).state == OutboxState.QUEUED
