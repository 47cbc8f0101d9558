"""A demo circle with archived rounds and one record per consent rule, for repertoire tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from circle.app.maintenance import archive_closed
from circle.compose.digest import digest_mail
from circle.compose.digest_data import build_digest
from circle.compose.mails import MailSetting
from circle.config import ScheduleSettings
from circle.model import (
    Circle,
    Member,
    OutboxItem,
    OutboxState,
    Response,
    Round,
    Story,
    StoryState,
    Visibility,
)
from data.store import TinyStore
from tests.tui_support import FIXED, seeded_store

ANON_NAME = "Zebulon Quartzfield"
ANON_TEXT = "The lantern over the river taught me to wait for the tide of the seminar."
STEWARD_TEXT = "Stewardonly: what the dean said in the corridor, between me and Amara."
WITHDRAWN_TEXT = "Withdrawnlater: the time I cried in the lab, which I no longer want shared."
EVIL_TEXT = "<script>alert('x')</script> & [a link](javascript:alert(1)) **bold**"

CONFIG = """[circle]
name = "Lecturers' Circle"
slug = "lecturers"
address = "circle@example.org"
steward_email = "steward@example.org"
timezone = "UTC"
data_dir = "{data}"
"""


def consent_store(data_dir: Path) -> TinyStore:
    """The demo circle plus: an anonymous author with no other trace, a steward-only story, a
    story withdrawn after its digest went out, hostile text; real digests in the outbox; the
    rounds more than 28 days past archived."""
    store = seeded_store(data_dir)
    rounds = {r.id: r for r in store.all(Round)}
    july, august = rounds["2026-07"], rounds["2026-08"]
    zeb = Member(id="zeb", name=ANON_NAME, email="zeb@example.org", joined=FIXED.date())
    at = july.gathering - timedelta(days=5)
    extra = [
        zeb,
        Story(id="s-zeb", round_id="2026-07", member_id="zeb", text=ANON_TEXT, received_at=at,
              state=StoryState.APPROVED, visibility=Visibility.ANONYMOUS, themes=["waiting"]),
        Response(id="r-zeb", story_id="s-2026-07-ana", parent_id="s-2026-07-ana",
                 round_id="2026-07", member_id="zeb", text="Anonymous thanks for this one.",
                 received_at=at, state=StoryState.APPROVED, visibility=Visibility.ANONYMOUS),
        Story(id="s-steward", round_id="2026-07", member_id="ana", text=STEWARD_TEXT,
              received_at=at, state=StoryState.APPROVED, visibility=Visibility.STEWARD),
        Story(id="s-evil", round_id="2026-07", member_id="kwame", text=EVIL_TEXT,
              received_at=at, state=StoryState.APPROVED),
        Story(id="s-late", round_id="2026-08", member_id="mei", text=WITHDRAWN_TEXT,
              received_at=august.gathering - timedelta(days=5), state=StoryState.APPROVED),
    ]
    store.put_many(extra)
    circle = store.all(Circle)[0]
    members = store.all(Member)
    for rnd in (july, august):
        data = build_digest(rnd, members=members, stories=store.all(Story),
                            responses=store.all(Response), appreciations=[],
                            rounds=list(rounds.values()), settings=ScheduleSettings())
        ms = MailSetting(circle=circle, secret=b"test-secret", now=rnd.gathering)
        for member in (zeb, next(m for m in members if m.id == "ana")):
            mail = digest_mail(ms, member, data)
            store.put(OutboxItem(id=f"o-{rnd.id}-realdigest-{member.id}",
                                 message_id=mail.message_id, kind="digest",
                                 recipient=member.email, raw=mail.raw.decode("ascii"),
                                 created_at=rnd.gathering, round_id=rnd.id,
                                 member_id=member.id, state=OutboxState.SENT,
                                 sent_at=rnd.gathering))
    late = store.get(Story, "s-late")
    assert late is not None
    store.put(replace(late, state=StoryState.WITHDRAWN))  # after its digest went out
    archive_closed(store, FIXED)
    return store
