"""A simulated circle's history, written month by month the way Circle itself writes it.

200 members; every month: one host invitation, the question to everyone, a reminder to those
who have not written, ~30% of members tell a story (each gets a receipt), about one response
per story, a few appreciations and commands (with confirmations), the digest to everyone.
Inbound mail leaves InboundRecords, the mail loop leaves Events. After each month the
daemon's maintenance (`archive_closed`) runs, as `circle run` does after every fetch.

Composed bodies have realistic sizes (digest ~20 KB, question ~5 KB, receipt ~2 KB) and are
the same for every recipient of one kind in one round (real ones differ by a token), so the
blob folder stays small enough for a benchmark; the store's JSON files are what is measured.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from circle.app.maintenance import archive_closed
from circle.model import (
    Appreciation,
    Circle,
    Event,
    HostState,
    InboundRecord,
    Member,
    MessageKind,
    Notice,
    OutboxItem,
    OutboxState,
    Response,
    Round,
    RoundState,
    Story,
    StoryState,
    Visibility,
)
from data.store import TinyStore

MEMBERS = 200
PARTICIPATION = 0.3
START = datetime(2017, 1, 25, 18, 0, tzinfo=UTC)
_VOCABULARY = """listen silence trust student colleague morning question answer patience change
failure courage small risk circle practice story learning waiting noticing room voice hope fear
doubt gift time attention care grading lecture office hallway coffee walk letter feedback
mistake surprise laughter tired grateful"""
WORDS = tuple(_VOCABULARY.split())


@dataclass
class Age:
    """Where the simulation stands."""

    months: int = 0


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _gathering(month: int) -> datetime:
    year, m = divmod(START.month - 1 + month, 12)
    return START.replace(year=START.year + year, month=m + 1)


def members() -> list[Member]:
    """The circle's members."""
    return [Member(id=f"m{i:03d}", name=f"Member {i}", email=f"m{i:03d}@example.org",
                   joined=date(2016, 12, 1)) for i in range(MEMBERS)]


def start(store: TinyStore) -> None:
    """The circle and its members, and the first year of planned rounds."""
    store.put_many([Circle(name="Bench circle", slug="bench", purpose="benchmarks",
                           timezone="UTC", address="circle@example.org",
                           steward_email="steward@example.org"), *members()])


def _outbox(kind: str, rnd: Round, member_id: str, body: str, at: datetime) -> OutboxItem:
    return OutboxItem(id=f"o-{rnd.id}-{kind}-{member_id}", message_id=f"<{rnd.id}.{kind}."
                      f"{member_id}@example.org>", kind=kind, recipient=f"{member_id}@example.org",
                      raw=body, created_at=at, round_id=rnd.id, member_id=member_id,
                      state=OutboxState.SENT, attempts=1, sent_at=at,
                      history=[f"{at:%Y-%m-%dT%H:%M} queued", f"{at:%Y-%m-%dT%H:%M} sent"])


def month(store: TinyStore, age: Age, rng: random.Random) -> None:
    """Simulate one round, in the transactions Circle would use, then archive."""
    k = age.months
    gathering = _gathering(k)
    rid = f"{gathering:%Y-%m}"
    ids = [f"m{i:03d}" for i in range(MEMBERS)]
    rnd = Round(id=rid, gathering=gathering, host_id=ids[k % MEMBERS],
                host_state=HostState.ACCEPTED, question=_text(rng, 12),
                question_approved=True, state=RoundState.OPEN)
    asked = gathering - timedelta(days=14)
    bodies = {kind: f"{kind} of {rid} " + "x" * size for kind, size in
              (("invitation", 3000), ("question", 5000), ("reminder", 4000),
               ("receipt", 2000), ("confirmation", 1800), ("digest", 20000))}
    store.put_many([rnd, _outbox("invitation", rnd, rnd.host_id or "", bodies["invitation"],
                                 gathering - timedelta(days=28)),
                    *(_outbox("question", rnd, m, bodies["question"], asked) for m in ids)])
    writers = rng.sample(ids, int(MEMBERS * PARTICIPATION))
    posts: list[Any] = []
    for n, who in enumerate(writers):
        at = asked + timedelta(hours=2 + n)
        sid = f"s-{rid}-{who}"
        posts += [Story(id=sid, round_id=rid, member_id=who, text=_text(rng, rng.randint(60, 200)),
                        received_at=at, message_id=f"<{sid}@mail.example>",
                        state=StoryState.APPROVED, visibility=rng.choice(
                            [Visibility.CIRCLE] * 8 + [Visibility.ANONYMOUS, Visibility.STEWARD]),
                        themes=rng.sample(WORDS, 2)),
                  InboundRecord(message_id=f"<{sid}@mail.example>", raw_sha=f"{k:04d}{n:060d}",
                                received_at=at, kind=MessageKind.REPLY, outcome=f"story:{sid}",
                                sender=f"{who}@example.org"),
                  _outbox("receipt", rnd, who, bodies["receipt"], at),
                  Notice(id=f"n-{sid}", kind="receipt", member_id=who, created_at=at,
                         round_id=rid, ref_id=sid, handled=True)]
        replier = rng.choice(ids)
        rsp = f"r-{rid}-{who}-{replier}"
        posts += [Response(id=rsp, story_id=sid, parent_id=sid, round_id=rid, member_id=replier,
                           text=_text(rng, rng.randint(20, 80)), received_at=at + timedelta(days=1),
                           message_id=f"<{rsp}@mail.example>", state=StoryState.APPROVED),
                  InboundRecord(message_id=f"<{rsp}@mail.example>", raw_sha=f"r{k:04d}{n:059d}",
                                received_at=at + timedelta(days=1), kind=MessageKind.REPLY,
                                outcome=f"response:{rsp}", sender=f"{replier}@example.org")]
    for n in range(8):
        who = rng.choice(ids)
        posts += [Appreciation(id=f"a-{rid}-{n}", round_id=rid, from_member_id=who,
                               to_name="Member 1", text=_text(rng, 15), received_at=asked,
                               state=StoryState.APPROVED),
                  _outbox("confirmation", rnd, who, bodies["confirmation"], asked)]
    store.put_many(posts)
    quiet = [m for m in ids if m not in set(writers)]
    store.put_many([*(_outbox("reminder", rnd, m, bodies["reminder"], gathering -
                              timedelta(days=5)) for m in quiet),
                    Event(id=f"e-{rid}-reminder", at=gathering - timedelta(days=5),
                          kind="reminder", text=f"reminder to {len(quiet)} members")])
    digest_at = gathering - timedelta(days=2)
    archive_closed(store, digest_at)  # the daemon, after a fetch: last month's round closes
    with store.transaction():
        current = store.get(Round, rid)
        assert current is not None
        current.state = RoundState.DIGEST_SENT
        current.digest_approved = True
        store.put_many([current, *(_outbox("digest", rnd, m, bodies["digest"], digest_at)
                                   for m in ids)])
    age.months += 1


def advance(store: TinyStore, age: Age, months: int, rng: random.Random) -> None:
    """Simulate until the circle is `months` old."""
    while age.months < months:
        month(store, age, rng)


def now_at(age: Age) -> datetime:
    """The simulated moment: the week after the last simulated gathering."""
    return _gathering(age.months - 1) + timedelta(days=7)
