"""SIGKILL soaks of the real `circle` processes (marker `soak`; `make test-slow` runs them full).

Two soaks, each a seeded series of trials on a fresh copy of one circle:

- `circle digest send` to 49 members, SIGKILLed at a random moment (after a random number of
  digests reached the real aiosmtpd server, or a random time after start), then run again to
  completion, as the steward would;
- `circle run` (the daemon) during a burst of 40 stories in its Dovecot folder, SIGKILLed
  while it ingests and sends the receipts, then `circle run --once` to completion.

After every trial: nobody received the mail twice; at most the messages in flight (the SMTP
connections, 2) are `uncertain`; the members without their mail are no more than the
uncertain items (everything else arrived exactly once). The quick run (`make test`) makes a
few trials of each; `--soak=full` at least 30 real kills of each.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from imapclient import IMAPClient

from circle.app.rounds import approve_digest
from circle.model import HostState, Member, OutboxItem, OutboxState, Round, RoundState, Story
from circle.schedule import timeline
from cli.context import load_context
from data.store import TinyStore
from tests.headless_support import Headless, Result, configure_servers, kind_of
from tests.mailin_support import SECRET, raw, to_token
from tests.mailout_world import accept_host, seed, seed_stories
from tests.mailservers import PASSWORD_ENV, Mailbox
from tests.soak import Soak

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

SEED = 1202
FULL_KILLS = 32  # real kills (the process was still running) under --soak=full
QUICK_KILLS = 2  # in `make test`: a small prefix of the same seeded series
CONNECTIONS = 2  # the circle's SMTP connections: at most this many messages in flight
EXTRA_MEMBERS = 42  # + the mail-out world's active members: a digest to 49 people
BURST = 40  # stories arriving at once, each from its own member (one receipt each)
DIGEST_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
INGEST_NOW = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
DEADLINE = 60.0  # seconds any one wait may take before the trial fails
SOAK_TIMEOUT = 2400  # a full soak is 32 trials of two real processes each; quick: seconds
_S = OutboxState

CONFIG = """\
[circle]
name = "Soak Circle"
slug = "soak"
address = "circle@circle.test"
steward_email = "steward@circle.test"
timezone = "Europe/London"
data_dir = "data"

[schedule]
gathering = "last Wednesday of every month at 18:00"

[imap]
host = "127.0.0.1"
port = 1
security = "plain"
username = ""
password_env = "{password_env}"
poll_seconds = 1

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "plain"
per_minute = 0
connections = {connections}
"""


@dataclass
class Tally:
    """What a soak saw, for its closing line and its assertions."""

    kills: int = 0
    early: int = 0  # the process had finished before the kill
    worst_uncertain: int = 0
    missing: int = 0
    uncertain: int = 0
    delivered: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self, what: str) -> str:
        """One summary line (printed with -s)."""
        return (f"\n{what}: {self.kills} SIGKILLs ({self.early} runs ended first) in "
                f"{time.monotonic() - self.started:.1f}s; {self.delivered} delivered once, "
                f"{self.uncertain} uncertain (at most {self.worst_uncertain} in one trial), "
                f"{self.missing} without their mail after the restart")


def _write_config(directory: Path, smtp_port: int) -> Path:
    directory.mkdir(parents=True)
    path = directory / "config.toml"
    path.write_text(CONFIG.format(password_env=PASSWORD_ENV, smtp_port=smtp_port,
                                  connections=CONNECTIONS), encoding="utf-8")
    return path


def _received(smtp_server: SmtpServer, kind: str) -> Counter[str]:
    """How many mails of `kind` each recipient has at the sink."""
    with smtp_server.handler.lock:
        got = list(smtp_server.handler.received)
    return Counter(rcpt for r in got if kind_of(r.message) == kind for rcpt in r.rcpt)


def _kill_at_random(proc: subprocess.Popen[str], rng: random.Random,
                    delivered: Callable[[], int], total: int) -> bool:
    """SIGKILL `proc` once `delivered()` reaches a random count, or after a random delay;
    False when it had ended by itself first. Waits are bounded by DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    if rng.random() < 0.75:
        target = rng.randrange(total)
        while delivered() < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
    else:
        time.sleep(rng.uniform(0.0, 2.5))
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=DEADLINE)
    return alive


