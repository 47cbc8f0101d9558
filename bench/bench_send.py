"""Send a personalised digest to 999 members through a local aiosmtpd, against a bare loop.

Circle's send is the real one: a store write per batch and the send journal fsynced per
message (`data/journal.py`); the baseline is a bare aiosmtplib loop over the same number of
connections, measured in the same run (id `send.digest.999`, target ≤ 1.15×).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller

from bench.common import emit, row
from circle.app.rounds import approve_digest, queue_digest
from circle.model import Member, OutboxItem, OutboxState, Round
from data.journal import outbox_journal
from mail.smtp import SmtpSink, send_outbox
from tests.mailout_world import SECRET, accept_host, make_config, seed, seed_stories
from tests.smtp_server import free_port

MEMBERS = 1000
CONNECTIONS = 4


class _Sink:
    """An aiosmtpd handler that accepts and counts."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


async def _bare(port: int, messages: list[tuple[str, bytes]]) -> float:
    """The baseline: the same messages over CONNECTIONS plain aiosmtplib connections."""
    async def worker(share: list[tuple[str, bytes]]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for rcpt, raw in share:
            await client.sendmail("circle@example.org", [rcpt], raw)
        await client.quit()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(messages[k::CONNECTIONS]) for k in range(CONNECTIONS)))
    return time.perf_counter() - t0


def run() -> dict[str, float]:
    """Queue and send a 1,000-member digest; time it beside a bare aiosmtplib loop."""
    handler = _Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = make_config(port, connections=CONNECTIONS)
            store = seed(Path(tmp), config)
            extra = [Member(f"m{n:04d}", f"Member {n:04d}", f"m{n:04d}@example.org",
                            date(2026, 1, 1)) for n in range(MEMBERS - len(store.all(Member)))]
            store.put_many(extra)
            rnd = accept_host(store)
            at = rnd.timeline["question"]
            store.put(replace(store.get(Round, rnd.id) or rnd, fired={"question": at}))
            seed_stories(store, at + timedelta(days=1))
            approve_digest(store, rnd.id)
            now = rnd.timeline["digest_due"]
            t0 = time.perf_counter()
            items = queue_digest(store, now, config, SECRET)
            compose = time.perf_counter() - t0
            assert len(items) == MEMBERS - 1  # the paused member gets none

            async def circle_send() -> float:
                t = time.perf_counter()
                async with SmtpSink(config.smtp) as sink:  # journalled, as `circle` sends
                    report = await send_outbox(store, sink, now, sender=config.address,
                                               journal=outbox_journal(Path(tmp)))
                assert report.sent == len(items), report
                return time.perf_counter() - t

            send = asyncio.run(circle_send())
            assert all(i.state == OutboxState.SENT for i in store.all(OutboxItem))
            messages = [(i.recipient, i.raw.encode("ascii")) for i in items]
            bare = asyncio.run(_bare(port, messages))
            size = sum(len(raw) for _, raw in messages) / len(messages)
    finally:
        controller.stop()
    figures = {"members": float(len(items)), "compose_and_queue_s": round(compose, 3),
               "send_s": round(send, 3), "bare_aiosmtplib_s": round(bare, 3),
               "ratio": round(send / bare, 2), "avg_message_kb": round(size / 1024, 1),
               "connections": float(CONNECTIONS)}
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    return figures


def main() -> None:
    """Run and emit the table rows for `make bench`."""
    f = run()
    emit([
        row(f"send: digest to {int(f['members'])} members via aiosmtpd", f["send_s"],
            f["bare_aiosmtplib_s"], "s", "≤ 1.15× bare aiosmtplib loop", f["ratio"] <= 1.15,
            connections=f["connections"], id=f"send.digest.{int(f['members'])}"),
        row(f"send: compose + queue {int(f['members'])} digests", f["compose_and_queue_s"],
            f["send_s"], "s", "(baseline: the send itself)", None),
    ])


if __name__ == "__main__":
    main()
