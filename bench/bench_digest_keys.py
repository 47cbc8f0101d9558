"""What short reply keys cost a 999-member digest: compose + queue with the keys stored beside
a same-run baseline without them (`digest.keys.queue.999`), and the next store write with the
month's keys in the hot file beside one without (`digest.keys.write.999`)."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from bench.common import emit, row
from circle.app import rounds
from circle.app.rounds import approve_digest, queue_digest
from circle.model import Member, ReplyKey, Round
from tests.mailout_world import SECRET, accept_host, make_config, seed, seed_stories

MEMBERS = 999


def _queue(tmp: Path, *, keys: bool) -> tuple[float, float, int, int]:
    """(queue seconds, next-write seconds best of 3, hot file bytes, keys stored)."""
    config = make_config()
    store = seed(tmp, config)
    store.put_many([Member(f"m{n:04d}", f"Member {n:04d}", f"m{n:04d}@example.org",
                           date(2026, 1, 1)) for n in range(MEMBERS - len(store.all(Member)))])
    rnd = accept_host(store)
    at = rnd.timeline["question"]
    store.put(replace(store.get(Round, rnd.id) or rnd, fired={"question": at}))
    seed_stories(store, at + timedelta(days=1))
    approve_digest(store, rnd.id)
    with mock.patch.object(rounds, "digest_reply_keys",
                           rounds.digest_reply_keys if keys else lambda *_a: []):
        t0 = time.perf_counter()
        queue_digest(store, rnd.timeline["digest_due"], config, SECRET)
        queued = time.perf_counter() - t0
    writes = []
    member = store.get(Member, "ana")
    assert member is not None
    for n in range(3):
        member = replace(member, note=f"write {n}")
        t0 = time.perf_counter()
        store.put(member)
        writes.append(time.perf_counter() - t0)
        member = store.get(Member, "ana") or member
    return queued, min(writes), (tmp / "circle.json").stat().st_size, store.count(ReplyKey)


def main() -> None:
    """Emit the two rows (each beside its same-run baseline)."""
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        base = _queue(Path(a), keys=False)
        with_keys = _queue(Path(b), keys=True)
    print(f"keys stored: {with_keys[3]}; hot file {base[2] / 1e6:.2f} MB -> "
          f"{with_keys[2] / 1e6:.2f} MB")
    emit([
        row(f"digest: compose + queue {MEMBERS} with short reply keys", with_keys[0], base[0],
            "s", "(baseline: the same without keys)", None, id=f"digest.keys.queue.{MEMBERS}"),
        row(f"digest: next store write, {with_keys[3]} reply keys hot", with_keys[1], base[1],
            "s", "(baseline: the same store without keys)", None,
            id=f"digest.keys.write.{MEMBERS}"),
    ])


if __name__ == "__main__":
    main()
