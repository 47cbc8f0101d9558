"""`circle status` says what the digest did: due, approved and waiting to be sent, then
"sent to N members at HH:MM" counted from the copies the relay accepted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from circle.app.rounds import approve_digest, plan_due_mail, queue_digest
from circle.app.status import status_report
from circle.model import OutboxItem, OutboxState, Round, Story, StoryState
from tests.mailout_world import SECRET, accept_host, make_config, seed

NOV = "2026-11"


def test_status_follows_the_digest_from_due_to_sent(tmp_path: Path) -> None:
    config = make_config()
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    t = store.get(Round, NOV).timeline
    plan_due_mail(store, t["question"], config, SECRET)
    store.put(Story("s-ben", NOV, "ben", "A story.", t["question"] + timedelta(days=1),
                    state=StoryState.APPROVED))
    at = t["digest_due"] + timedelta(minutes=5)
    plan_due_mail(store, at, config, SECRET)
    waiting = " ".join(status_report(store, at, config)["waiting"])
    assert "Round 2026-11: the digest is due" in waiting

    approve_digest(store, NOV)
    waiting = " ".join(status_report(store, at, config)["waiting"])
    assert "the digest is approved; send it: `circle digest send`" in waiting

    items = queue_digest(store, at, config, SECRET)
    happened = " ".join(status_report(store, at, config)["happened"])
    assert f"Digest of 2026-11: 0 sent, {len(items)} still to go" in happened
    assert "sent to" not in happened

    sent_at = t["digest_due"].replace(hour=14, minute=2)
    store.put_many([replace(i, state=OutboxState.SENT, sent_at=sent_at, attempts=1)
                    for i in store.all(OutboxItem) if i.kind == "digest"])
    report = status_report(store, at, config)
    assert f"Digest of 2026-11 sent to {len(items)} members at 2026-11-23 14:02." in (
        report["happened"])
    assert not any("2026-11: the digest" in line for line in report["waiting"])
