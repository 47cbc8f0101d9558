"""MY STORIES replies with the full text of the member's own stories (issue 16, item 2):
oldest first with round and question, archived years included, withdrawn ones and other
members' words never; as a plain-text attachment when long."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from circle.app.ingest import InboundMail, ingest_batch
from circle.app.rounds import plan_due_mail
from circle.compose.message import member_token
from circle.compose.my_stories import ATTACHMENT_NAME, LONG_BYTES
from circle.config import Config
from circle.model import Member, OutboxItem, Response, Round, Story, StoryState, Visibility
from circle.tokens import reply_address
from data.store import TinyStore
from tests.mailout_world import SECRET, accept_host, make_config, seed

NOV = "2026-11"


def _world(tmp_path: Path) -> tuple[TinyStore, Config, datetime]:
    config = make_config()
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    nov = store.get(Round, NOV)
    oct_ = store.get(Round, "2026-10")
    assert nov is not None and oct_ is not None
    at = nov.timeline["question"] + timedelta(days=1)
    store.put_many([
        Story("s-ben-nov", NOV, "ben", "November: I listened instead of fixing.", at,
              state=StoryState.APPROVED),
        Story("s-ben-gone", NOV, "ben", "This one I took back.", at + timedelta(hours=1),
              state=StoryState.WITHDRAWN),
        Story("s-ben-private", NOV, "ben", "Only for the steward, but mine.",
              at + timedelta(hours=2), visibility=Visibility.STEWARD),
        Story("s-ana", NOV, "ana", "Ana's words, not Ben's.", at),
        Response("r-ana", "s-ben-nov", "s-ben-nov", NOV, "ana", "Ana answers Ben.", at),
    ])
    # A story from an earlier year, in the archive with its round.
    old_round = Round(id="2025-03", gathering=datetime(2025, 3, 26, 18, tzinfo=nov.gathering.tzinfo),
                      question="What did spring teach you?", question_approved=True)
    old = Story("s-ben-2025", "2025-03", "ben", "Edited by the steward.",
                old_round.gathering - timedelta(days=5), original_text="Spring: my first story.",
                state=StoryState.APPROVED)
    store.put_many([old_round, old])
    assert store.move_to_archive(2025, [old_round, old]) == 2
    assert oct_.question
    return store, config, at + timedelta(days=1)


def _ask(store: TinyStore, config: Config, at: datetime) -> EmailMessage:
    member = store.get(Member, "ben")
    assert member is not None
    to = reply_address(config.address, member_token(SECRET, member, NOV))
    raw = (f"From: Ben <ben@example.org>\r\nTo: {to}\r\nSubject: MY STORIES\r\n"
           f"Message-ID: <ask-{at.timestamp()}@ben.example>\r\nDate: {format_datetime(at)}\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMY STORIES\r\n"
           ).encode()
    report = ingest_batch(store, [InboundMail(raw, hashlib.sha256(raw).hexdigest())],
                          config=config, secret=SECRET, now=at)
    assert report.commands == ["MY STORIES"]
    plan_due_mail(store, at + timedelta(minutes=1), config, SECRET)
    (item,) = [i for i in store.all(OutboxItem) if i.kind == "my_stories"]
    assert item.member_id == "ben"
    msg = message_from_bytes(item.raw.encode(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_my_stories_carries_the_full_text_oldest_first_with_round_and_question(
        tmp_path: Path) -> None:
    store, config, at = _world(tmp_path)
    msg = _ask(store, config, at)
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Spring: my first story." in text  # archived, as Ben sent it
    assert "Edited by the steward." not in text
    assert "November: I listened instead of fixing." in text
    assert "Only for the steward, but mine." in text  # his own words, whoever may read them
    assert text.index("Spring: my first story.") < text.index("November: I listened")
    assert "What did spring teach you?" in text and "March 2025" in text
    assert "What helped you stay with a difficult conversation" in " ".join(text.split())
    assert "This one I took back." not in text  # withdrawn
    assert "Ana's words" not in text and "Ana answers Ben" not in text  # never others' words
    assert not list(msg.iter_attachments())


def test_long_stories_go_as_a_plain_text_attachment(tmp_path: Path) -> None:
    store, config, at = _world(tmp_path)
    nov = store.get(Round, NOV)
    assert nov is not None
    paragraph = "I kept a diary of the practice, and the circle helped me see it. " * 40
    store.put_many([Story(f"s-long-{n}", NOV, "ben", f"Entry {n}. {paragraph}",
                          at - timedelta(hours=10 - n), state=StoryState.APPROVED)
                    for n in range(10)])
    msg = _ask(store, config, at)
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert ATTACHMENT_NAME in text and paragraph.strip() not in text
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == ATTACHMENT_NAME
    assert attachment.get_content_type() == "text/plain"
    full = attachment.get_content()
    assert len(full.encode()) > LONG_BYTES
    assert all(f"Entry {n}." in full for n in range(10))
    assert full.index("Spring: my first story.") < full.index("Entry 0.") < full.index("Entry 9.")
    assert "This one I took back." not in full and "Ana's words" not in full
