"""Faults while ingesting: SIGKILL of the mail loop at random points, Dovecot restarts mid-IDLE/FETCH."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from circle.app.ingest import InboundMail, ingest_batch
from circle.model import InboundRecord, Story, SyncState
from data.migrations import META_TABLE
from data.store import DB_NAME, TinyStore
from mail.devservers import DevServers
from mail.imap import PROCESSED, SEEN, ImapSource
from mail.loop import fetch_once, run_forever
from tests.conftest import FixedClock
from tests.mailin_support import (
    NOW,
    SECRET,
    dsn,
    make_config,
    out_of_office,
    raw,
    seed,
    story,
    to_token,
)
from tests.mailservers import PASSWORD_ENV, Mailbox, wait_until
from tests.soak import Soak

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261110
FULL_TRIALS = 50  # kills under --soak=full (make test-slow); a quick run makes fewer
FIRST_WAVE = 300
NEXT_WAVE = 60
KILL_WINDOW_MS = 120


def _message(rng: random.Random, tag: str) -> bytes:
    """One inbound message of a random kind (stories dominate, as in a real round)."""
    mid = f"{tag}@faults.example"
    who = rng.choice(["ana", "bob", "cleo"])
    addr = f"{who}@example.org"
    roll = rng.random()
    if roll < 0.55:
        return raw(f"{who.title()} <{addr}>", to_token(who), mid=mid,
                   body=f"Story {tag}: what the quiet taught me.")
    if roll < 0.75:
        return raw(addr, to_token(who, parent="s-bob1"), mid=mid, body=f"Response {tag}.")
    if roll < 0.82:
        return dsn(addr, mid=mid, status=rng.choice(["5.1.1", "4.2.2"]))
    if roll < 0.88:
        return raw(addr, to_token(who), f"THANKS Ana: for {tag}", " ", mid=mid)
    if roll < 0.94:
        return raw("stranger@elsewhere.example", mid=mid, body=f"Who are you? {tag}")
    return out_of_office(addr, "20 November 2026", mid=mid)


def _tables(path: Path) -> dict[str, Any]:
    """The store's tables as stored, without the sync position and the header."""
    data = json.loads((path / DB_NAME).read_bytes())
    return {k: v for k, v in data.items() if k not in ("sync", META_TABLE)}


