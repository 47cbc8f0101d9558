"""The store's shape: schema-1 migration, blobs, per-year archives, compare-and-set versions."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from circle.app import apply
from circle.app.intents import SetVisibility
from circle.app.maintenance import archive_closed
from circle.codec import to_dict
from circle.errors import ConflictError
from circle.model import (
    RECORD_TYPES,
    InboundRecord,
    MessageKind,
    OutboxItem,
    OutboxState,
    Response,
    Round,
    RoundState,
    Story,
    Visibility,
)
from data.blobs import BLOB_MIN, BODY_MIN, REF
from data.store import DB_NAME, TinyStore

FIXTURE = Path(__file__).parent / "fixtures" / "store_v1" / "circle.json"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def _v1_copy(data_dir: Path) -> dict[str, dict[str, dict[str, object]]]:
    data_dir.mkdir(parents=True)
    shutil.copy(FIXTURE, data_dir / DB_NAME)
    return json.loads(FIXTURE.read_bytes())  # type: ignore[no-any-return]


def test_a_schema_1_store_migrates_on_first_open_and_every_record_is_found(
        data_dir: Path) -> None:
    old = _v1_copy(data_dir)
    store = TinyStore(data_dir)
    tables = {cls.TABLE: cls for cls in RECORD_TYPES}
    counted = 0
    for table, docs in old.items():
        if table == "_meta":
            continue
        cls = tables[table]
        for key, doc in docs.items():
            found = store.get(cls, key)
            assert found is not None, (table, key)
            assert {k: v for k, v in to_dict(found).items() if k in doc} == doc, (table, key)
            counted += 1
    assert counted == sum(len(v) for k, v in old.items() if k != "_meta") > 200
    new = json.loads((data_dir / DB_NAME).read_bytes())
    assert new["_meta"]["meta"]["schema"] == 2
    # composed mail moved to blob files: the hot file no longer carries the bodies
    long_raw = [d for d in old["outbox"].values() if len(str(d["raw"])) >= BODY_MIN]
    assert long_raw, "the fixture has digests large enough to move out"
    assert all(REF in new["outbox"][d["id"]]["raw"] for d in long_raw)
    def inline_raw(table: dict[str, dict[str, object]]) -> int:
        return sum(len(d["raw"]) for d in table.values() if isinstance(d["raw"], str))
    assert inline_raw(new["outbox"]) < inline_raw(old["outbox"]) / 50
    # the old file is kept, byte for byte
    assert (data_dir / "backup" / "circle.schema1.json").read_bytes() == FIXTURE.read_bytes()


def test_an_interrupted_migration_is_redone_cleanly(data_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _v1_copy(data_dir)
    import data.jsonfile as jf

    real = jf.atomic_write_bytes

    def crash_on_the_hot_file(path: Path, payload: bytes, *, durable: bool = True) -> None:
        if path.name == DB_NAME:
            raise KeyboardInterrupt("power cut while writing the migrated file")
        real(path, payload, durable=durable)

    monkeypatch.setattr(jf, "atomic_write_bytes", crash_on_the_hot_file)
    with pytest.raises(KeyboardInterrupt):
        TinyStore(data_dir)
    assert (data_dir / DB_NAME).read_bytes() == FIXTURE.read_bytes()  # untouched
    monkeypatch.setattr(jf, "atomic_write_bytes", real)
    store = TinyStore(data_dir)  # the second open finishes the job
    assert len(store.all(OutboxItem)) == len(json.loads(FIXTURE.read_bytes())["outbox"])
    assert (data_dir / "backup" / "circle.schema1.json").read_bytes() == FIXTURE.read_bytes()
    TinyStore(data_dir)  # and opening again changes nothing
    assert json.loads((data_dir / DB_NAME).read_bytes())["_meta"]["meta"]["schema"] == 2


def _story(i: int, round_id: str, at: datetime) -> Story:
    return Story(id=f"s{i}", round_id=round_id, member_id="ana", text=f"story {i}",
                 received_at=at)


def test_a_stale_copy_is_refused_and_a_replay_is_harmless(data_dir: Path) -> None:
    store = TinyStore(data_dir)
    store.put(_story(1, "2026-11", NOW))
    first = store.get(Story, "s1")
    second = store.get(Story, "s1")
    assert first is not None and second is not None and first.version == 1
    first.visibility = Visibility.STEWARD
    store.put(first)
    assert first.version == 2
    second.state = second.state.APPROVED
    with pytest.raises(ConflictError, match="changed since it was read"):
        store.put(second)  # made from version 1: would undo the visibility change
    replay = _story(1, "2026-11", NOW)  # e.g. ingest redone after a crash: same content
    replay.visibility = Visibility.STEWARD
    store.put(replay)  # version 0, but it changes nothing: accepted as a no-op
    assert replay.version == 2
    again = store.get(Story, "s1")
    assert again is not None and again.visibility == Visibility.STEWARD and again.version == 2


def _aged_store(data_dir: Path) -> TinyStore:
    store = TinyStore(data_dir)
    old = datetime(2025, 10, 29, 18, tzinfo=UTC)
    store.put_many([
        Round(id="2025-10", gathering=old, state=RoundState.DIGEST_SENT),
        Round(id="2026-11", gathering=datetime(2026, 11, 25, 18, tzinfo=UTC),
              state=RoundState.OPEN),
        _story(1, "2025-10", old - timedelta(days=5)),
        _story(2, "2026-11", NOW),
        Response(id="r1", story_id="s1", parent_id="s1", round_id="2025-10",
                 member_id="bob", text="a reply", received_at=old),
        OutboxItem(id="o1", message_id="<o1@x>", kind="digest", recipient="ana@example.org",
                   raw="x" * (BLOB_MIN + 10), created_at=old, round_id="2025-10",
                   state=OutboxState.SENT),
        InboundRecord(message_id="<m1@x>", raw_sha="ab", received_at=old,
                      kind=MessageKind.REPLY),
        InboundRecord(message_id="<m2@x>", raw_sha="cd", received_at=NOW,
                      kind=MessageKind.REPLY),
    ])
    return store


def test_closed_rounds_move_to_their_year_and_stay_readable_and_writable(
        data_dir: Path) -> None:
    store = _aged_store(data_dir)
    moved = archive_closed(store, NOW)
    assert moved == 5  # the round, its story, response and digest, one old inbound record
    assert archive_closed(store, NOW) == 0  # idempotent
    hot = json.loads((data_dir / DB_NAME).read_bytes())
    assert set(hot["stories"]) == {"s2"} and set(hot["rounds"]) == {"2026-11"}
    assert set(hot["inbound"]) == {"<m2@x>"} and not hot.get("outbox")
    year = json.loads((data_dir / "archive" / "2025.json").read_bytes())
    assert set(year["stories"]) == {"s1"} and year["rounds"]["2025-10"]["state"] == "closed"
    assert [s.id for s in store.all(Story)] == ["s2"]
    assert [s.id for s in store.archived(Story)] == ["s1"]
    assert store.get(InboundRecord, "<m1@x>") is not None  # Message-ID dedupe still sees it
    # an author's consent reaches an archived story: written in the archive, not the hot file
    outcome = apply(store, SetVisibility(post_id="s1", visibility=Visibility.ANONYMOUS), NOW)
    assert outcome.ok, outcome.refused
    year = json.loads((data_dir / "archive" / "2025.json").read_bytes())
    assert year["stories"]["s1"]["visibility"] == "anonymous"
    assert "s1" not in json.loads((data_dir / DB_NAME).read_bytes())["stories"]
    assert TinyStore(data_dir).get(Story, "s1").visibility == Visibility.ANONYMOUS  # type: ignore[union-attr]


def test_a_crash_in_the_middle_of_archiving_loses_nothing(data_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    store = _aged_store(data_dir)
    import data.jsonfile as jf

    real = jf.atomic_write_bytes

    def die_before_the_hot_file(path: Path, payload: bytes, *, durable: bool = True) -> None:
        if path.name == DB_NAME:
            raise KeyboardInterrupt("killed after the archive was written")
        real(path, payload, durable=durable)

    monkeypatch.setattr(jf, "atomic_write_bytes", die_before_the_hot_file)
    with pytest.raises(KeyboardInterrupt):
        archive_closed(store, NOW)
    monkeypatch.setattr(jf, "atomic_write_bytes", real)
    reopened = TinyStore(data_dir)
    assert reopened.get(Story, "s1") is not None  # in both places for now; the hot copy wins
    assert archive_closed(reopened, NOW) == 5  # the next pass finishes the move
    assert [s.id for s in reopened.all(Story)] == ["s2"]
    assert [s.id for s in reopened.archived(Story)] == ["s1"]


def test_search_reads_the_derived_index_and_falls_back_when_it_is_stale(data_dir: Path) -> None:
    from circle.app.search import search

    store = _aged_store(data_dir)
    archive_closed(store, NOW)
    index = data_dir / "archive" / "2025.search.tsv"
    assert index.exists()
    fresh = [h.id for h in search(TinyStore(data_dir), "story")]
    assert fresh == ["s2", "s1"]  # the hot story and the archived one, newest round first
    # an author's later change rewrites the archive and its index together
    assert apply(store, SetVisibility(post_id="s1", visibility=Visibility.STEWARD), NOW).ok
    (hit,) = [h for h in search(TinyStore(data_dir), "story 1")]
    assert hit.visibility == "steward"
    # a stale or missing index (a crash between the two writes) only makes search slower
    index.write_text(index.read_text().replace("\tsteward\t", "\tcircle\t"))
    (hit,) = [h for h in search(TinyStore(data_dir), "story 1")]
    assert hit.visibility == "circle"  # (white-box: a current index is what search reads)
    head, _, body = index.read_text().partition("\n")
    index.write_text("#stamp 0 0 0\n" + body)  # written for an older state of the archive
    (hit,) = [h for h in search(TinyStore(data_dir), "story 1")]
    assert hit.visibility == "steward"
    index.unlink()
    assert [h.id for h in search(TinyStore(data_dir), "story")] == fresh


def test_after_a_uidvalidity_change_archived_mail_is_still_known(data_dir: Path) -> None:
    """Dedupe looks in the hot store; a rescan (the whole folder again) looks in the archives
    too, so a story of last year is not taken in twice."""
    from circle.app.ingest import InboundMail, ingest_batch
    from tests.mailin_support import SECRET, make_config, raw, seed, to_token

    store = TinyStore(data_dir)
    seed(store)
    data = raw("Ana <ana@example.org>", to_token("ana"), mid="old-story@ana")
    mail = InboundMail(data, store.archive.save(data), uid=1)
    first = ingest_batch(store, [mail], config=make_config(), secret=SECRET, now=NOW)
    assert len(first.stories) == 1
    (record,) = store.all(InboundRecord)
    assert store.move_to_archive(2026, [record]) == 1
    again = ingest_batch(store, [mail], config=make_config(), secret=SECRET, now=NOW,
                         deep_dedupe=True)
    assert again.duplicates == 1 and not again.stories