def _settle(tally: Tally, items: list[OutboxItem], got: Counter[str],
            wanted: set[str]) -> None:
    """The invariants after a kill and a clean restart, for mail meant once for each of
    `wanted` (recipient addresses) given the sink's count per recipient `got`."""
    twice = sorted(r for r, n in got.items() if n > 1)
    assert not twice, f"received twice: {twice}"
    uncertain = [i for i in items if i.state == _S.UNCERTAIN]
    assert len(uncertain) <= CONNECTIONS, f"{len(uncertain)} uncertain after one kill"
    for item in items:
        assert item.state in (_S.SENT, _S.UNCERTAIN), f"{item.recipient}: {item.state}"
        if item.state == _S.SENT:
            assert got[item.recipient] == 1, f"{item.recipient} sent but never received"
    missing = wanted - set(got)
    assert len(missing) <= len(uncertain), f"without their mail: {sorted(missing)}"
    assert missing <= {i.recipient for i in uncertain}
    tally.worst_uncertain = max(tally.worst_uncertain, len(uncertain))
    tally.uncertain += len(uncertain)
    tally.missing += len(missing)
    tally.delivered += sum(1 for n in got.values() if n == 1)


# ---------------------------------------------------------------- circle digest send


def _digest_circle(directory: Path, smtp_port: int) -> set[str]:
    """A circle whose digest of round 2026-11 is approved, not yet queued; its readers."""
    config = _write_config(directory, smtp_port)
    ctx = load_context(config)
    store = seed(ctx.data_dir, ctx.config)
    rnd = accept_host(store)
    at = rnd.timeline["question"] + timedelta(hours=1)
    store.put(replace(rnd, fired={**rnd.fired, "host_invite": at, "host_fallback": at,
                                  "question": at}))
    store.put_many([Member(f"m{k:02d}", f"Member {k}", f"m{k:02d}@example.net",
                           date(2026, 2, 1)) for k in range(EXTRA_MEMBERS)])
    seed_stories(store, at)
    approve_digest(store, "2026-11")
    return {m.email for m in store.all(Member) if m.status == "active"}


@pytest.mark.soak
@pytest.mark.timeout(SOAK_TIMEOUT)
def test_sigkill_of_circle_digest_send(tmp_path: Path, smtp_server: SmtpServer,
                                       soak: Soak) -> None:
    """The real `circle digest send`, SIGKILLed at random, then run again: never twice, at
    most the messages in flight uncertain, nobody else without the digest."""
    kills = FULL_KILLS if soak.full else QUICK_KILLS
    rng = random.Random(SEED)
    readers = _digest_circle(tmp_path / "template", smtp_server.port)
    smtp_server.handler.delay = 0.003
    tally = Tally()
    trial = 0
    while tally.kills < kills and trial < 3 * kills:
        trial += 1
        shutil.copytree(tmp_path / "template", tmp_path / f"t{trial}")
        circle = Headless(tmp_path / f"t{trial}" / "config.toml")
        with smtp_server.handler.lock:
            smtp_server.handler.received.clear()
        proc = circle.start("digest", "send", now=DIGEST_NOW)
        if _kill_at_random(proc, rng, lambda: sum(_received(smtp_server, "digest").values()),
                           len(readers)):
            tally.kills += 1
        else:
            tally.early += 1
        again = circle.run("digest", "send", now=DIGEST_NOW)
        assert "Queued the digest for" in again.out, again.out
        store = TinyStore(tmp_path / f"t{trial}" / "data")
        assert store.get(Round, "2026-11").state == RoundState.DIGEST_SENT  # type: ignore[union-attr]
        items = [i for i in store.all(OutboxItem) if i.kind == "digest"]
        assert sorted(i.recipient for i in items) == sorted(readers)
        _settle(tally, items, _received(smtp_server, "digest"), readers)
        shutil.rmtree(tmp_path / f"t{trial}")
    print(tally.line("circle digest send"))
    assert tally.kills >= kills, f"only {tally.kills} kills landed in {trial} trials"


