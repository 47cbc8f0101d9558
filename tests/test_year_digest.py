"""A year in stories (issue 16, item 3): the year's questions, hosts, harvests and one line
from each consenting story; edited, approved and sent like any digest, through the outbox and
a real SMTP server."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from circle.app import apply
from circle.app.intents import ApproveYearDigest, SetHarvest, SetYearIntro
from circle.app.rounds import mail_setting, plan_due_mail
from circle.app.year import default_year, preview_year, queue_year_digest, year_events
from circle.config import Config, config_from_dict
from circle.errors import ConfigError, TransitionError
from circle.model import (
    Event,
    HostState,
    Member,
    OutboxItem,
    Round,
    Story,
    StoryState,
    Visibility,
    YearDigest,
)
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox
from tests.mailout_world import SECRET, TZ, accept_host, make_config, seed

if TYPE_CHECKING:
    from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]

NOV = "2026-11"
DECEMBER = datetime(2026, 12, 3, 9, 0, tzinfo=TZ)


def _world(tmp_path: Path, port: int = 2525) -> tuple[TinyStore, Config]:
    config = make_config(port)
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    nov = store.get(Round, NOV)
    assert nov is not None
    store.put(replace(nov, fired={**nov.fired, "question": nov.timeline["question"]}))
    at = nov.timeline["question"] + timedelta(days=1)
    march_g = datetime(2026, 3, 25, 18, tzinfo=TZ)
    march = Round(id="2026-03", gathering=march_g, host_id="gus",
                  host_state=HostState.ACCEPTED, question="What did you plant?",
                  question_approved=True, fired={"question": march_g - timedelta(days=14)})
    old = Round(id="2025-11", gathering=datetime(2025, 11, 26, 18, tzinfo=TZ),
                question="A question of last year", question_approved=True,
                fired={"question": datetime(2025, 11, 12, 18, tzinfo=TZ)})
    stories = [
        Story("s-ben", NOV, "ben", "I listened instead of fixing.\nThen more.", at,
              state=StoryState.APPROVED),
        Story("s-chloe", NOV, "chloe", "Fear spoke first, then I did.", at,
              state=StoryState.APPROVED, visibility=Visibility.ANONYMOUS),
        Story("s-dee", NOV, "dee", "Only for the steward.", at, state=StoryState.APPROVED,
              visibility=Visibility.STEWARD),
        Story("s-eve", NOV, "eve", "Taken back.", at, state=StoryState.WITHDRAWN),
        Story("s-ana", NOV, "ana", "Not reviewed yet.", at),
        Story("s-march", "2026-03", "ben", "Seeds of patience.", march_g - timedelta(days=5),
              state=StoryState.APPROVED),
        Story("s-old", "2025-11", "ben", "Last year's words.", old.gathering,
              state=StoryState.APPROVED),
    ]
    store.put_many([march, old, *stories])
    archived = [march, stories[5]]
    assert store.move_to_archive(2026, archived) == 2  # the year's early rounds are archived
    assert apply(store, SetHarvest(round_id="2026-03", text="We planted a tree."), at).ok
    return store, config


def _preview(store: TinyStore, config: Config) -> str:
    ms = mail_setting(config, SECRET, DECEMBER, store.all(Member))
    return preview_year(store, ms, 2026, config)


def test_the_year_tells_questions_hosts_harvests_and_one_line_per_consenting_story(
        tmp_path: Path) -> None:
    store, config = _world(tmp_path)
    text = _preview(store, config)
    flat = " ".join(text.split())
    assert "Subject: Practitioners' Circle — a year in stories: 2026" in text
    assert "What did you plant?" in flat and "Hosted by Gus" in flat  # archived round
    assert "What helped you stay with a difficult conversation" in flat
    assert "Hosted by Ana María Ruiz." in flat
    assert "We planted a tree." in flat
    assert "Seeds of patience." in flat
    assert "Ben Hughes: “I listened instead of fixing.”" in flat  # one line only
    assert "Then more." not in flat
    assert "A member of the circle: “Fear spoke first, then I did.”" in flat
    assert "Chloé" not in text  # anonymous: no name anywhere
    assert "Only for the steward." not in text  # steward-only never
    assert "Taken back." not in text  # withdrawn never
    assert "Not reviewed yet." not in text  # only approved stories
    assert "Last year's words." not in text and "A question of last year" not in text
    assert text.index("What did you plant?") < text.index("What helped you stay")


async def test_edit_approve_and_send_once_through_the_outbox(
        tmp_path: Path, smtp_server: SmtpServer) -> None:
    store, config = _world(tmp_path, smtp_server.port)
    ms = mail_setting(config, SECRET, DECEMBER, store.all(Member))
    with pytest.raises(TransitionError, match="not approved"):
        queue_year_digest(store, ms, 2026, config)
    assert apply(store, ApproveYearDigest(year=2026), DECEMBER).ok
    assert apply(store, SetYearIntro(year=2026, text="What a year it was."), DECEMBER).ok
    record = store.get(YearDigest, "2026")
    assert record is not None and not record.approved  # an edit asks for approval again
    with pytest.raises(TransitionError, match="not approved"):
        queue_year_digest(store, ms, 2026, config)
    assert apply(store, ApproveYearDigest(year=2026), DECEMBER).ok
    items = queue_year_digest(store, ms, 2026, config)
    assert sorted(i.member_id for i in items) == [
        "ana", "ben", "chloe", "dee", "eve", "gus", "maya"]  # fay is paused
    assert queue_year_digest(store, ms, 2026, config) == []  # only once
    assert not apply(store, SetYearIntro(year=2026, text="Too late"), DECEMBER).ok

    async with SmtpSink(config.smtp) as sink:
        report = await send_outbox(store, sink, DECEMBER, sender=config.address)
    assert report.sent == 7
    (got,) = [r for r in smtp_server.handler.received if r.rcpt == ["ben@example.org"]]
    msg = message_from_bytes(got.raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(("plain",))
    assert body is not None
    words = " ".join(body.get_content().split())
    assert words.startswith("Practitioners' Circle: a year in stories, 2026")
    assert "What a year it was." in words and "We planted a tree." in words
    assert "year_digest" in str(msg["X-Circle-Kind"])
    assert all(i.kind == "year_digest" for i in store.all(OutboxItem) if i.member_id == "ben"
               and i.id in {x.id for x in items})


def test_the_steward_is_prompted_once_in_the_configured_month(tmp_path: Path) -> None:
    store, config = _world(tmp_path)
    assert [e.kind for e in year_events(config, DECEMBER)] == ["year_digest_due"]
    assert year_events(config, DECEMBER - timedelta(days=10)) == []  # November
    plan_due_mail(store, DECEMBER, config, SECRET)
    plan_due_mail(store, DECEMBER + timedelta(days=1), config, SECRET)
    due = [e for e in store.all(Event) if e.kind == "year_digest_due"]
    assert len(due) == 1 and "circle digest year 2026" in due[0].text
    off = replace(config, year_digest="off")
    assert year_events(off, DECEMBER) == []
    assert default_year(DECEMBER, config) == 2026
    assert default_year(datetime(2027, 1, 5, tzinfo=TZ), config) == 2026


def test_year_digest_month_is_checked_in_the_config() -> None:
    doc = {"circle": {"name": "C", "slug": "c", "address": "c@example.org",
                      "steward_email": "s@example.org", "year_digest": "decembre!"}}
    with pytest.raises(ConfigError, match="year_digest must be a month"):
        config_from_dict(doc)
    doc["circle"]["year_digest"] = "Jan"
    assert config_from_dict(doc).year_digest == "Jan"
    _ = make_config()
