"""Fault-test driver: fetch_once in a loop over one mailbox until nothing is left, then exit.

Usage: python -m tests.faultkit.ingest_driver DATA_DIR HOST PORT USER BATCH_SIZE
(password in $CIRCLE_TEST_IMAP_PASSWORD). Prints "ready" once connected, "done" at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

from circle.config import ImapSettings
from data.locks import mail_loop_lock
from data.store import TinyStore
from mail.imap import ImapSource
from mail.loop import fetch_once
from tests.mailin_support import NOW, SECRET, make_config


def main(argv: list[str]) -> int:
    """Run passes until a pass fetches nothing; the exit code is 0 then."""
    data_dir, host, port, user, batch = argv
    settings = ImapSettings(host=host, port=int(port), security="plain", username=user,
                            password_env="CIRCLE_TEST_IMAP_PASSWORD", poll_seconds=1)
    config = make_config(settings)
    with mail_loop_lock(Path(data_dir)), ImapSource(settings, backoff=0.05) as source:
        store = TinyStore(Path(data_dir))
        source.uidvalidity()
        print("ready", flush=True)
        for _ in range(10_000):
            report = fetch_once(source, store, store.archive, config, SECRET, NOW,
                                batch_size=int(batch))
            if report.fetched == 0:
                print("done", flush=True)
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