def _server_view(mailbox: Mailbox) -> tuple[int, dict[int, str], set[int], dict[int, bytes]]:
    """UIDVALIDITY, UID → Message-ID, UIDs flagged processed+seen, and UID → raw bytes."""
    c = mailbox.client()
    try:
        uidvalidity = int(c.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"])
        uids = c.search(["ALL"])
        data = c.fetch(uids, [b"FLAGS", b"BODY.PEEK[]"]) if uids else {}
    finally:
        c.logout()
    mids: dict[int, str] = {}
    raws: dict[int, bytes] = {}
    flagged: set[int] = set()
    for uid, item in data.items():
        body = bytes(item[b"BODY[]"])
        raws[uid] = body
        for line in body.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                mids[uid] = line.split(b":", 1)[1].strip().strip(b"<>").decode()
                break
        if PROCESSED in item[b"FLAGS"] and SEEN in item[b"FLAGS"]:
            flagged.add(uid)
    return uidvalidity, mids, flagged, raws


def _check_invariants(data_dir: Path, mailbox: Mailbox) -> str:
    """The invariants that must hold after a crash at any line; returns where the kill fell."""
    _, mids, flagged, _ = _server_view(mailbox)
    store = TinyStore(data_dir)
    stored = {r.message_id: r for r in store.all(InboundRecord)}
    state = store.get(SyncState, "INBOX") or SyncState(folder="INBOX")
    # never acknowledged on the server before it is safely stored
    unstored = [uid for uid in flagged if mids[uid] not in stored]
    assert not unstored, f"flagged on the server but not in the store: {unstored}"
    # stored → its raw bytes are in the archive (archived first)
    assert all(r.raw_sha in store.archive for r in stored.values())
    # nothing skipped: every UID up to last_uid is in the store
    skipped = [uid for uid, mid in mids.items() if uid <= state.last_uid and mid not in stored]
    assert not skipped, f"UIDs at or below last_uid {state.last_uid} never stored: {skipped}"
    # nothing stored twice (stories keyed per Message-ID; one InboundRecord per message)
    assert len({s.message_id for s in store.all(Story)}) == store.count(Story)
    if store.archive.count() > len(stored):
        return "after archive, before store"
    if state.pending_ack and not set(state.pending_ack) <= flagged:
        return "after store, before flag"
    if state.pending_ack:
        return "after flag, before clearing pending"
    return "between passes / before fetch"


def _reference(tmp_path: Path, uidvalidity: int, raws: dict[int, bytes]) -> dict[str, Any]:
    """What an uninterrupted ingest of the same mail, in UID order, stores."""
    ref = TinyStore(tmp_path / "reference")
    seed(ref, [story("s-bob1", "bob")])
    archive = ref.archive
    mails = [InboundMail(raw=r, raw_sha=archive.save(r), uid=u, uidvalidity=uidvalidity,
                         folder="INBOX") for u, r in sorted(raws.items())]
    config = make_config()
    for k in range(0, len(mails), 50):
        ingest_batch(ref, mails[k:k + 50], config=config, secret=SECRET, now=NOW)
    return _tables(tmp_path / "reference")


def _driver(data_dir: Path, mailbox: Mailbox, batch: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), PASSWORD_ENV: mailbox.password}
    s = mailbox.servers
    return subprocess.Popen(
        [sys.executable, "-m", "tests.faultkit.ingest_driver", str(data_dir), s.host,
         str(s.imap_port), mailbox.user, str(batch)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def _append_wave(mailbox: Mailbox, rng: random.Random, wave: int, n: int) -> None:
    c = mailbox.client()
    try:
        for i in range(n):
            c.append("INBOX", _message(rng, f"w{wave}-{i}"))
    finally:
        c.logout()


@pytest.mark.soak
def test_sigkill_at_random_points_loses_and_duplicates_nothing(
        mailbox: Mailbox, tmp_path: Path, soak: Soak) -> None:
    """≥ 50 seeded SIGKILLs of a fetching process (--soak=full); then every message is stored
    exactly once."""
    min_trials = soak.trials(FULL_TRIALS)
    max_trials = min_trials * 16 // 5
    rng = random.Random(SEED)
    data_dir = tmp_path / "data"
    seed(TinyStore(data_dir), [story("s-bob1", "bob")])
    _append_wave(mailbox, rng, 0, FIRST_WAVE if soak.full else NEXT_WAVE)
    wave, trials, finished_early = 0, 0, 0
    landed: Counter[str] = Counter()
    started = time.monotonic()
    while trials < max_trials:
        proc = _driver(data_dir, mailbox, rng.choice([1, 3, 7, 20]))
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == "ready", f"driver failed to start: {line} {proc.stderr.read()[-2000:]}"
        time.sleep(rng.uniform(0, KILL_WINDOW_MS / 1000))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        else:
            finished_early += 1
        proc.wait(timeout=10)
        trials += 1
        landed[_check_invariants(data_dir, mailbox)] += 1
        _, mids, flagged, _ = _server_view(mailbox)
        if len(flagged) == len(mids):
            if trials >= min_trials:
                break
            wave += 1
            _append_wave(mailbox, rng, wave, NEXT_WAVE)
    # finish without faults
    proc = _driver(data_dir, mailbox, 50)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.split()[-1] == "done", err[-2000:]
    uidvalidity, mids, flagged, raws = _server_view(mailbox)
    print(f"\ningest faults: {trials} SIGKILL trials over {len(mids)} messages "
          f"({wave + 1} waves) in {time.monotonic() - started:.1f}s; {finished_early} runs "
          f"finished before the kill; kills landed: {dict(landed)}")
    assert trials >= min_trials
    assert sum(n for k, n in landed.items()
               if k != "between passes / before fetch") >= max(2, min_trials // 10)
    assert flagged == set(mids), "every message is flagged processed + seen on the server"
    store = TinyStore(data_dir)
    records = store.all(InboundRecord)
    assert sorted(r.message_id for r in records) == sorted(mids.values())
    assert all(r.raw_sha in store.archive for r in records)
    assert store.archive.count() == len(set(raws.values()))
    assert store.get(SyncState, "INBOX").pending_ack == []  # type: ignore[union-attr]
    got, want = _tables(data_dir), _reference(tmp_path, uidvalidity, raws)
    diffs = [(t, k, f, v, want[t].get(k, {}).get(f)) for t in got for k, r in got[t].items()
             for f, v in r.items() if f != "version" and want[t].get(k, {}).get(f) != v]
    # (`version` counts writes, and an interrupted run writes some records more often)
    assert not diffs, f"interrupted ingest differs from an uninterrupted one: {diffs[:5]}"


# ---------------------------------------------------------------- Dovecot restarts


@pytest.fixture
def seeded(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s, [story("s-bob1", "bob")])
    return s


def _story_mids(store: TinyStore) -> list[str]:
    return sorted(s.message_id for s in store.all(Story) if s.member_id == "ana")


def _stories(n: int, start: int = 0) -> list[bytes]:
    return [raw("Ana <ana@example.org>", to_token("ana"), mid=f"r{i}@ana")
            for i in range(start, start + n)]


@pytest.fixture
def loop(mailbox: Mailbox, seeded: TinyStore) -> Iterator[tuple[ImapSource, list[Exception]]]:
    """run_forever in a thread (short backoffs); yields its source and the errors it reported."""
    stop = threading.Event()
    errors: list[Exception] = []
    src = ImapSource(mailbox.settings(), stop_event=stop, backoff=0.1, attempts=6)
    thread = threading.Thread(target=run_forever, daemon=True, args=(
        src, seeded, seeded.archive, make_config(mailbox.settings()), SECRET, FixedClock(NOW),
        stop), kwargs={"idle_timeout": 30.0, "error_backoff": 0.2, "on_error": errors.append})
    thread.start()
    try:
        yield src, errors
    finally:
        stop.set()
        thread.join(timeout=10)
        src.close()
        assert not thread.is_alive(), "the loop did not stop"


def test_dovecot_restarted_mid_idle_the_loop_reconnects(
        mailbox: Mailbox, seeded: TinyStore, loop: tuple[ImapSource, list[Exception]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The IDLE connection dies with the server; mail sent after the restart still arrives."""
    from mail import imap

    src, _errors = loop
    idling = threading.Event()
    real_step = imap._idle_step

    def step(c: object, timeout: float) -> bool:
        idling.set()
        return real_step(c, timeout)  # type: ignore[arg-type]

    monkeypatch.setattr(imap, "_idle_step", step)
    mailbox.append(_stories(1)[0])
    assert wait_until(lambda: len(_story_mids(seeded)) == 1, timeout=20)
    idling.clear()
    assert idling.wait(20), "the loop did not go back to IDLE after its fetch"
    mailbox.servers.restart_dovecot()
    wall, cpu = time.monotonic(), time.process_time()
    mailbox.append(_stories(1, start=1)[0])
    assert wait_until(lambda: len(_story_mids(seeded)) == 2, timeout=20), \
        "mail appended after the restart did not arrive well before the 30 s IDLE timeout"
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    assert cpu < 0.5 * wall + 0.2, f"the loop spun while the server was away ({cpu:.1f}s CPU)"
    assert src.reconnects >= 1
    assert _story_mids(seeded) == ["r0@ana", "r1@ana"]
    assert all(PROCESSED in f for f in mailbox.flags().values())


def test_dovecot_restarted_mid_fetch_and_mid_flag(
        mailbox: Mailbox, seeded: TinyStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restart between SEARCH and FETCH, and one between store and flag: nothing lost/doubled."""
    servers: DevServers = mailbox.servers
    for data in _stories(12):
        mailbox.append(data)
    restarts = {"fetch": 0, "flag": 0}
    real_fetch = IMAPClient.fetch
    real_flags = IMAPClient.add_flags

    def fetch_with_restart(self: IMAPClient, *a: Any, **kw: Any) -> Any:
        if restarts["fetch"] == 1:  # the second batch: the server goes away mid-pass
            restarts["fetch"] += 1
            servers.restart_dovecot()
        elif restarts["fetch"] == 0:
            restarts["fetch"] = 1
        return real_fetch(self, *a, **kw)

    def flag_with_restart(self: IMAPClient, *a: Any, **kw: Any) -> Any:
        if restarts["flag"] == 2:
            restarts["flag"] += 1
            servers.restart_dovecot()
        else:
            restarts["flag"] += 1
        return real_flags(self, *a, **kw)

    monkeypatch.setattr(IMAPClient, "fetch", fetch_with_restart)
    monkeypatch.setattr(IMAPClient, "add_flags", flag_with_restart)
    config = make_config(mailbox.settings())
    with ImapSource(mailbox.settings(), backoff=0.1, attempts=8) as src:
        report = fetch_once(src, seeded, seeded.archive, config, SECRET, NOW, batch_size=4)
        assert restarts == {"fetch": 2, "flag": 4} and src.reconnects >= 2
        assert len(report.stories) == 12 and report.duplicates == 0
        again = fetch_once(src, seeded, seeded.archive, config, SECRET, NOW, batch_size=4)
    assert again.fetched == 0
    assert _story_mids(seeded) == sorted(f"r{i}@ana" for i in range(12))
    flags = mailbox.flags()
    assert len(flags) == 12 and all(PROCESSED in f and SEEN in f for f in flags.values())
    assert seeded.get(SyncState, "INBOX").pending_ack == []  # type: ignore[union-attr]


def test_dovecot_down_longer_than_the_retries_then_back(
        mailbox: Mailbox, seeded: TinyStore, loop: tuple[ImapSource, list[Exception]]) -> None:
    """The loop reports the outage, backs off, and resumes when the server is back."""
    _src, errors = loop
    time.sleep(0.3)
    servers: DevServers = mailbox.servers
    servers.stop_dovecot()
    try:
        assert wait_until(lambda: len(errors) >= 1, timeout=20), "the outage was not reported"
        assert all("unreachable" in str(e) or "127.0.0.1" in str(e) for e in errors)
    finally:
        servers.start_dovecot()
    mailbox.append(_stories(1)[0])
    assert wait_until(lambda: len(_story_mids(seeded)) == 1, timeout=30)
    assert seeded.get(SyncState, "INBOX").last_error == ""  # type: ignore[union-attr]