# ---------------------------------------------------------------- circle run, receipts


def _burst_circle(directory: Path, smtp_port: int) -> set[str]:
    """A circle whose November question is out, with BURST members; their addresses."""
    config = _write_config(directory, smtp_port)
    ctx = load_context(config)
    gathering = datetime(2026, 11, 25, 18, 0, tzinfo=ctx.config.tz)
    times = timeline(gathering, ctx.config.schedule)
    fired = {m: times[m] for m in ("host_invite", "host_fallback", "question")}
    members = [Member(f"p{k:02d}", f"Person {k}", f"p{k:02d}@example.net", date(2026, 2, 1))
               for k in range(BURST)]
    rnd = Round(id="2026-11", gathering=gathering, host_id="p00", host_state=HostState.ACCEPTED,
                question="What did the quiet teach you?", question_approved=True,
                state=RoundState.OPEN, timeline=times, fired=fired)
    ctx.store.put_many([*members, rnd])
    return {m.email for m in members}


def _append_burst(mailbox: Mailbox) -> None:
    """BURST stories at once, each from its own member, through one IMAP connection."""
    c: IMAPClient = mailbox.client()
    try:
        for k in range(BURST):
            who = f"p{k:02d}"
            c.append("INBOX", raw(f"Person {k} <{who}@example.net>", to_token(who),
                                  mid=f"burst-{who}@example.net",
                                  body=f"Story {k}: what the quiet taught me."))
    finally:
        c.logout()


@pytest.mark.soak
@pytest.mark.timeout(SOAK_TIMEOUT)
def test_sigkill_of_circle_run_during_a_burst(tmp_path: Path, mailbox: Mailbox,
                                              smtp_server: SmtpServer, soak: Soak) -> None:
    """The real `circle run` (daemon loop), SIGKILLed while a burst of stories is ingested and
    receipted, then `circle run --once`: every story stored once, each receipt at most once,
    at most the messages in flight uncertain, nobody else without a receipt."""
    kills = FULL_KILLS if soak.full else QUICK_KILLS
    rng = random.Random(SEED + 1)
    senders = _burst_circle(tmp_path / "template", smtp_server.port)
    smtp_server.handler.delay = 0.003
    tally = Tally()
    trial = 0
    while tally.kills < kills and trial < 3 * kills:
        trial += 1
        home = tmp_path / f"t{trial}"
        shutil.copytree(tmp_path / "template", home)
        box = Mailbox(mailbox.servers, f"soak{trial}-{rng.randrange(10**9)}@circle.test")
        configure_servers(home / "config.toml", imap={
            "port": mailbox.servers.imap_port, "username": box.user})
        _append_burst(box)
        circle = Headless(home / "config.toml",
                          env={PASSWORD_ENV: box.password, "CIRCLE_SECRET": SECRET.decode()})
        with smtp_server.handler.lock:
            smtp_server.handler.received.clear()
        proc = circle.start("run", now=INGEST_NOW)
        if _kill_at_random(proc, rng, lambda: sum(_received(smtp_server, "receipt").values()),
                           BURST):
            tally.kills += 1
        else:
            tally.early += 1
            _, err = proc.communicate()
            assert proc.returncode == 0, err[-2000:]
        again: Result = circle.run("run", "--once", now=INGEST_NOW)
        store = TinyStore(home / "data")
        stories = store.all(Story)
        assert len(stories) == BURST and len({s.member_id for s in stories}) == BURST, \
            again.out
        items = [i for i in store.all(OutboxItem) if i.kind == "receipt"]
        assert sorted(i.recipient for i in items) == sorted(senders)
        _settle(tally, items, _received(smtp_server, "receipt"), senders)
        shutil.rmtree(home)
    print(tally.line("circle run (receipts)"))
    assert tally.kills >= kills, f"only {tally.kills} kills landed in {trial} trials"
