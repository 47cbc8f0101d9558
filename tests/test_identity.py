"""Identity rule: From-only commands wait for a confirmed reply; bounces count only when ours."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest

from circle.app.ingest import InboundMail, ingest_batch
from circle.app.rounds import plan_due_mail
from circle.model import (
    Event,
    InboundRecord,
    Member,
    MemberStatus,
    Notice,
    OutboxItem,
    QuarantineItem,
    QuarantineState,
    Round,
    Story,
    StoryState,
    Visibility,
)
from circle.reply_cap import AUTO_REPLY_CAP
from circle.tokens import read_token, return_path, token_from_address
from data.store import TinyStore
from tests.mailin_support import (
    CIRCLE,
    NOW,
    SECRET,
    dsn,
    make_config,
    our_mid,
    raw,
    seed,
    story,
    to_token,
)

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s, [story("s-ana1", "ana")])
    return s


def _ingest(store: TinyStore, *messages: bytes, now=NOW):
    mails = [InboundMail(m, store.archive.save(m), uid=i + 1) for i, m in enumerate(messages)]
    return ingest_batch(store, mails, config=make_config(), secret=SECRET, now=now)


def _sent_to(store: TinyStore, kind: str) -> list[email.message.EmailMessage]:
    plan_due_mail(store, NOW, make_config(), SECRET)
    items = [i for i in store.all(OutboxItem) if i.kind == kind]
    return [email.message_from_string(i.raw, policy=email.policy.default) for i in items]


def _reply(to_msg: email.message.EmailMessage, body: str, mid: str,
           frm: str = "Ana Lima <ana@example.org>") -> bytes:
    reply_to = str(to_msg["Reply-To"]).rpartition("<")[2].rstrip(">")
    return raw(frm, reply_to, "Re: " + str(to_msg["Subject"]), body, mid=mid,
               in_reply_to=str(to_msg["Message-ID"]).strip("<>"))


def test_forged_stop_is_held_and_a_confirmation_goes_to_the_address_on_file(
        store: TinyStore) -> None:
    report = _ingest(store, (HOSTILE / "forged_stop.eml").read_bytes())
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    (held,) = store.all(QuarantineItem)
    assert held.reason.startswith("unverified_command: STOP was matched by the From address")
    (request,) = store.all(Notice)
    assert (request.kind, request.member_id, request.command) == ("confirm_request", "ana", "STOP")
    record = store.get(InboundRecord, "forged-stop-1@bulk.attacker.example")
    assert record.outcome == "command:STOP:awaiting_confirmation"
    assert report.quarantined == [held.id]
    (mail,) = _sent_to(store, "confirm_request")
    assert mail["To"].addresses[0].addr_spec == "ana@example.org"  # never the forger
    assert mail["Subject"] == "Please confirm: STOP"
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "reply YES to this email" in body and "stop receiving the circle's mail" in body
    token = token_from_address(str(mail["Reply-To"]).rpartition("<")[2].rstrip(">"))
    claim = read_token(SECRET, token or "")
    assert claim is not None and claim.parent_id == f"confirm:{request.id}"


def test_a_verified_yes_applies_it_once(store: TinyStore) -> None:
    _ingest(store, (HOSTILE / "forged_stop.eml").read_bytes())
    (mail,) = _sent_to(store, "confirm_request")
    yes = _reply(mail, "Yes\n\nOn Tue, Teachers' circle wrote:\n> Please confirm", "yes1@ana")
    _ingest(store, yes)
    assert store.get(Member, "ana").status == MemberStatus.LEFT
    assert store.get(InboundRecord, "yes1@ana").outcome == "command:STOP:applied:confirmed"
    (held,) = store.all(QuarantineItem)
    assert held.state == QuarantineState.DISMISSED and held.resolution.startswith("confirmed")
    done = [n for n in store.all(Notice) if n.kind == "confirmation"]
    assert [n.command for n in done] == ["STOP"]
    _ingest(store, _reply(mail, "YES", "yes2@ana"))  # a second YES does nothing more
    assert store.get(InboundRecord, "yes2@ana").outcome.startswith("ignored:already_confirmed")
    assert len([n for n in store.all(Notice) if n.kind == "confirmation"]) == 1


def test_an_answer_without_yes_changes_nothing_and_the_steward_sees_it(
        store: TinyStore) -> None:
    _ingest(store, raw("ana@example.org", CIRCLE, "PAUSE", " ", mid="p1@forged"))
    (mail,) = _sent_to(store, "confirm_request")
    _ingest(store, _reply(mail, "No! I never sent this.", "no1@ana"))
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    reasons = sorted(q.reason for q in store.all(QuarantineItem))
    assert reasons[0].startswith("confirmation_not_given")


def test_the_forger_cannot_confirm_without_the_token(store: TinyStore) -> None:
    _ingest(store, raw("ana@example.org", CIRCLE, "STOP", " ", mid="s1@forged"))
    _ingest(store, raw("ana@example.org", CIRCLE, "Re: Please confirm: STOP", "YES",
                       mid="s2@forged"))
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    # the forged "YES" (no token) is not a confirmation: no command confirmation is sent; it
    # is kept like any From-matched reply, held as unverified for the steward
    assert not [n for n in store.all(Notice) if n.kind == "confirmation"]
    held = [s for s in store.all(Story) if s.message_id.strip("<>") == "s2@forged"]
    assert held and all("unverified" in " ".join(s.held_reasons) for s in held)


def test_a_stale_confirmation_does_not_apply(store: TinyStore) -> None:
    _ingest(store, raw("ana@example.org", CIRCLE, "STOP", " ", mid="s1@forged"))
    (mail,) = _sent_to(store, "confirm_request")
    _ingest(store, _reply(mail, "YES", "late@ana"), now=NOW + timedelta(days=15))
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    assert any(q.reason.startswith("confirmation_expired") for q in store.all(QuarantineItem))


@pytest.mark.parametrize(("command", "check"), [
    ("PAUSE UNTIL 2026-12-01", lambda s: s.get(Member, "ana").status == MemberStatus.ACTIVE),
    ("PRIVATE", lambda s: s.get(Story, "s-ana1").visibility == Visibility.CIRCLE),
    ("PASS", lambda s: all(r.passes == [] for r in s.all(Round))),
])
def test_from_only_status_consent_and_hosting_commands_are_not_applied(
        store: TinyStore, command: str, check) -> None:
    report = _ingest(store, raw("Ana <ana@example.org>", CIRCLE, command, " ", mid="c1@forged"))
    assert check(store)
    assert report.commands == [] and len(report.quarantined) == 1
    assert [n.kind for n in store.all(Notice)] == ["confirm_request"]


def test_from_only_host_yes_is_no_invitation_answer_but_a_held_story(store: TinyStore) -> None:
    """HOST YES counts only in reply to a host invitation; a From-only one cannot be one."""
    report = _ingest(store, raw("Ana <ana@example.org>", CIRCLE, "HOST YES", " ", mid="c1@forged"))
    assert all(r.host_id is None for r in store.all(Round))
    assert report.commands == [] and len(report.stories) == 1
    (st,) = [s for s in store.all(Story) if s.member_id == "ana" and s.id != "s-ana1"]
    assert st.state == StoryState.HELD and st.suggested_command == "HOST YES"
    assert "confirm_request" not in [n.kind for n in store.all(Notice)]


def test_verified_commands_still_apply_at_once(store: TinyStore) -> None:
    _ingest(store, raw("ana@example.org", to_token("ana"), "PRIVATE", " ", mid="v1@ana"))
    assert store.get(Story, "s-ana1").visibility == Visibility.STEWARD
    assert [n.kind for n in store.all(Notice)] == ["confirmation"]


def test_help_needs_no_confirmation(store: TinyStore) -> None:
    _ingest(store, raw("ana@example.org", CIRCLE, "HELP", " ", mid="h1@ana"))
    assert [n.kind for n in store.all(Notice)] == ["help"]


def test_forged_bounces_pause_nobody(store: TinyStore) -> None:
    forged = (HOSTILE / "forged_bounce.eml").read_bytes()
    copies = [forged.replace(b"FORGED-DSN-ID", f"forged-{i}".encode()) for i in range(5)]
    report = _ingest(store, *copies, dsn("ana@example.org", mid="plain@mx"))
    ana = store.get(Member, "ana")
    assert not ana.delivery_paused and ana.delivery_problems == []
    assert report.bounces == 6
    events = [e for e in store.all(Event) if e.kind == "bounce_unverified"]
    assert len(events) == 6 and "not tied to mail the circle sent" in events[0].text
    assert {r.outcome for r in store.all(InboundRecord)} == {"bounce:unverified"}


def test_a_real_bounce_of_our_mail_still_counts(store: TinyStore) -> None:
    for i in range(3):
        _ingest(store, dsn("ana@example.org", mid=f"real{i}@mx", returned=our_mid("ana")))
    ana = store.get(Member, "ana")
    assert ana.delivery_paused and len(ana.delivery_problems) == 3


def test_a_bounce_to_the_verp_return_path_counts(store: TinyStore) -> None:
    verp = return_path(CIRCLE, our_mid("ana"))
    assert verp.startswith("circle+b-") and verp.endswith("@circle.test")
    _ingest(store, dsn("ana@example.org", mid="verp1@mx", to=verp))
    assert len(store.get(Member, "ana").delivery_problems) == 1
    assert store.get(InboundRecord, "verp1@mx").outcome == "bounce:ana"


def test_a_bounce_with_another_members_token_does_not_hit_the_named_address(
        store: TinyStore) -> None:
    _ingest(store, dsn("ana@example.org", mid="x1@mx", returned=our_mid("bob")))
    assert store.get(Member, "ana").delivery_problems == []
    assert store.get(Member, "bob").delivery_problems[0].address == "bob@example.org"


def test_forged_out_of_office_pauses_nobody(store: TinyStore) -> None:
    from tests.mailin_support import out_of_office

    _ingest(store, out_of_office("ana@example.org", "20 November 2026", mid="ooo@forged"))
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE


def test_receipts_are_capped_per_member_per_day(store: TinyStore) -> None:
    forged = [raw("Ana Lima <ana@example.org>", CIRCLE, body=f"Forged story {i}.",
                  mid=f"f{i}@forged") for i in range(5)]
    report = _ingest(store, *forged)
    assert len(report.stories) == 5  # nothing is lost: all held for the steward
    receipts = [n for n in store.all(Notice) if n.member_id == "ana"]
    assert len(receipts) == AUTO_REPLY_CAP == 3
    capped = [e for e in store.all(Event) if e.kind == "auto_reply_capped"]
    assert len(capped) == 5 - AUTO_REPLY_CAP and "Ana Lima" in capped[0].text
    assert len(_sent_to(store, "receipt")) == AUTO_REPLY_CAP
    _ingest(store, raw("ana@example.org", CIRCLE, mid="later@forged"))  # same day, later batch
    assert len([n for n in store.all(Notice) if n.member_id == "ana"]) == AUTO_REPLY_CAP
    _ingest(store, raw("ana@example.org", CIRCLE, mid="next@ana"), now=NOW + timedelta(days=1))
    assert len([n for n in store.all(Notice) if n.member_id == "ana"]) == AUTO_REPLY_CAP + 1


def test_confirmation_requests_are_capped_too(store: TinyStore) -> None:
    _ingest(store, *[raw("ana@example.org", CIRCLE, "STOP", " ", mid=f"s{i}@forged")
                     for i in range(6)])
    assert len([n for n in store.all(Notice) if n.kind == "confirm_request"]) == AUTO_REPLY_CAP
    assert len(store.all(QuarantineItem)) == 6  # every one recorded for the steward


def test_the_cap_is_the_stewards_to_set(store: TinyStore) -> None:
    """`[circle] auto_replies_per_day = 1`: one receipt a day, the rest logged."""
    from circle.config import config_from_dict

    doc = {"circle": {"name": "C", "slug": "c", "address": CIRCLE,
                      "steward_email": "steward@circle.test", "auto_replies_per_day": 1}}
    assert config_from_dict(doc).auto_replies_per_day == 1
    forged = [raw("Ana Lima <ana@example.org>", CIRCLE, body=f"Forged story {i}.",
                  mid=f"g{i}@forged") for i in range(3)]
    mails = [InboundMail(m, store.archive.save(m), uid=i + 1) for i, m in enumerate(forged)]
    ingest_batch(store, mails, config=make_config(auto_replies_per_day=1), secret=SECRET,
                 now=NOW)
    assert len([n for n in store.all(Notice) if n.member_id == "ana"]) == 1
    assert len([e for e in store.all(Event) if e.kind == "auto_reply_capped"]) == 2
