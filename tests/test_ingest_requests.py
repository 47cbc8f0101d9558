"""Requests in plain words through ingest: applied alone (identity rule), proposed in a story;
host answers count only in reply to a host invitation."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from circle.app import apply
from circle.app.ingest import InboundMail, ingest_batch
from circle.app.requests import AcceptSuggestion, DismissSuggestion
from circle.model import (
    Event,
    HostState,
    Member,
    MemberStatus,
    Notice,
    OutboxItem,
    QuarantineItem,
    Round,
    Story,
    StoryState,
    Visibility,
)
from circle.outbox import item_id
from data.store import TinyStore
from tests.mailin_support import (
    CIRCLE,
    NOW,
    ROUND,
    SECRET,
    make_config,
    our_mid,
    raw,
    seed,
    to_token,
)
from tests.mailin_support import story as seeded_story

STORY = ("When I started teaching I froze in front of the class, and a student quietly handed "
         "me the chalk. I still think about that small gesture every single week.")


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s, [seeded_story("s-ana1", "ana")])
    return s


def _ingest(store: TinyStore, *messages: bytes):
    mails = [InboundMail(m, hashlib.sha256(m).hexdigest(), uid=i + 1)
             for i, m in enumerate(messages)]
    return ingest_batch(store, mails, config=make_config(), secret=SECRET, now=NOW)


def test_a_verified_request_alone_is_applied_and_confirmed_with_its_undo(store) -> None:
    body = "Hallo,\nbitte pausiert meine Mails bis zum 1. März.\nLiebe Grüße\nAna"
    _ingest(store, raw("ana@example.org", to_token("ana"), body=body, mid="p1@ana"))
    ana = store.get(Member, "ana")
    assert ana.status == MemberStatus.PAUSED and ana.paused_until == date(2027, 3, 1)
    (notice,) = store.all(Notice)
    assert notice.kind == "confirmation" and notice.command == "PAUSE UNTIL 2027-03-01"
    assert "bis zum 1. März" in notice.detail and "2027-03-01" in notice.detail
    assert "reply RESUME" in notice.detail


def test_a_from_only_request_asks_for_confirmation_first(store) -> None:
    body = "Could you please pause my emails until March? Thanks, Ana"
    report = _ingest(store, raw("ana@example.org", CIRCLE, body=body, mid="p2@ana"))
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    assert len(report.quarantined) == 1
    (notice,) = store.all(Notice)
    assert notice.kind == "confirm_request" and notice.command == "PAUSE UNTIL 2027-03-01"
    assert "until March" in notice.detail


def test_a_request_inside_a_story_is_proposed_never_applied(store) -> None:
    body = f"Please keep this anonymous.\n\n{STORY}"
    report = _ingest(store, raw("ana@example.org", to_token("ana"), body=body, mid="a1@ana"))
    (sid,) = report.stories
    st = store.get(Story, sid)
    assert st.text == body and st.visibility == Visibility.CIRCLE
    assert (st.suggested_command, st.suggested_words) == ("ANONYMOUS",
                                                          "Please keep this anonymous.")
    assert any(e.kind == "suggestion" and sid in e.text for e in store.all(Event))
    (receipt,) = store.all(Notice)
    assert receipt.kind == "receipt" and "steward will look at that" in receipt.detail

    done = apply(store, AcceptSuggestion(post_id=sid), NOW)
    assert done.ok, done.refused
    st = store.get(Story, sid)
    assert st.visibility == Visibility.ANONYMOUS and st.suggested_command == ""
    confirm = next(n for n in store.all(Notice) if n.kind == "confirmation")
    assert "Please keep this anonymous." in confirm.detail and "reply SHARE" in confirm.detail
    again = apply(store, AcceptSuggestion(post_id=sid), NOW)
    assert not again.ok and "no request" in again.refused


def test_a_proposal_can_be_set_aside(store) -> None:
    body = f"Diesen Monat setze ich aus.\n\n{STORY}"
    (sid,) = _ingest(store, raw("ana@example.org", to_token("ana"), body=body,
                                mid="a2@ana")).stories
    assert store.get(Story, sid).suggested_command == "PASS"
    assert apply(store, DismissSuggestion(post_id=sid), NOW).ok
    assert store.get(Story, sid).suggested_command == ""
    assert all(r.passes == [] for r in store.all(Round))


@pytest.mark.parametrize("body", [
    "Stop.\n\n" + STORY,
    "Thanks Bob: your story made me think.\n\n" + STORY * 2,
])
def test_stories_that_open_with_a_command_word_or_thanks_stay_stories(store, body) -> None:
    report = _ingest(store, raw("ana@example.org", to_token("ana"), body=body, mid="s9@ana"))
    assert len(report.stories) == 1 and report.commands == []
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    assert store.get(Story, report.stories[0]).text == body


def test_a_yes_to_the_question_is_a_story_not_a_refused_host_answer(store) -> None:
    data = raw("ana@example.org", to_token("ana"), "Re: Would you host the December round?",
               body="Yes!", mid="y1@ana", in_reply_to=our_mid("ana", unique="question"))
    report = _ingest(store, data)
    assert len(report.stories) == 1 and report.commands == []
    assert store.get(Story, report.stories[0]).suggested_command == ""
    assert all(r.host_state == HostState.UNASKED for r in store.all(Round))
    assert [n.kind for n in store.all(Notice)] == ["receipt"]


def test_host_yes_in_reply_to_the_invitation_is_applied(store) -> None:
    mid = our_mid("ana", unique="invitation")
    store.put(OutboxItem(id=item_id("invitation", ROUND, "ana", mid), message_id=mid,
                         kind="invitation", recipient="ana@example.org", raw="(composed)",
                         created_at=NOW, round_id=ROUND, member_id="ana"))
    data = raw("ana@example.org", to_token("ana"), "Re: Would you host the December round?",
               body="Yes!\n\nHappy to.", mid="y2@ana", in_reply_to=mid)
    report = _ingest(store, data)
    assert report.commands == ["HOST YES"] and report.stories == []
    rnd = store.get(Round, ROUND)
    assert rnd.host_id == "ana" and rnd.host_state == HostState.ACCEPTED


def test_nothing_is_quarantined_twice_by_a_request(store) -> None:
    _ingest(store, raw("ana@example.org", CIRCLE, body="Please take me off the list.",
                       mid="x1@ana"))
    (held,) = store.all(QuarantineItem)
    assert held.reason.startswith("unverified_command")
    assert all(s.state != StoryState.HELD for s in store.all(Story))
