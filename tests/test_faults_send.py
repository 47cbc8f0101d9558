"""Faults while sending: SIGKILL of the sender at random points; SMTP refusals, drops, backoff."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from circle.app import apply
from circle.app.intents import ResolveOutbox
from circle.app.rounds import approve_digest, queue_digest
from circle.config import SmtpSettings
from circle.model import Member, OutboxItem, OutboxState, Round
from circle.outbox import MAX_ATTEMPTS, backoff, replay
from data.journal import outbox_journal
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox
from tests.faultkit.send_driver import NOW
from tests.mailout_world import accept_host, make_config, seed, seed_stories
from tests.soak import Soak

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"faults-send-secret"
SEED = 4021
FULL_TRIALS = 50  # kills under --soak=full (make test-slow); a quick run makes fewer
EXTRA_MEMBERS = 36  # + the world's active members: a digest to 42 people
KILL_WINDOW_MS = 250
CONNECTIONS = 2  # the driver's pool: at most this many messages are ever in flight
_S = OutboxState


def _digest_circle(data_dir: Path) -> list[OutboxItem]:
    """A circle whose approved digest of round 2026-11 is queued for every active member."""
    config = make_config()
    store = seed(data_dir, config)
    rnd = accept_host(store)
    at = rnd.timeline["question"] + timedelta(hours=1)
    store.put(replace(rnd, fired={**rnd.fired, "host_invite": at, "host_fallback": at,
                                  "question": at}))
    store.put_many([Member(f"m{k:02d}", f"Member {k}", f"m{k:02d}@example.net",
                           date(2026, 2, 1)) for k in range(EXTRA_MEMBERS)])
    seed_stories(store, at)
    approve_digest(store, "2026-11")
    items = queue_digest(store, NOW, config, SECRET, round_id="2026-11")
    assert store.get(Round, "2026-11").state == "digest_sent"  # type: ignore[union-attr]
    return items


def _states(data_dir: Path) -> dict[str, OutboxItem]:
    return {i.message_id: i for i in TinyStore(data_dir).all(OutboxItem)}


def _driver(data_dir: Path, port: int, batch: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.faultkit.send_driver", str(data_dir), str(port),
         str(batch)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})


def _check(items: dict[str, OutboxItem], received: Counter[str]) -> None:
    """Never twice; sent ⇒ the server has it; the server has it ⇒ it is never sent again."""
    twice = [m for m, n in received.items() if n > 1]
    assert not twice, f"sent twice without the steward: {twice}"
    assert set(received) <= set(items)
    for mid, item in items.items():
        if item.state == _S.SENT:
            assert received[mid] == 1, f"{item.recipient} marked sent but never received"
        if received[mid]:
            assert item.state in (_S.SENT, _S.SENDING, _S.UNCERTAIN), \
                f"{item.recipient} was received but is {item.state}: it would go again"


def _in_doubt(data_dir: Path, items: dict[str, OutboxItem]) -> int:
    """How many items the next run will find `uncertain` (the journal folded in)."""
    folded = replay(list(items.values()), outbox_journal(data_dir).entries(), NOW)
    return sum(1 for i in folded if i.state == _S.UNCERTAIN)


@pytest.mark.soak
def test_sigkill_while_sending_a_digest_never_sends_twice(
        tmp_path: Path, smtp_server: SmtpServer, soak: Soak) -> None:
    """≥ 50 seeded SIGKILLs of the sender (--soak=full); every member has the digest once, or it
    is uncertain; after any kill at most the messages in flight (≤ CONNECTIONS) are uncertain."""
    min_trials = soak.trials(FULL_TRIALS)
    max_trials = min_trials * 12 // 5
    rng = random.Random(SEED)
    template = tmp_path / "template"
    queued = _digest_circle(template)
    handler = smtp_server.handler
    handler.delay = 0.004
    trials, campaigns, early, worst, interrupted = 0, 0, 0, 0, 0
    totals: Counter[str] = Counter()
    started = time.monotonic()
    while trials < max_trials:
        campaigns += 1
        data_dir = tmp_path / f"c{campaigns}"
        shutil.copytree(template, data_dir)
        with handler.lock:
            handler.received.clear()
        while True:
            batch = rng.choice([1, 4, 10, 50])
            proc = _driver(data_dir, smtp_server.port, batch)
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line == "ready", f"driver: {line} {proc.stderr.read()[-2000:]}"
            time.sleep(rng.uniform(0, KILL_WINDOW_MS / 1000))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            else:
                early += 1
            proc.wait(timeout=10)
            trials += 1
            items = _states(data_dir)
            received = Counter(handler.ids())
            _check(items, received)
            in_doubt = _in_doubt(data_dir, items)
            assert in_doubt <= CONNECTIONS, f"{in_doubt} uncertain after one kill"
            worst = max(worst, in_doubt)
            interrupted += any(i.state == _S.SENDING for i in items.values())
            if not any(i.state in (_S.QUEUED, _S.SENDING) for i in items.values()):
                break
        # the campaign's end: a clean run turns what was in flight into `uncertain`
        proc = _driver(data_dir, smtp_server.port, 50)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-2000:]
        items, received = _states(data_dir), Counter(handler.ids())
        _check(items, received)
        assert len(items) == len(queued)
        for mid, item in items.items():
            assert (item.state == _S.SENT and received[mid] == 1) or item.state == _S.UNCERTAIN
        totals.update(i.state.value for i in items.values())
        totals["uncertain but received"] += sum(
            1 for m, i in items.items() if i.state == _S.UNCERTAIN and received[m])
        if trials >= min_trials:
            break
    # the steward settles the last campaign: delivered ones confirmed, the others resent
    store = TinyStore(data_dir)
    for mid, item in items.items():
        if item.state == _S.UNCERTAIN:
            outcome = apply(store, ResolveOutbox(
                refs=(item.id,), action="delivered" if received[mid] else "resend"), NOW)
            assert outcome.ok, outcome.refused
    proc = _driver(data_dir, smtp_server.port, 50)
    assert proc.wait(timeout=60) == 0
    final, received = _states(data_dir), Counter(handler.ids())
    assert {i.state for i in final.values()} == {_S.SENT}
    assert received == Counter({mid: 1 for mid in final}), "each member got the digest once"
    print(f"\nsend faults: {trials} SIGKILL trials in {campaigns} campaigns of {len(queued)} "
          f"digests, {time.monotonic() - started:.1f}s; {early} runs ended before the kill; "
          f"final states: {dict(totals)}; {interrupted} kills mid-send, at most {worst} "
          f"uncertain after one")
    assert trials >= min_trials
    assert totals[_S.SENT.value] > 0 and interrupted > 0


# ---------------------------------------------------------------- SMTP refusals and drops


def _send(store: TinyStore, server: SmtpServer, at: datetime, **kw: object) -> object:
    async def run() -> object:
        settings = SmtpSettings(host=server.host, port=server.port, security="plain",
                                per_minute=0, connections=2)
        async with SmtpSink(settings) as sink:
            return await send_outbox(store, sink, at, sender="circle@example.org", **kw)
    return asyncio.run(run())


def test_refusals_and_drops_leave_the_documented_states(
        tmp_path: Path, smtp_server: SmtpServer) -> None:
    """550 → failed_permanent + a DeliveryProblem; 451/421/drop → failed_temporary with backoff."""
    data_dir = tmp_path / "data"
    queued = _digest_circle(data_dir)
    by_member = {i.member_id: i for i in queued}
    handler = smtp_server.handler
    handler.refuse = {"m00@example.net": "550 5.1.1 no such user",
                      "m01@example.net": "451 4.3.0 greylisted, try later"}
    handler.script = {"RCPT": ["drop"], "DATA": ["421 4.7.0 too busy, closing", "drop"]}
    store = TinyStore(data_dir)
    report = _send(store, smtp_server, NOW, batch_size=7)
    items = {i.member_id: i for i in store.all(OutboxItem)}
    states = Counter(i.state for i in items.values())
    assert states == Counter({_S.SENT: len(queued) - 5, _S.FAILED_TEMPORARY: 4,
                              _S.FAILED_PERMANENT: 1}), states
    assert report.sent == len(queued) - 5 and report.failed_permanent == 1  # type: ignore[attr-defined]
    gone = items["m00"]
    assert gone.state == _S.FAILED_PERMANENT and gone.last_error.startswith("550")
    problems = store.get(Member, "m00").delivery_problems  # type: ignore[union-attr]
    assert [(p.address, p.permanent) for p in problems] == [("m00@example.net", True)]
    for item in items.values():
        if item.state == _S.FAILED_TEMPORARY:
            assert item.next_attempt_at == NOW + backoff(1) and item.attempts == 1
            assert item.last_error
    assert items["m01"].last_error.startswith("451")
    assert sorted(handler.ids()) == sorted(i.message_id for i in items.values()
                                           if i.state == _S.SENT)
    # not yet due: nothing is tried; at the backoff time the dropped ones go, m01 waits longer
    assert _send(store, smtp_server, NOW + timedelta(minutes=1)).attempted == 0  # type: ignore[attr-defined]
    _send(store, smtp_server, NOW + backoff(1))
    items = {i.member_id: i for i in store.all(OutboxItem)}
    assert {m for m, i in items.items() if i.state != _S.SENT} == {"m00", "m01"}
    assert items["m01"].next_attempt_at == NOW + backoff(1) + backoff(2)
    assert backoff(2) == 2 * backoff(1)
    # m01 keeps failing: after MAX_ATTEMPTS tries it fails permanently, on the member's record
    at = items["m01"].next_attempt_at
    for _ in range(MAX_ATTEMPTS):
        assert at is not None
        _send(store, smtp_server, at)
        at = store.get(OutboxItem, by_member["m01"].id).next_attempt_at  # type: ignore[union-attr]
        if at is None:
            break
    m01 = store.get(OutboxItem, by_member["m01"].id)
    assert m01 is not None and m01.state == _S.FAILED_PERMANENT
    assert m01.attempts == MAX_ATTEMPTS and "gave up after" in m01.last_error
    assert store.get(Member, "m01").delivery_problems[-1].permanent  # type: ignore[union-attr]
    # permanent failures are never retried on their own; nothing was received twice
    assert _send(store, smtp_server, NOW + timedelta(days=30)).attempted == 0  # type: ignore[attr-defined]
    ids = handler.ids()
    assert len(ids) == len(set(ids)) == len(queued) - 2
