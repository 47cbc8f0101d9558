"""Mail the parser cannot read is quarantined under ONE reason, never ignored; raw kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from circle.app.ingest import InboundMail, ingest_batch
from circle.model import InboundRecord, MessageKind, Notice, QuarantineItem, Story
from data.store import TinyStore
from tests.mailin_support import NOW, SECRET, make_config, seed

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s)
    return s


def _ingest(store: TinyStore, data: bytes, **kw: object):
    sha = store.archive.save(data)  # as the mail loop does, before ingesting
    mail = InboundMail(data, sha, uid=1)
    return ingest_batch(store, [mail], config=make_config(), secret=SECRET, now=NOW, **kw), sha


@pytest.mark.parametrize(("name", "detail"), [
    ("deep_multipart_200.eml", "nested more than 40 MIME levels deep"),
    ("deep_multipart_1000.eml", "parser error: RecursionError"),
])
def test_over_deep_mail_is_quarantined_as_unparseable(store: TinyStore, name: str,
                                                      detail: str) -> None:
    data = (HOSTILE / name).read_bytes()
    report, sha = _ingest(store, data)
    assert len(report.quarantined) == 1 and report.ignored == 0
    (item,) = store.all(QuarantineItem)
    assert item.reason.startswith("unparseable: " + detail)
    assert item.kind == MessageKind.UNPARSEABLE and item.raw_sha == sha
    assert item.text  # a preview of the raw mail, for the steward
    (record,) = store.all(InboundRecord)
    assert record.outcome == f"quarantine:{item.id}" and record.kind == MessageKind.UNPARSEABLE
    assert store.archive.load(sha) == data  # byte-exact
    assert store.all(Story) == [] and store.all(Notice) == []


def test_a_parser_that_raises_gives_the_same_one_reason(store: TinyStore) -> None:
    def broken(raw: bytes, **_: object) -> object:
        raise ValueError("simulated parser defect")

    data = (HOSTILE / "encoded_name_comma.eml").read_bytes()
    report, sha = _ingest(store, data, parse=broken)
    (item,) = store.all(QuarantineItem)
    assert item.reason == "unparseable: parser error: ValueError: simulated parser defect"
    assert item.message_id == "sha256:" + hashlib.sha256(data).hexdigest()
    assert len(report.quarantined) == 1
    again, _ = _ingest(store, data, parse=broken)
    assert again.duplicates == 1  # the same bytes are recognised, not quarantined twice


def test_parse_again_after_a_fix_places_the_message_and_says_so(store: TinyStore) -> None:
    """A defect quarantines a real story; after the fix, "parse again" makes it the story it
    was, once, and the quarantine item records what became of it."""
    from circle.app.ingest import parse_again
    from circle.model import QuarantineState
    from tests.mailin_support import raw, to_token

    def broken(raw: bytes, **_: object) -> object:
        raise ValueError("simulated parser defect")

    data = raw("Ana <ana@example.org>", to_token("ana"), mid="fixed-later@ana")
    _ingest(store, data, parse=broken)
    (item,) = store.all(QuarantineItem)
    still = parse_again(store, item.id, config=make_config(), secret=SECRET, now=NOW,
                        parse=broken)  # not fixed yet: it stays, with today's reason
    assert len(still.quarantined) == 1
    assert store.get(QuarantineItem, item.id).state == QuarantineState.OPEN  # type: ignore[union-attr]
    report = parse_again(store, item.id, config=make_config(), secret=SECRET, now=NOW)
    assert len(report.stories) == 1
    (story,) = store.all(Story)
    assert story.member_id == "ana" and "second answer" in story.text
    done = store.get(QuarantineItem, item.id)
    assert done is not None and done.state == QuarantineState.ASSIGNED
    assert done.resolution == f"parsed again: story:{story.id}"
    # the first reading (no Message-ID could be read: keyed by the bytes' hash) now points on
    records = {r.message_id: r.outcome for r in store.all(InboundRecord)}
    assert records == {item.message_id: f"parsed again: story:{story.id}",
                       "fixed-later@ana": f"story:{story.id}"}
    with pytest.raises(Exception, match="already assigned"):
        parse_again(store, item.id, config=make_config(), secret=SECRET, now=NOW)
