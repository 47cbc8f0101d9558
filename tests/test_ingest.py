"""Ingest pipeline over the real store (no IMAP): outcomes, notices, quarantine, idempotence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from circle.app.ingest import InboundMail, ingest_batch
from circle.model import (
    Appreciation,
    Event,
    InboundRecord,
    Member,
    MemberStatus,
    Notice,
    QuarantineItem,
    Response,
    Story,
    StoryState,
)
from data.store import TinyStore
from tests.mailin_support import (
    CIRCLE,
    NOW,
    SECRET,
    dsn,
    make_config,
    our_mid,
    out_of_office,
    raw,
    seed,
    story,
    to_token,
)


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s, [story("s-bob1", "bob")])
    return s


def _ingest(store: TinyStore, *messages: bytes):
    mails = [InboundMail(m, hashlib.sha256(m).hexdigest(), uid=i + 1)
             for i, m in enumerate(messages)]
    return ingest_batch(store, mails, config=make_config(), secret=SECRET, now=NOW)


def test_story_gets_receipt_and_is_idempotent(store: TinyStore) -> None:
    data = raw("Ana <ana@example.org>", to_token("ana"), mid="story1@ana")
    report = _ingest(store, data, data)
    assert len(report.stories) == 1 and report.duplicates == 1
    (st,) = [s for s in store.all(Story) if s.member_id == "ana"]
    assert st.state == StoryState.PENDING and st.held_reasons == [] and st.round_id == "2026-11"
    (notice,) = store.all(Notice)
    assert (notice.kind, notice.ref_id, notice.member_id) == ("receipt", st.id, "ana")
    assert store.get(InboundRecord, "story1@ana").outcome == f"story:{st.id}"
    again = _ingest(store, data)
    assert again.duplicates == 1 and len(store.all(Story)) == 2


def test_from_only_story_is_held_as_unverified(store: TinyStore) -> None:
    _ingest(store, raw("cleo@example.org", mid="c1@cleo"))
    (st,) = [s for s in store.all(Story) if s.member_id == "cleo"]
    assert st.state == StoryState.HELD
    assert st.held_reasons[0].startswith("unverified_sender")


def test_reply_to_story_is_a_response_and_nests(store: TinyStore) -> None:
    first = raw("ana@example.org", to_token("ana", parent="s-bob1"), mid="r1@ana")
    report = _ingest(store, first)
    (rid,) = report.responses
    second = raw("bob@example.org", mid="r2@bob", in_reply_to=our_mid("bob", parent=rid))
    _ingest(store, second)
    by_id = {r.id: r for r in store.all(Response)}
    assert by_id[rid].story_id == "s-bob1" and by_id[rid].parent_id == "s-bob1"
    nested = next(r for r in by_id.values() if r.id != rid)
    assert (nested.story_id, nested.parent_id, nested.member_id) == ("s-bob1", rid, "bob")
    assert store.all(Notice) == []  # receipts are for stories


def test_unknown_and_forged_go_to_quarantine_without_notice(store: TinyStore) -> None:
    report = _ingest(store,
                     raw("eve@evil.example", mid="q1@eve"),
                     raw("bob@example.org", to_token("ana"), mid="q2@bob"),
                     raw("ana@example.org", "circle+aaaa.bbbb@circle.test", mid="q3@ana"))
    assert len(report.quarantined) == 3
    reasons = sorted(q.reason for q in store.all(QuarantineItem))
    assert any("unknown sender" in r for r in reasons)
    assert any("Ana Lima's" in r for r in reasons)
    assert any("did not verify" in r for r in reasons)
    assert store.all(Notice) == [] and len(store.all(Story)) == 1


def test_commands_apply_and_confirm(store: TinyStore) -> None:
    report = _ingest(store,
                     raw("ana@example.org", to_token("ana"), "PAUSE UNTIL 2026-12-01", " ",
                         mid="k1@ana"),
                     raw("bob@example.org", to_token("bob"), "Re: digest",
                         "THANKS Ana: for your patience", mid="k2@bob"))
    assert len(report.commands) == 2 and len(report.appreciations) == 1
    ana = store.get(Member, "ana")
    assert ana.status == MemberStatus.PAUSED and str(ana.paused_until) == "2026-12-01"
    (app,) = store.all(Appreciation)
    assert (app.from_member_id, app.to_member_id) == ("bob", "ana")
    kinds = sorted((n.member_id, n.kind) for n in store.all(Notice))
    assert kinds == [("ana", "confirmation"), ("bob", "confirmation")]


def test_bounces_count_and_pause_delivery(store: TinyStore) -> None:
    for i in range(3):  # each returns a mail we sent to Bob (our Message-ID in its headers)
        _ingest(store, dsn("bob@work.example", mid=f"b{i}@mx", returned=our_mid("bob")))
    bob = store.get(Member, "bob")
    assert len(bob.delivery_problems) == 3 and bob.delivery_problems[0].permanent
    assert bob.delivery_paused
    assert any(e.kind == "delivery_paused" for e in store.all(Event))
    assert store.all(Notice) == [] and store.all(QuarantineItem) == []


def test_auto_reply_never_becomes_a_story_and_may_pause(store: TinyStore) -> None:
    report = _ingest(store, out_of_office("ana@example.org", "20 November 2026", mid="o1@ana",
                                          in_reply_to=our_mid("ana")))
    assert report.auto_replies == 1 and report.stories == []
    ana = store.get(Member, "ana")
    assert ana.status == MemberStatus.PAUSED and str(ana.paused_until) == "2026-11-20"
    assert store.all(Notice) == []


def test_mail_from_our_own_address_is_never_answered(store: TinyStore) -> None:
    report = _ingest(store, raw(CIRCLE, "ana@example.org", mid="own@circle.test"),
                     raw("Circle <circle+x@circle.test>", mid="own2@circle.test"),
                     raw("ana@example.org", mid=our_mid("ana", unique="digest")))
    assert report.ignored == 3 and report.stories == [] and store.all(Notice) == []
    assert {r.outcome for r in store.all(InboundRecord)} == {"ignored:loop"}
