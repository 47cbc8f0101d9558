"""Fault-test driver: send the outbox of DATA_DIR through 127.0.0.1:PORT as `circle` would.

Usage: python -m tests.faultkit.send_driver DATA_DIR PORT BATCH_SIZE
Takes the circle's sending lock, prints "ready" once the store is open, then sends every due
item (plain SMTP to localhost, two pooled connections, the circle's send journal) and prints
the report.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from circle.config import SmtpSettings
from data.journal import outbox_journal
from data.locks import SENDING_LOCK
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _send(data_dir: Path, port: int, batch: int) -> str:
    store = TinyStore(data_dir)
    settings = SmtpSettings(host="127.0.0.1", port=port, security="plain", per_minute=0,
                            connections=2)
    print("ready", flush=True)
    async with SmtpSink(settings) as sink:
        report = await send_outbox(store, sink, NOW, sender="circle@example.org",
                                   batch_size=batch, journal=outbox_journal(data_dir))
    return f"sent={report.sent} uncertain={report.uncertain}"


def main(argv: list[str]) -> int:
    """Send once under the lock; exit 0."""
    data_dir, port, batch = Path(argv[0]), int(argv[1]), int(argv[2])
    with FileLock(str(data_dir / SENDING_LOCK), timeout=10):
        print(asyncio.run(_send(data_dir, port, batch)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
