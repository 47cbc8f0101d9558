"""Ingest 10,000 replies from a local Dovecot mailbox into stories, end to end.

Baseline in the same run: fetching the same messages with imapclient and parsing them with the
stdlib `email` package, nothing else.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path

from imapclient import IMAPClient

from bench.common import emit, row
from circle.config import Config, ImapSettings
from circle.model import Member, Round, RoundState, Story
from circle.tokens import TokenClaim, make_token, reply_address
from data.store import TinyStore
from mail import devservers
from mail.imap import ImapSource
from mail.loop import fetch_once

N = int(os.environ.get("BENCH_INGEST_N", "10000"))
SECRET = b"bench-secret"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
CIRCLE = "circle@circle.test"
USER = "bench@circle.test"
NAMES = ["ana", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kim", "lu"]


def message(i: int) -> bytes:
    """One realistic reply: a new paragraph, an attribution line and quoted history."""
    who = NAMES[i % len(NAMES)]
    to = reply_address(CIRCLE, make_token(SECRET, TokenClaim(who, "2026-11", "")))
    body = (f"Reply {i}: when the room went quiet I learned to wait for the second answer.\r\n"
            "It changed how I start my Monday classes.\r\n\r\n"
            f"On Tue, 3 Nov 2026 at 18:00, Circle <{CIRCLE}> wrote:\r\n"
            "> What did silence teach you this month?\r\n> Just reply to this email.\r\n")
    head = (f"From: {who.title()} <{who}@example.org>\r\nTo: {to}\r\n"
            f"Subject: Re: This month's question\r\nMessage-ID: <bench-{i}@example.org>\r\n"
            f"Date: {format_datetime(NOW)}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n")
    return (head + body).encode()


def fill(servers: devservers.DevServers) -> None:
    """Put N messages in the bench user's INBOX (MULTIAPPEND in chunks)."""
    c = IMAPClient(servers.host, port=servers.imap_port, ssl=False, timeout=60)
    c.login(USER, servers.password(USER))
    for start in range(0, N, 500):
        c.multiappend("INBOX", [message(i) for i in range(start, min(N, start + 500))])
    c.logout()


def baseline(servers: devservers.DevServers) -> float:
    """Fetch every message with imapclient (same batch size) and parse it with `email`."""
    t0 = time.perf_counter()
    c = IMAPClient(servers.host, port=servers.imap_port, ssl=False, timeout=60)
    c.login(USER, servers.password(USER))
    c.select_folder("INBOX", readonly=True)
    uids = sorted(c.search(["ALL"]))
    parsed = 0
    for start in range(0, len(uids), 50):
        data = c.fetch(uids[start:start + 50], [b"BODY.PEEK[]"])
        for item in data.values():
            msg = email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain",))
            parsed += body is not None and bool(body.get_content())
    c.logout()
    assert parsed == N, parsed
    return time.perf_counter() - t0


def ours(servers: devservers.DevServers, data_dir: Path) -> float:
    """Circle's whole pipeline: archive, parse, classify, match, trim, policy, store, flag."""
    config = Config(name="Bench", slug="bench", address=CIRCLE, steward_email="s@circle.test",
                    imap=ImapSettings(host=servers.host, port=servers.imap_port,
                                      security="plain", username=USER),
                    max_story_words=2000)
    store = TinyStore(data_dir)
    store.put_many([Member(id=n, name=n.title(), email=f"{n}@example.org",
                           joined=date(2026, 1, 1)) for n in NAMES])
    store.put(Round(id="2026-11", gathering=datetime(2026, 11, 25, 18, tzinfo=UTC),
                    state=RoundState.OPEN, question="What did silence teach you?"))
    t0 = time.perf_counter()
    with ImapSource(config.imap, password=servers.password(USER)) as source:
        while fetch_once(source, store, store.archive, config, SECRET, NOW).fetched:
            pass
    took = time.perf_counter() - t0
    stories = store.all(Story)
    assert len(stories) == N, len(stories)
    assert all(s.text.startswith("Reply ") and "wrote:" not in s.text for s in stories)
    return took


def main() -> None:
    """Start private servers, fill a mailbox, time the baseline and Circle's ingest."""
    tmp = Path(tempfile.mkdtemp(prefix="circle-bench-"))
    tmp.chmod(0o755)  # Dovecot's vmail user must traverse it
    servers = devservers.start(tmp / "mail")
    try:
        t0 = time.perf_counter()
        fill(servers)
        print(f"filled {N} messages in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        base = baseline(servers)
        took = ours(servers, tmp / "data")
    finally:
        servers.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    emit([row(f"ingest {N} replies from Dovecot into stories", took, base, "s",
              "≤ 1.5× imapclient fetch + stdlib parse", took <= 1.5 * base,
              msgs_per_s=round(N / took), id="ingest.dovecot.replies")])


if __name__ == "__main__":
    main()
