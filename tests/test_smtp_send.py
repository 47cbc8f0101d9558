"""The SMTP sink and sender against a real aiosmtpd: refusals, drops, reuse, crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from circle.compose.message import Composed
from circle.config import SmtpSettings
from circle.errors import MailError
from circle.model import Member, OutboxItem, OutboxState
from circle.outbox import new_item
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox
from tests.mailout_world import members

pytest_plugins = ["tests.smtp_server"]

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def _queue(store: TinyStore, n: int) -> list[OutboxItem]:
    people = members()
    store.put_many(people)
    items = []
    for k in range(n):
        m = people[k % len(people)]
        mid = f"m{k:03d}@example.org"
        raw = (f"From: c@example.org\r\nTo: {m.email}\r\nMessage-ID: <{mid}>\r\n"
               f"Subject: test {k}\r\n\r\nhello {k}\r\n").encode()
        items.append(new_item(Composed("test", "2026-11", m.id, m.email, mid, "t", raw),
                              NOW + timedelta(seconds=k)))
    store.put_many(items)
    return items


def _settings(server, **kw) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="plain", per_minute=0,
                        **kw)


def _states(store: TinyStore) -> dict[str, OutboxState]:
    return {i.message_id: i.state for i in store.all(OutboxItem)}


async def test_connections_are_reused_and_progress_reported(tmp_path, smtp_server):
    store = TinyStore(tmp_path)
    _queue(store, 12)
    seen = []
    async with SmtpSink(_settings(smtp_server, connections=2)) as sink:
        report = await send_outbox(store, sink, NOW, sender="c@example.org", batch_size=5,
                                   progress=lambda d, t, i: seen.append((d, t, i.state)))
        assert sink.connects == 2
    assert report.sent == 12 and smtp_server.handler.sessions == 2
    assert seen[-1][:2] == (12, 12) and all(s == OutboxState.SENT for *_, s in seen)
    assert set(_states(store).values()) == {OutboxState.SENT}


@pytest.mark.parametrize(("stage", "answer", "state"), [
    ("RCPT", "451 4.3.0 try later", OutboxState.FAILED_TEMPORARY),
    ("RCPT", "550 5.1.1 no such user", OutboxState.FAILED_PERMANENT),
    ("DATA", "421 4.7.0 closing", OutboxState.FAILED_TEMPORARY),
    ("DATA", "554 5.7.1 rejected", OutboxState.FAILED_PERMANENT),
    ("RCPT", "drop", OutboxState.FAILED_TEMPORARY),
    ("DATA", "drop", OutboxState.FAILED_TEMPORARY),
])
async def test_refusals_leave_the_documented_state(tmp_path, smtp_server, stage, answer, state):
    store = TinyStore(tmp_path)
    first, second, third = _queue(store, 3)
    smtp_server.handler.script[stage] = [answer]
    async with SmtpSink(_settings(smtp_server, connections=1)) as sink:
        report = await send_outbox(store, sink, NOW, sender="c@example.org", batch_size=1)
    states = _states(store)
    assert states[first.message_id] == state
    assert states[second.message_id] == states[third.message_id] == OutboxState.SENT
    assert smtp_server.handler.ids() == [second.message_id, third.message_id]
    item = store.get(OutboxItem, first.id)
    assert item is not None and item.last_error
    member = store.get(Member, first.member_id)
    assert member is not None
    if state == OutboxState.FAILED_PERMANENT:
        assert report.failed_permanent == 1 and member.delivery_problems[0].permanent
    else:
        assert report.failed_temporary == 1 and not member.delivery_problems
        assert item.next_attempt_at is not None and item.next_attempt_at > NOW
        # the retry waits for its backoff, then goes
        async with SmtpSink(_settings(smtp_server)) as sink:
            early = await send_outbox(store, sink, NOW, sender="c@example.org")
            late = await send_outbox(store, sink, item.next_attempt_at, sender="c@example.org")
        assert early.attempted == 0 and late.sent == 1
        assert smtp_server.handler.ids().count(first.message_id) == 1


async def test_plain_text_to_a_remote_host_is_refused():
    with pytest.raises(MailError, match="plain"):
        SmtpSink(SmtpSettings(host="smtp.example.org", security="plain"))


async def test_rate_limit_spaces_messages(tmp_path, smtp_server):
    store = TinyStore(tmp_path)
    _queue(store, 4)
    started = time.monotonic()
    async with SmtpSink(replace(_settings(smtp_server), per_minute=600)) as sink:
        await send_outbox(store, sink, NOW, sender="c@example.org")
    assert time.monotonic() - started >= 0.29  # 3 gaps of 0.1 s


SENDER_SCRIPT = """
import asyncio, sys
from datetime import datetime, UTC
from circle.config import SmtpSettings
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox
async def main():
    store = TinyStore(sys.argv[1])
    s = SmtpSettings(host="127.0.0.1", port=int(sys.argv[2]), security="plain", per_minute=0,
                     connections=2)
    async with SmtpSink(s) as sink:
        await send_outbox(store, sink, datetime(2026, 11, 10, 9, tzinfo=UTC),
                          sender="c@example.org", batch_size=4)
