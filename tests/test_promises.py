"""Every email states only what the circle will do (issue 14, item 1).

Each test composes an email from a state through the real use-cases, then runs the month
forward (ingest, plan_due_mail, the steward's intents, queue_digest) and checks that what the
member was told is what happened.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from circle.app import apply
from circle.app.ingest import InboundMail, ingest_batch
from circle.app.intents import MarkAppreciation, ReviewPost, SetDigestNote
from circle.app.rounds import approve_digest, plan_due_mail, queue_digest
from circle.compose.message import member_token
from circle.compose.templates import DEFAULTS
from circle.config import Config
from circle.model import (
    Appreciation,
    HostState,
    Member,
    OutboxItem,
    QuarantineItem,
    Response,
    Round,
    Story,
    StoryState,
)
from circle.parsing.commands import HOST_WORDS, parse_command_line
from circle.tokens import reply_address
from data.store import TinyStore
from tests.mailout_world import SECRET, accept_host, make_config, seed

pytest_plugins = ["tests.smtp_server"]

NOV, DEC = "2026-11", "2026-12"


@pytest.fixture
def world(tmp_path: Path) -> tuple[TinyStore, Config]:
    config = make_config()
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    dec = store.get(Round, DEC)
    assert dec is not None
    store.put(replace(dec, question="What are you carrying into the new year?",
                      question_approved=True))
    return store, config


def _times(store: TinyStore, round_id: str) -> dict[str, datetime]:
    rnd = store.get(Round, round_id)
    assert rnd is not None
    return rnd.timeline


def _member(store: TinyStore, member_id: str) -> Member:
    member = store.get(Member, member_id)
    assert member is not None
    return member


def _send_in(store: TinyStore, config: Config, member_id: str, body: str, *, round_id: str,
             parent: str = "", subject: str = "Re: the question", at: datetime,
             in_reply_to: str = "") -> None:
    """`member_id` replies to one of the circle's emails (its token in the address)."""
    member = _member(store, member_id)
    to = reply_address(config.address, member_token(SECRET, member, round_id, parent))
    mid = f"{hashlib.sha256(body.encode()).hexdigest()[:12]}@{member_id}.example"
    raw = (f"From: {member.name.splitlines()[0]} <{member.email}>\r\nTo: {to}\r\n"
           f"Subject: {subject}\r\nMessage-ID: <{mid}>\r\nDate: {format_datetime(at)}\r\n"
           + (f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else "") +
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + body.replace("\n", "\r\n") + "\r\n").encode()
    ingest_batch(store, [InboundMail(raw, hashlib.sha256(raw).hexdigest())], config=config,
                 secret=SECRET, now=at)


