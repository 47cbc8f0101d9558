"""A full round through a real SMTP server: invitation, YES, question, reminder, digest."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from circle.app.rounds import approve_digest, plan_due_mail, queue_digest
from circle.model import Member, Notice, OutboxItem, OutboxState, ReplyKey, Round
from circle.tokens import read_token, token_from_address
from mail.smtp import SmtpSink, send_outbox
from tests.mailout_world import SECRET, accept_host, make_config, seed, seed_stories

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

GOLDEN = Path(__file__).parent / "golden" / "round"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


async def _send(store, config, server: SmtpServer, now) -> None:
    async with SmtpSink(config.smtp) as sink:
        report = await send_outbox(store, sink, now, sender=config.address)
    assert report.failed_temporary == report.failed_permanent == 0


def _parse(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


async def test_full_round_produces_the_expected_emails(tmp_path: Path, smtp_server: SmtpServer):
    config = make_config(smtp_server.port)
    store = seed(tmp_path / "data", config)
    rnd = store.get(Round, "2026-11")
    assert rnd is not None
    times = rnd.timeline

    # T-28: the host invitation goes to one candidate; running twice queues nothing more
    items = plan_due_mail(store, times["host_invite"], config, SECRET)
    assert [(i.kind, i.member_id) for i in items] == [("invitation", "ana")]
    assert plan_due_mail(store, times["host_invite"] + timedelta(minutes=5), config, SECRET) == []
    await _send(store, config, smtp_server, times["host_invite"])

    # Ana replies YES and sends her question; the steward approves it
    accept_host(store)
    # T-14: the question to every member who receives mail (not the paused one)
    items = plan_due_mail(store, times["question"], config, SECRET)
    assert sorted(i.member_id for i in items if i.kind == "question") == [
        "ana", "ben", "chloe", "dee", "eve", "gus", "maya"]
    await _send(store, config, smtp_server, times["question"])

    # replies arrive (stories seeded as the mail loop and steward left them) + a receipt notice
    seed_stories(store, times["question"] + timedelta(days=1))
    store.put(Notice("n-1", "receipt", "ben", times["question"] + timedelta(days=1),
                     round_id="2026-11", ref_id="s-ben", in_reply_to="CAF+ben-reply@mail.example"))
    store.put(Notice("n-2", "confirmation", "maya", times["question"] + timedelta(days=1),
                     round_id="2026-11", command="PASS", detail="you pass round 2026-11"))
    # T-5: one reminder, only to who neither replied nor passed (not the host either)
    items = plan_due_mail(store, times["reminder"], config, SECRET)
    assert sorted((i.kind, i.member_id) for i in items) == [
        ("confirmation", "maya"), ("receipt", "ben"), ("reminder", "eve")]
    assert all(n.handled for n in store.all(Notice))
    await _send(store, config, smtp_server, times["reminder"])

    # T-2: the steward approves the digest and sends it
    approve_digest(store, "2026-11")
    items = queue_digest(store, times["digest_due"], config, SECRET)
    assert len(items) == 7
    assert queue_digest(store, times["digest_due"], config, SECRET) == []  # idempotent
    await _send(store, config, smtp_server, times["digest_due"])

    outbox = sorted(store.all(OutboxItem), key=lambda i: (i.created_at, i.kind, i.member_id))
    assert all(i.state == OutboxState.SENT for i in outbox)
    received = {r.message_id: r for r in smtp_server.handler.received}
    assert len(received) == len(outbox) == 1 + 7 + 3 + 7  # each sent exactly once
    GOLDEN.mkdir(parents=True, exist_ok=True)
    names = set()
    for n, item in enumerate(outbox):
        raw = item.raw.encode("ascii")
        got = received[item.message_id]
        assert got.rcpt == [item.recipient]  # one message per member, nobody else's address
        assert got.raw.replace(b"\r\n", b"\n").rstrip() == raw.replace(b"\r\n", b"\n").rstrip()
        name = f"{n:02d}-{item.kind}-{item.member_id}.eml"
        names.add(name)
        if UPDATE or not (GOLDEN / name).exists():
            (GOLDEN / name).write_bytes(raw)
        assert (GOLDEN / name).read_bytes() == raw, f"{name} differs from its golden file"
    assert names == {p.name for p in GOLDEN.glob("*.eml")}

    _check_question(received, outbox)
    _check_digest(received, outbox, store)


def _one(outbox: list[OutboxItem], kind: str, member: str) -> OutboxItem:
    return next(i for i in outbox if i.kind == kind and i.member_id == member)


def _check_question(received, outbox) -> None:
    q = _parse(received[_one(outbox, "question", "ben").message_id].raw)
    assert q.get_content_type() == "multipart/mixed"
    parts = list(q.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/calendar"]
    assert "Ana Mar" in str(q["From"]) and "via Practitioners' Circle" in str(q["From"])
    assert q["Auto-Submitted"] == "auto-generated"
    assert q["List-Unsubscribe"].startswith("<mailto:circle+")
    assert q["List-Unsubscribe"].endswith("?subject=STOP>")
    assert q["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "practitioners.example.org" in q["List-Id"]
    claim = read_token(SECRET, token_from_address(q["Reply-To"].addresses[0].addr_spec) or "")
    assert claim is not None and (claim.member_id, claim.round_id) == ("ben", "2026-11")
    ics = parts[1].get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "METHOD:PUBLISH" in ics and "UID:gathering-2026-11.practitioners@example.org" in ics
    assert "DTSTART;TZID=Europe/London:20261125T180000" in ics
    assert parts[1].get_param("method") == "PUBLISH"
    # the reminder threads under the member's question
    rem = _parse(received[_one(outbox, "reminder", "eve").message_id].raw)
    assert rem["In-Reply-To"] == f"<{_one(outbox, 'question', 'eve').message_id}>"
    assert "Bcc" not in rem and len(rem["To"].addresses) == 1
    receipt = _parse(received[_one(outbox, "receipt", "ben").message_id].raw)
    assert receipt["In-Reply-To"] == "<CAF+ben-reply@mail.example>"
    assert "reply PRIVATE" in receipt.get_content()


def _check_digest(received, outbox, store) -> None:
    d = _parse(received[_one(outbox, "digest", "dee").message_id].raw)
    assert d.get_content_type() == "multipart/alternative"
    text_part, html_part = d.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    text, html = text_part.get_content(), html_part.get_content()
    assert all(len(line) <= 72 for line in text.splitlines())  # reply links too (short keys)
    assert "Ben Hughes" in text and "A member of the circle" in text
    assert "Chloé" not in text.split("Celebrating")[0]  # anonymous story: no name
    assert "only for Maya" not in text and "only for Maya" not in html  # steward-only
    assert "Not yet reviewed" not in text and "(held)" not in text
    assert '<html lang="en">' in html and "<h1>" in html and "<h2" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html
    dee = store.get(Member, "dee")
    assert dee is not None
    links = [line.strip("<>") for line in text.splitlines() if line.startswith("<mailto:")]
    assert len(links) == 3
    first = links[0].removeprefix("mailto:").split("?")[0]
    key = store.get(ReplyKey, token_from_address(first) or "")  # a short key, looked up
    assert key is not None and (key.member_id, key.parent_id) == ("dee", "s-ben")
    assert replace(dee) == dee