asyncio.run(main())
"""


def test_killed_mid_send_never_resends_what_was_acknowledged(tmp_path, smtp_server):
    store = TinyStore(tmp_path)
    items = _queue(store, 20)
    store.close()
    smtp_server.handler.delay = 0.05
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SENDER_SCRIPT, str(tmp_path),
                             str(smtp_server.port)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 20
    while len(smtp_server.handler.ids()) < 6 and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    acked = set(smtp_server.handler.ids())
    assert 6 <= len(acked) < 20
    store = TinyStore(tmp_path)
    states = _states(store)
    # nothing the server acknowledged is still queued: it is sent, or sending (→ uncertain)
    assert all(states[mid] in (OutboxState.SENT, OutboxState.SENDING) for mid in acked)
    import asyncio

    async def again():
        async with SmtpSink(SmtpSettings(host="127.0.0.1", port=smtp_server.port,
                                         security="plain", per_minute=0)) as sink:
            return await send_outbox(store, sink, NOW, sender="c@example.org")

    smtp_server.handler.delay = 0
    report = asyncio.run(again())
    ids = smtp_server.handler.ids()
    assert len(ids) == len(set(ids)), "a message was sent twice"
    states = _states(store)
    assert report.uncertain >= 1  # the batch in flight when killed waits for the steward
    assert report.uncertain == sum(s == OutboxState.UNCERTAIN for s in states.values())
    assert set(states.values()) <= {OutboxState.SENT, OutboxState.UNCERTAIN}
    assert {i.message_id for i in items} == set(ids) | {
        m for m, s in states.items() if s == OutboxState.UNCERTAIN}


async def test_a_relay_wide_refusal_is_one_circle_problem_not_every_members(tmp_path, smtp_server):
    """`554 5.7.1 rejected as spam` for the whole batch: nobody's delivery is marked failing,
    the items wait for a retry, the run stops and says what to do."""
    store = TinyStore(tmp_path)
    items = _queue(store, 6)
    smtp_server.handler.script["DATA"] = ["554 5.7.1 Message rejected as spam"] * 6
    async with SmtpSink(_settings(smtp_server, connections=1)) as sink:
        with pytest.raises(MailError, match="refused the whole batch") as err:
            await send_outbox(store, sink, NOW, sender="c@example.org", batch_size=6)
    assert "not of the members" in str(err.value)
    assert set(_states(store).values()) == {OutboxState.FAILED_TEMPORARY}
    assert all(not m.delivery_problems for m in store.all(Member))
    from circle.model import Event
    assert [e.kind for e in store.all(Event)] == ["relay_refused"]
    assert len({i.member_id for i in items}) > 1


async def test_two_unknown_mailboxes_stay_the_members_own_problems(tmp_path, smtp_server):
    store = TinyStore(tmp_path)
    first, second = _queue(store, 2)
    smtp_server.handler.script["RCPT"] = ["550 5.1.1 no such user", "550 5.1.1 no such user"]
    async with SmtpSink(_settings(smtp_server, connections=1)) as sink:
        report = await send_outbox(store, sink, NOW, sender="c@example.org", batch_size=2)
    assert report.failed_permanent == 2
    assert set(_states(store).values()) == {OutboxState.FAILED_PERMANENT}