def _text(item: OutboxItem) -> str:
    msg = message_from_bytes(item.raw.encode() if isinstance(item.raw, str) else item.raw,
                             policy=policy.default)
    assert isinstance(msg, EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def _mail(store: TinyStore, kind: str, member_id: str, round_id: str | None = None) -> str:
    found = [i for i in store.all(OutboxItem) if i.kind == kind and i.member_id == member_id
             and (round_id is None or i.round_id == round_id)]
    assert found, f"no {kind} to {member_id}"
    return _text(found[-1])


def _send_digest(store: TinyStore, config: Config, round_id: str, at: datetime) -> None:
    approve_digest(store, round_id)
    assert queue_digest(store, at, config, SECRET, round_id=round_id)


def test_thanks_confirmation_names_the_digest_and_the_digest_celebrates_it(world):
    store, config = world
    t = _times(store, NOV)
    plan_due_mail(store, t["question"], config, SECRET)
    _send_in(store, config, "ben", "THANKS Ana: for a question that kept me honest",
             round_id=NOV, at=t["question"] + timedelta(days=2))
    plan_due_mail(store, t["question"] + timedelta(days=2, minutes=1), config, SECRET)

    told = _mail(store, "confirmation", "ben")
    assert "celebrations of the November 2026 digest" in told
    (thanks,) = store.all(Appreciation)
    assert (thanks.round_id, thanks.state) == (NOV, StoryState.APPROVED)

    _send_digest(store, config, NOV, t["digest_due"])
    digest = _mail(store, "digest", "chloe", NOV)
    assert "Ben Hughes thanks Ana María Ruiz: for a question that kept me honest" in digest


def test_thanks_after_the_digest_goes_to_the_next_digest(world):
    store, config = world
    t = _times(store, NOV)
    plan_due_mail(store, t["question"], config, SECRET)
    store.put(Story("s-ben", NOV, "ben", "A story so the digest is not empty.",
                    t["question"] + timedelta(days=1), state=StoryState.APPROVED))
    _send_digest(store, config, NOV, t["digest_due"])
    _send_in(store, config, "chloe", "THANKS Ben: for listening at the gathering",
             round_id=NOV, at=t["gathering"] + timedelta(hours=3))
    plan_due_mail(store, t["gathering"] + timedelta(hours=4), config, SECRET)
    assert "celebrations of the December 2026 digest" in _mail(store, "confirmation", "chloe")

    _send_digest(store, config, DEC, _times(store, DEC)["digest_due"])
    assert "Chloé Martin thanks Ben Hughes: for listening" in _mail(store, "digest", "dee", DEC)


def test_a_late_story_is_told_which_digest_and_appears_in_it(world):
    store, config = world
    t = _times(store, NOV)
    plan_due_mail(store, t["question"], config, SECRET)
    store.put(Story("s-ben", NOV, "ben", "On time.", t["question"] + timedelta(days=1),
                    state=StoryState.APPROVED))
    _send_digest(store, config, NOV, t["digest_due"])

    late = "The week after the deadline I finally had the conversation with my brother."
    _send_in(store, config, "chloe", late, round_id=NOV, at=t["digest_due"] + timedelta(days=1))
    plan_due_mail(store, t["digest_due"] + timedelta(days=1, minutes=1), config, SECRET)
    receipt = _mail(store, "receipt", "chloe")
    assert "the December 2026 digest" in receipt
    assert "this month's digest" not in receipt
    (story,) = [s for s in store.all(Story) if s.member_id == "chloe"]
    assert (story.round_id, story.state, story.held_reasons) == (DEC, StoryState.PENDING, [])

    assert late not in _mail(store, "digest", "dee", NOV)
    assert apply(store, ReviewPost(story.id, "approve"), t["gathering"]).ok
    dec = _times(store, DEC)
    plan_due_mail(store, dec["question"], config, SECRET)
    _send_digest(store, config, DEC, dec["digest_due"])
    assert late in _mail(store, "digest", "dee", DEC)


def test_a_response_to_an_earlier_story_continues_in_the_next_digest(world):
    store, config = world
    t = _times(store, NOV)
    plan_due_mail(store, t["question"], config, SECRET)
    store.put(Story("s-ben", NOV, "ben", "I listened instead of defending my plan.",
                    t["question"] + timedelta(days=1), state=StoryState.APPROVED))
    _send_digest(store, config, NOV, t["digest_due"])

    words = "Ben, I tried your way of listening with my team and it worked."
    _send_in(store, config, "dee", words, round_id=NOV, parent="s-ben",
             subject="Re: Ben's story", at=t["gathering"] + timedelta(days=2))
    (response,) = store.all(Response)
    assert (response.story_id, response.round_id) == ("s-ben", DEC)
    assert apply(store, ReviewPost(response.id, "approve"), t["gathering"]).ok

    dec = _times(store, DEC)
    plan_due_mail(store, dec["question"], config, SECRET)
    _send_digest(store, config, DEC, dec["digest_due"])
    digest = _mail(store, "digest", "chloe", DEC)
    assert "Continuing conversations" in digest
    assert "Ben Hughes's story from November 2026" in digest
    assert "I listened instead of defending my plan." in digest
    assert words in digest
    assert words not in _mail(store, "digest", "chloe", NOV)


def test_one_vocabulary_for_host_replies():
    listed = {w for w in re.findall(r"^\s+([A-Z][A-Z ]*?[A-Z])\s{2,}", DEFAULTS["invitation"],
                                    re.MULTILINE)}
    assert listed == set(HOST_WORDS)
    help_text = DEFAULTS["help"]
    for word, name in HOST_WORDS.items():
        assert word in help_text
        command = parse_command_line(word, host_invitation=True)
        assert command is not None and command.name == name
    for short, name in (("YES", "HOST_YES"), ("NO", "HOST_NO")):
        command = parse_command_line(short, host_invitation=True)
        assert command is not None and command.name == name


def test_host_yes_to_the_invitation_makes_the_host(world):
    store, config = world
    dec = store.get(Round, DEC)
    assert dec is not None
    store.put(replace(dec, host_id=None, host_state=HostState.UNASKED))
    plan_due_mail(store, _times(store, DEC)["host_invite"], config, SECRET)
    (invite,) = [i for i in store.all(OutboxItem) if i.kind == "invitation"]
    assert "HOST YES" in _text(invite)
    _send_in(store, config, invite.member_id, "HOST YES", round_id=DEC,
             subject="Re: Would you host the December 2026 round?",
             at=_times(store, DEC)["host_invite"] + timedelta(hours=2),
             in_reply_to=invite.message_id)  # as every mail client does
    after = store.get(Round, DEC)
    assert after is not None
    assert (after.host_id, after.host_state) == (invite.member_id, HostState.ACCEPTED)


@pytest.mark.parametrize(("reason", "sentence"), [
    ("too_long: 312 words (the limit is 300)", "It is 312 words long; the circle's limit is 300."),
    ("late: arrived after the digest of 2026-11 was sent on 2026-11-23",
     "It arrived after the digest of 2026-11 was sent on 2026-11-23."),
    ("member_paused: Ana is paused until 2026-12-01", "Ana is paused until 2026-12-01."),
    ("another_story: 1 earlier story this round",
     "The member already sent a story this round (a second one, or the same one again)."),
    ("held by the steward", "Held by the steward."),
    ("unmatched", "It matches no member and answers none of the circle's emails."),
])
def test_held_reasons_read_as_sentences(reason, sentence):
    from circle.reasons import plain_reason

    assert plain_reason(reason) == sentence
    assert "_" not in plain_reason(reason)


# -- the digest keeps its promises (issue 14, item 7) ---------------------------------------
def _digest_body(store: TinyStore, member_id: str, round_id: str) -> str:
    """The plain-text part of `member_id`'s digest, lines kept."""
    (item,) = [i for i in store.all(OutboxItem) if i.kind == "digest"
               and i.member_id == member_id and i.round_id == round_id]
    msg = message_from_bytes(item.raw.encode(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _reply_links(body: str) -> list[str]:
    return [line.strip("<>") for line in body.splitlines() if line.startswith("<mailto:")]


def _on_time_story(store: TinyStore, config: Config) -> dict[str, datetime]:
    t = _times(store, NOV)
    plan_due_mail(store, t["question"], config, SECRET)
    store.put(Story("s-ben", NOV, "ben", "I listened instead of defending my plan.",
                    t["question"] + timedelta(days=1), state=StoryState.APPROVED))
    return t


def test_the_stewards_note_opens_the_digest(world):
    store, config = world
    t = _on_time_story(store, config)
    note = "Thank you all for a month of brave stories. We meet in the garden room."
    assert apply(store, SetDigestNote(NOV, note), t["digest_due"]).ok
    _send_digest(store, config, NOV, t["digest_due"])
    body = _digest_body(store, "chloe", NOV)
    assert "A note from Maya Okafor" in body
    flat = " ".join(body.split())
    assert note in flat
    assert flat.index(note) < flat.index("This month's gathering") < flat.index("Stories")
    # once sent, a note would reach nobody: refused, the digest unchanged
    late = apply(store, SetDigestNote(NOV, "too late"), t["digest_due"])
    assert not late.ok and "already sent" in late.refused


def test_a_steward_marked_appreciation_is_celebrated(world):
    store, config = world
    t = _on_time_story(store, config)
    marked = apply(store, MarkAppreciation("s-ben", "Ana", "for asking the question that "
                                           "let me listen"), t["digest_due"])
    assert marked.ok and "will be in the November 2026 digest" in marked.message
    _send_digest(store, config, NOV, t["digest_due"])
    body = " ".join(_digest_body(store, "dee", NOV).split())
    celebrating = body.split("Celebrating")[1]
    assert ("Ben Hughes thanks Ana María Ruiz: for asking the question that let me listen"
            in celebrating)


def test_each_reply_link_fits_one_line_and_answers_its_story_as_its_member(world):
    store, config = world
    t = _on_time_story(store, config)
    store.put(Story("s-chloe", NOV, "chloe", "A second story, from Chloé.",
                    t["question"] + timedelta(days=2), state=StoryState.APPROVED))
    _send_digest(store, config, NOV, t["digest_due"])
    body = _digest_body(store, "dee", NOV)
    assert all(len(line) <= 72 for line in body.splitlines())
    links = _reply_links(body)
    assert len(links) == 2 and "Reply to Ben's story:" in body
    address = links[0].removeprefix("mailto:").split("?")[0]
    assert address.startswith("circle+r-")

    at = t["digest_due"] + timedelta(hours=3)
    _send_to(store, "dee", address, "Ben, I tried your way of listening and it worked.", at)
    (response,) = store.all(Response)
    assert (response.member_id, response.story_id, response.parent_id) == (
        "dee", "s-ben", "s-ben")

    # bound to the member: dee's key from chloe's address is not chloe's reply
    _send_to(store, "chloe", address, "Chloé writing with Dee's link.", at)
    # and unguessable: a key of the right shape that was never minted verifies nothing
    _send_to(store, "chloe", "circle+r-aaaaaaaaaa@example.org", "A guessed key.", at)
    assert len(store.all(Response)) == 1
    reasons = sorted(q.reason for q in store.all(QuarantineItem))
    assert len(reasons) == 2
    assert any("reply token is Dee Walker's" in r for r in reasons)
    assert any("did not verify" in r for r in reasons)


def test_a_long_token_from_an_older_digest_still_resolves(world):
    store, config = world
    t = _on_time_story(store, config)
    old = reply_address(config.address, member_token(SECRET, _member(store, "dee"), NOV,
                                                     "s-ben"))
    _send_to(store, "dee", old, "Replying from last year's kind of link.",
             t["digest_due"] + timedelta(hours=1))
    (response,) = store.all(Response)
    assert (response.member_id, response.story_id) == ("dee", "s-ben")


def _send_to(store: TinyStore, member_id: str, to: str, body: str, at: datetime) -> None:
    member = _member(store, member_id)
    mid = f"{hashlib.sha256((to + body).encode()).hexdigest()[:12]}@{member_id}.example"
    raw = (f"From: {member.name} <{member.email}>\r\nTo: {to}\r\nSubject: Re: a story\r\n"
           f"Message-ID: <{mid}>\r\nDate: {format_datetime(at)}\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    ingest_batch(store, [InboundMail(raw, hashlib.sha256(raw).hexdigest())],
                 config=make_config(), secret=SECRET, now=at)


async def test_sent_to_n_is_said_only_after_n_were_sent(tmp_path: Path, smtp_server):
    from circle.app.digests import digest_delivery
    from mail.send import send_outbox
    from mail.smtp import SmtpSink

    config = make_config(smtp_server.port)
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    t = _on_time_story(store, config)
    questions = [i for i in store.all(OutboxItem) if i.kind == "question"]
    assert questions
    _send_digest(store, config, NOV, t["digest_due"])
    queued = digest_delivery(store.all(OutboxItem, bodies=False), NOV)
    assert (queued.sent, queued.done) == (0, False) and queued.waiting == 7
    async with SmtpSink(config.smtp) as sink:
        await send_outbox(store, sink, t["digest_due"], sender=config.address)
    after = digest_delivery(store.all(OutboxItem, bodies=False), NOV)
    got = [r for r in smtp_server.handler.received if b"digest for November" in r.raw]
    assert after.done and after.sent == len(got) == 7
    assert after.last_sent_at == t["digest_due"]


def test_an_appreciation_marked_after_its_digest_went_is_in_the_next_one(world):
    store, config = world
    t = _on_time_story(store, config)
    _send_digest(store, config, NOV, t["digest_due"])
    marked = apply(store, MarkAppreciation("s-ben", "Chloé", "for the tea and the listening"),
                   t["gathering"] + timedelta(hours=2))
    assert marked.ok and "will be in the December 2026 digest" in marked.message
    dec = _times(store, DEC)
    plan_due_mail(store, dec["question"], config, SECRET)
    _send_digest(store, config, DEC, dec["digest_due"])
    body = " ".join(_digest_body(store, "dee", DEC).split())
    assert "Ben Hughes thanks Chloé Martin: for the tea and the listening" in body
