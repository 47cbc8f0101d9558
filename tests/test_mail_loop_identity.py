"""The hostile cases through the real mail loop on Dovecot: fetch → archive → ingest → flag."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_string, policy
from pathlib import Path

import pytest

from circle.app.rounds import plan_due_mail
from circle.model import (
    Event,
    InboundRecord,
    Member,
    MemberStatus,
    Notice,
    OutboxItem,
    QuarantineItem,
    Story,
)
from circle.reply_cap import AUTO_REPLY_CAP
from data.store import TinyStore
from mail.imap import ImapSource
from mail.loop import fetch_once
from tests.mailin_support import CIRCLE, NOW, SECRET, dsn, make_config, our_mid, raw, seed
from tests.mailservers import Mailbox

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s)
    return s


@pytest.fixture
def source(mailbox: Mailbox) -> Iterator[ImapSource]:
    with ImapSource(mailbox.settings(), backoff=0.05) as src:
        yield src


def _fetch(source: ImapSource, store: TinyStore, mailbox: Mailbox):
    return fetch_once(source, store, store.archive, make_config(mailbox.settings()), SECRET, NOW)


def test_hostile_inbox_over_imap(mailbox: Mailbox, source: ImapSource, store: TinyStore) -> None:
    forged_dsn = (HOSTILE / "forged_bounce.eml").read_bytes()
    for data in (
        (HOSTILE / "forged_stop.eml").read_bytes(),
        raw("cleo@example.org", CIRCLE, "PAUSE", " ", mid="pause@forged"),
        *(forged_dsn.replace(b"FORGED-DSN-ID", f"f{i}".encode()) for i in range(3)),
        *(dsn("bob@example.org", mid=f"real{i}@mx", returned=our_mid("bob")) for i in range(3)),
        (HOSTILE / "deep_multipart_200.eml").read_bytes(),
        (HOSTILE / "deep_multipart_1000.eml").read_bytes(),
        *(raw("Cleo <cleo@example.org>", CIRCLE, body=f"Forged {i}.", mid=f"s{i}@forged")
          for i in range(5)),
    ):
        mailbox.append(data)
    report = _fetch(source, store, mailbox)
    assert report.fetched == 15
    ana, bob, cleo = (store.get(Member, m) for m in ("ana", "bob", "cleo"))
    assert ana.status == MemberStatus.ACTIVE and not ana.delivery_paused  # forged STOP, DSNs
    assert ana.delivery_problems == []
    assert cleo.status == MemberStatus.ACTIVE  # forged PAUSE
    assert bob.delivery_paused and len(bob.delivery_problems) == 3  # real bounces of our mail
    reasons = sorted(q.reason.partition(":")[0] for q in store.all(QuarantineItem))
    assert reasons == ["unparseable", "unparseable", "unverified_command", "unverified_command"]
    assert len([e for e in store.all(Event) if e.kind == "bounce_unverified"]) == 3
    cleo_notices = [n for n in store.all(Notice) if n.member_id == "cleo"]
    assert len(cleo_notices) == AUTO_REPLY_CAP  # 1 confirmation request + 2 receipts, then cap
    assert len([s for s in store.all(Story) if s.member_id == "cleo"]) == 5  # none lost
    assert store.archive.count() == 15
    assert all(r.raw_sha in store.archive for r in store.all(InboundRecord))

    # Ana's confirmation request goes to her address; her reply to it applies the STOP
    plan_due_mail(store, NOW, make_config(), SECRET)
    (item,) = [i for i in store.all(OutboxItem) if i.kind == "confirm_request"
               and i.member_id == "ana"]
    request = message_from_string(item.raw, policy=policy.default)
    reply_to = str(request["Reply-To"]).rpartition("<")[2].rstrip(">")
    mailbox.append(raw("Ana Lima <ana@example.org>", reply_to, "Re: Please confirm: STOP",
                       "YES", mid="yes@ana", in_reply_to=str(request["Message-ID"]).strip("<>")))
    _fetch(source, store, mailbox)
    assert store.get(Member, "ana").status == MemberStatus.LEFT
    assert store.get(InboundRecord, "yes@ana").outcome == "command:STOP:applied:confirmed"
