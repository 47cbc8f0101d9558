"""The store on a real disk: atomic writes under SIGKILL, concurrent writers, clear errors."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from circle.errors import StoreError
from circle.model import Member, Story, StoryState
from data.migrations import migrate
from data.store import DB_NAME, TinyStore
from tests.soak import Soak

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def story(i: int, text: str = "a story") -> Story:
    return Story(id=f"s{i}", round_id="2026-11", member_id="ana", text=text, received_at=NOW)


def test_round_trip_keeps_every_field(data_dir: Path) -> None:
    s = TinyStore(data_dir)
    st = story(1, "Ünïcode ✓ and \"quotes\"")
    st.themes = ["listening"]
    st.state = StoryState.APPROVED
    s.put(st)
    again = TinyStore(data_dir).get(Story, "s1")
    assert again == st


def test_files_are_private(data_dir: Path) -> None:
    s = TinyStore(data_dir)
    s.put(story(1))
    sha = s.archive.save(b"raw mail")
    assert (data_dir.stat().st_mode & 0o777) == 0o700
    assert (s.path.stat().st_mode & 0o777) == 0o600
    assert (s.archive.path_for(sha).stat().st_mode & 0o777) == 0o600


def test_archive_is_content_addressed_and_idempotent(data_dir: Path) -> None:
    s = TinyStore(data_dir)
    a = s.archive.save(b"From: x\r\n\r\nhello")
    b = s.archive.save(b"From: x\r\n\r\nhello")
    assert a == b and s.archive.count() == 1
    assert s.archive.load(a) == b"From: x\r\n\r\nhello"


def test_transaction_failure_writes_nothing(data_dir: Path) -> None:
    s = TinyStore(data_dir)
    s.put(story(1))
    with pytest.raises(RuntimeError), s.transaction():
        s.put(story(2))
        raise RuntimeError("crash in the middle")
    assert [x.id for x in TinyStore(data_dir).all(Story)] == ["s1"]
    assert [x.id for x in s.all(Story)] == ["s1"]


def test_corrupt_file_gives_clear_error_and_is_not_overwritten(data_dir: Path) -> None:
    TinyStore(data_dir).put(story(1))
    db = data_dir / DB_NAME
    db.write_bytes(db.read_bytes()[:50])
    before = db.read_bytes()
    with pytest.raises(StoreError) as err:
        TinyStore(data_dir)
    assert str(db) in str(err.value) and "corrupt" in str(err.value)
    assert "backup" in str(err.value)
    assert db.read_bytes() == before


def test_foreign_file_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / DB_NAME).write_text(json.dumps({"_default": {"1": {"x": 1}}}))
    with pytest.raises(StoreError, match="not a Circle store"):
        TinyStore(data_dir)
    assert json.loads((data_dir / DB_NAME).read_text()) == {"_default": {"1": {"x": 1}}}


def test_future_schema_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    doc = {"_meta": {"meta": {"app": "circle", "schema": 99}}}
    (data_dir / DB_NAME).write_text(json.dumps(doc))
    with pytest.raises(StoreError, match="newer Circle"):
        TinyStore(data_dir)
    assert json.loads((data_dir / DB_NAME).read_text()) == doc


def test_migrations_run_in_order() -> None:
    def to2(d: dict) -> dict:
        d["stories"] = {k: {**v, "visibility": "circle"} for k, v in d.get("stories", {}).items()}
        return d

    def to3(d: dict) -> dict:
        d["stories"] = {k: {**v, "themes": v.get("themes", []) + ["migrated"]}
                        for k, v in d["stories"].items()}
        return d

    old = {"_meta": {"meta": {"app": "circle", "schema": 1}}, "stories": {"s1": {"id": "s1"}}}
    new, changed = migrate(old, "x.json", {1: to2, 2: to3}, target=3)
    assert changed
    assert new["stories"]["s1"] == {"id": "s1", "visibility": "circle", "themes": ["migrated"]}
    assert new["_meta"]["meta"]["schema"] == 3


def test_disk_full_keeps_old_state_and_says_so(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = TinyStore(data_dir)
    s.put(story(1))
    import data.jsonfile as jf

    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jf.os, "fsync", full)
    with pytest.raises(StoreError) as err:
        s.put(story(2))
    monkeypatch.setattr(jf.os, "fsync", real_fsync)
    assert "No space left" in str(err.value) and "intact" in str(err.value)
    assert [x.id for x in TinyStore(data_dir).all(Story)] == ["s1"]
    assert [x.id for x in s.all(Story)] == ["s1"]  # the failed write left no trace in memory
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]


WRITER = r"""
import sys
from datetime import UTC, datetime
from pathlib import Path
from circle.model import Story
from data.store import TinyStore
d, start = Path(sys.argv[1]), int(sys.argv[2])
s = TinyStore(d)
now = datetime(2026, 11, 10, tzinfo=UTC)
print("ready", flush=True)
i = start
while True:
    with s.transaction():
        s.put(Story(id=f"s{i}", round_id="r", member_id="m", text="x" * 2000, received_at=now))
        s.put(Story(id=f"t{i}", round_id="r", member_id="m", text="y", received_at=now))
    i += 1
"""


@pytest.mark.soak
def test_sigkill_at_random_points_leaves_old_or_new_state(data_dir: Path, soak: Soak) -> None:
    """Kill a writer at random instants (50 under --soak=full): the file always loads, pairs
    are never torn."""
    TinyStore(data_dir).put_many(story(i, "x" * 2000) for i in range(300))
    rng = random.Random(20261121)
    seen = 300
    kills = soak.trials(50)
    for trial in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(10_000 * (trial + 1))],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        s = TinyStore(data_dir)
        ids = {x.id for x in s.all(Story)}
        assert {f"s{i}" for i in range(300)} <= ids  # nothing old lost
        written = {i for i in ids if i.startswith("s") and int(i[1:]) >= 10_000}
        assert {"t" + i[1:] for i in written} <= ids  # each transaction whole or absent
        assert len(ids) >= seen
        seen = len(ids)
    leftovers = [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= kills  # temp files of killed writers, never the database itself


COUNTER = r"""
import sys
from pathlib import Path
from datetime import date
from circle.model import Member
from data.store import TinyStore
d, who, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = TinyStore(d)
for i in range(n):
    with s.transaction():
        s.put(Member(id=f"{who}-{i}", name=who, email=f"{who}{i}@x.org", joined=date(2026, 1, 1)))
"""


def test_two_processes_writing_at_once_lose_nothing(data_dir: Path) -> None:
    TinyStore(data_dir)
    procs = [subprocess.Popen([sys.executable, "-c", COUNTER, str(data_dir), who, "60"], cwd=ROOT)
             for who in ("tui", "loop")]
    for p in procs:
        assert p.wait(timeout=120) == 0
    ids = {m.id for m in TinyStore(data_dir).all(Member)}
    assert ids == {f"{w}-{i}" for w in ("tui", "loop") for i in range(60)}


def test_other_process_writes_are_seen(data_dir: Path) -> None:
    a = TinyStore(data_dir)
    b = TinyStore(data_dir)
    a.put(story(1))
    assert b.refresh() is True
    assert b.get(Story, "s1") is not None
    b.put(story(2))
    assert {x.id for x in a.all(Story)} == {"s1", "s2"}
