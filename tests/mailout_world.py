"""A small realistic circle for the outgoing-mail tests, the golden files and the docs example."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from circle.config import Config, config_from_dict
from circle.model import (
    Appreciation,
    HostState,
    Member,
    MemberStatus,
    Response,
    Round,
    Story,
    StoryState,
    Visibility,
)
from circle.schedule import timeline
from data.store import TinyStore

TZ = ZoneInfo("Europe/London")
SECRET = b"test-secret-for-golden-files"
GATHERING = datetime(2026, 11, 25, 18, 0, tzinfo=TZ)


def make_config(port: int = 2525, **smtp: object) -> Config:
    doc = {
        "circle": {
            "name": "Practitioners' Circle", "slug": "practitioners",
            "address": "circle@example.org", "steward_email": "maya@example.org",
            "timezone": "Europe/London", "purpose": "Supporting each other to be that change.",
            "place": "The Quaker Meeting House, 12 Bank Street (and on video)",
            "agreements": ["What is shared in the circle stays in the circle.",
                           "We speak from the \"I\": our own experience, not advice.",
                           "We listen to understand, not to answer."],
        },
        "schedule": {"gathering": "last Wednesday of every month at 18:00"},
        "smtp": {"host": "127.0.0.1", "port": port, "security": "plain", "per_minute": 0,
                 "connections": 2, **smtp},
    }
    return config_from_dict(doc)


def members() -> list[Member]:
    joined = date(2026, 1, 10)
    return [
        Member("maya", "Maya Okafor", "maya@example.org", joined, is_steward=True,
               can_host=False),
        Member("ana", "Ana María Ruiz", "ana@example.org", joined),
        Member("ben", "Ben Hughes", "ben@example.org", joined + timedelta(days=1)),
        Member("chloe", "Chloé Martin", "chloe@example.org", joined + timedelta(days=2)),
        Member("dee", "Dee Walker", "dee@example.org", joined + timedelta(days=3)),
        Member("eve", "Eve\r\nBcc: intruder@evil.example", "eve@example.org",
               joined + timedelta(days=4)),
        Member("fay", "Fay Lin", "fay@example.org", joined + timedelta(days=5),
               status=MemberStatus.PAUSED),
        Member("gus", "Gus <script>alert(1)</script>", "gus@example.org",
               joined + timedelta(days=6)),
    ]


def rounds(config: Config) -> list[Round]:
    prev_g = datetime(2026, 10, 28, 18, 0, tzinfo=TZ)
    next_g = datetime(2026, 12, 30, 18, 0, tzinfo=TZ)
    past = Round(id="2026-10", gathering=prev_g, host_id="dee", host_state=HostState.ACCEPTED,
                 question="When did you last feel truly listened to?", question_approved=True,
                 timeline=timeline(prev_g, config.schedule))
    for moment in ("host_invite", "host_fallback", "question", "reminder", "digest_due",
                   "gathering"):
        past.fired[moment] = past.timeline[moment]
    now = Round(id="2026-11", gathering=GATHERING, timeline=timeline(GATHERING, config.schedule))
    later = Round(id="2026-12", gathering=next_g, host_id="ben",
                  host_state=HostState.ACCEPTED, timeline=timeline(next_g, config.schedule))
    return [past, now, later]


def seed(data_dir: Path, config: Config) -> TinyStore:
    store = TinyStore(data_dir)
    store.put_many([*members(), *rounds(config)])
    return store


def accept_host(store: TinyStore, round_id: str = "2026-11") -> Round:
    """Simulate the host's YES and question (as the mail loop and steward would record it)."""
    rnd = store.get(Round, round_id)
    assert rnd is not None
    rnd = replace(rnd, host_id="ana", host_state=HostState.ACCEPTED,
                  question="What helped you stay with a difficult conversation this month, "
                           "instead of walking away from it?",
                  question_approved=True,
                  welcome="Hello everyone. I chose this question because I am still learning "
                          "it myself. I look forward to reading you.")
    store.put(rnd)
    return rnd


def seed_stories(store: TinyStore, at: datetime) -> None:
    """Stories, a thread and thanks as the steward has reviewed them."""
    r = "2026-11"
    stories = [
        Story("s-ben", r, "ben", "Last week a colleague told me my plan would not work.\n"
              "My first feeling was to defend it. Instead I asked her what she saw that I "
              "did not, and then I just listened, which was harder than it sounds.\n\n"
              "She was right about one thing, and I was right about another. We are still "
              "talking.", at, state=StoryState.APPROVED),
        Story("s-chloe", r, "chloe", "I stayed because I remembered our agreement: speak "
              "from the \"I\".\nSo I said \"I am scared\" instead of \"you are wrong\".",
              at + timedelta(hours=1), state=StoryState.APPROVED,
              visibility=Visibility.ANONYMOUS),
        Story("s-dee", r, "dee", "This one is only for Maya.", at + timedelta(hours=2),
              state=StoryState.APPROVED, visibility=Visibility.STEWARD),
        Story("s-gus", r, "gus", "I tried <b>bold</b> honesty & it <script>worked()</script>.",
              at + timedelta(hours=3), state=StoryState.APPROVED),
        Story("s-ana", r, "ana", "Not yet reviewed.", at + timedelta(hours=4)),
        Story("s-ben-old", "2026-10", "ben", "An older story.", at - timedelta(days=30),
              state=StoryState.APPROVED),
    ]
    responses = [
        Response("r-1", "s-ben", "s-ben", r, "ana", "Thank you, Ben. \"Harder than it sounds\" "
                 "is exactly it for me too.", at + timedelta(hours=5),
                 state=StoryState.APPROVED),
        Response("r-2", "s-ben", "r-1", r, "ben", "Ana, it helps to know I am not alone in "
                 "that.", at + timedelta(hours=6), state=StoryState.APPROVED),
        Response("r-3", "s-ben", "s-ben", r, "dee", "(held)", at + timedelta(hours=7),
                 state=StoryState.HELD),
    ]
    thanks = [Appreciation("a-1", r, "chloe", "Ana", "for a question that stayed with me all "
                           "week", at + timedelta(hours=8), to_member_id="ana",
                           state=StoryState.APPROVED)]
    rnd = store.get(Round, r)
    assert rnd is not None
    store.put_many([*stories, *responses, *thanks, replace(rnd, passes=["maya"])])
