"""A realistic demo circle built from `now` alone: members, rounds, stories, threads, mail."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from circle.config import ScheduleSettings
from circle.model import (
    Appreciation,
    Circle,
    DeliveryProblem,
    Event,
    HostState,
    Member,
    MemberStatus,
    MessageKind,
    OutboxItem,
    OutboxState,
    QuarantineItem,
    Response,
    Round,
    RoundState,
    Story,
    StoryState,
    Visibility,
)
from circle.schedule import timeline

AGREEMENTS = ["What is shared in the circle stays in the circle.",
              "We speak from the \"I\".", "We really listen before we answer."]

# (name, email local part, opener, closer): twelve people, twelve voices.
PEOPLE: list[tuple[str, str, str, str]] = [
    ("Ana María Ruiz", "ana", "Oh, this question found me on a slow Sunday morning.",
     "Un abrazo to all of you, and thank you for holding this space."),
    ("Tomasz Nowak", "tomasz", "Short one from me.", "That's it."),
    ("Priya Raman", "priya", "I keep circling this question, and I wonder why it is so hard.",
     "I am still asking myself what that says about me."),
    ("Kwame Mensah", "kwame", "Let me tell you about a Tuesday last term.",
     "And that, friends, is where the story ends for now."),
    ("Hélène Dubois", "helene", "Thank you to our host for a question I have valued.",
     "With warm regards, and gratitude for your attention."),
    ("Jun Watanabe", "jun", "A small thing.", "Still listening."),
    ("Siobhán O'Leary", "siobhan", "Right, confession time (tea in hand).",
     "Anyway, that's my mess for the month, lovingly offered."),
    ("Rafael Costa", "rafael", "What a question!", "Can't wait to hear everyone on Wednesday!"),
    ("Ingrid Larsen", "ingrid", "Three observations, in order.",
     "I would welcome your counter-examples."),
    ("Amara Okafor", "amara", "I have been sitting quietly with this one.",
     "Go gently, all of you."),
    ("David Cohen", "david", "I'll play the sceptic, as usual.",
     "Happy to be proven wrong at the gathering."),
    ("Mei Lin", "mei", "Practical answer first, feelings after.",
     "Hope that is useful to someone."),
]

QUESTIONS = [
    "When did you last step out of your comfort zone at work, and what did staying there "
    "teach you?",
    "What does really listening look like in your teaching?",
    "Tell us about a dilemma you have not resolved yet.",
    "Who taught you something without meaning to?",
    "What did you let go of this year?",
    "When did playfulness open a door for you?",
    "What is a small risk you took recently, and how did it feel?",
]

# Middle sentences per question; each author picks different ones so stories differ.
MIDDLES = [
    ["I agreed to co-teach with a colleague whose methods I distrusted.",
     "I ran a seminar without slides for the first time in eleven years.",
     "I said 'I don't know' in front of new lecturers, and the room relaxed.",
     "The discomfort did not pass, but it became something I could carry."],
    ["Listening, for me, is mostly waiting three seconds longer than feels polite.",
     "A student told me I finish people's sentences; she was right.",
     "I started writing down questions instead of answers during tutorials.",
     "The quietest student spoke when I stopped filling the silence."],
    ["I am asked to grade faster and to care more, and I cannot do both well.",
     "A colleague asked me to cover for him and I still do not know if I should have.",
     "I believe in open doors but I close mine to get anything written.",
     "I keep choosing the department over my own research, and resenting it."],
    ["The caretaker in my first school, who greeted every child by name.",
     "My daughter, who explained fractions to me better than I ever explained them.",
     "A student who failed my course and wrote me the kindest email afterwards.",
     "A bus driver who waited, every morning, for the boy who always ran late."],
    ["I let go of the idea that a good lesson is a full lesson.",
     "I stopped answering email after seven, and nothing fell apart.",
     "I gave away the binder of lecture notes I had carried for fifteen years.",
     "I let go of needing the committee to agree with me."],
    ["We played a silly naming game and a shy group turned into a team.",
     "I drew the course map as a board game and people finally read it.",
     "A paper-aeroplane exercise about feedback made a stern dean laugh.",
     "Improvising a story with my students taught me more about them than a survey."],
    ["I asked my head of department for honest feedback on my leadership.",
     "I shared an unfinished draft with the whole team.",
     "I said no to a project everyone expected me to take.",
     "I told my class about a mistake I made in my first year of teaching."],
]

RESPONSES = [
    "Thank you for this. I recognised myself in it more than I expected.",
    "This stayed with me all week. The part about waiting felt very true.",
    "I wonder what would happen if you tried it again with the same group?",
    "Your story gave me courage to try something similar on Monday.",
    "I had the opposite experience, and I am curious about the difference.",
    "Beautifully put. I am going to borrow that image, if I may.",
]


@dataclass
class DemoCircle:
    """Every record of the demo, plus the raw emails behind the stories (sha -> bytes)."""

    circle: Circle
    members: list[Member]
    rounds: list[Round]
    stories: list[Story]
    responses: list[Response]
    appreciations: list[Appreciation]
    quarantine: list[QuarantineItem]
    outbox: list[OutboxItem]
    events: list[Event]
    raws: dict[str, bytes] = field(default_factory=dict)

    def records(self) -> list[Any]:
        """All records in one list, ready for `store.put_many`."""
        return [self.circle, *self.members, *self.rounds, *self.stories, *self.responses,
                *self.appreciations, *self.quarantine, *self.outbox, *self.events]


def last_wednesday(year: int, month: int) -> datetime:
    """18:00 UTC on the last Wednesday of a month (the demo's gathering rule)."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    day = first_next - timedelta(days=1)
    while day.weekday() != 2:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)


def _month_add(year: int, month: int, k: int) -> tuple[int, int]:
    total = year * 12 + month - 1 + k
    return total // 12, total % 12 + 1


def timeline_for(gathering: datetime) -> dict[str, datetime]:
    """The default timeline of a round anchored on its gathering."""
    return timeline(gathering, ScheduleSettings())


def _raw_email(member: Member, circle: Circle, subject: str, text: str, *, at: datetime,
               message_id: str) -> bytes:
    body = f"{text}\n\n-- \n{member.name}\n\nOn the question, {circle.name} wrote:\n> {subject}\n"
    head = (f"From: {member.name} <{member.email}>\nTo: {circle.address}\n"
            f"Subject: Re: {subject}\nDate: {at.strftime('%a, %d %b %Y %H:%M:%S +0000')}\n"
            f"Message-ID: {message_id}\nContent-Type: text/plain; charset=utf-8\n\n")
    return (head + body).encode("utf-8")


def _question_raw(circle: Circle, to: str, question: str) -> str:
    return (f"From: {circle.name} <{circle.address}>\r\nTo: {to}\r\n"
            f"Subject: This month's question\r\nMessage-ID: <q-{to}>\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"{question.encode('ascii', 'replace').decode()}\r\n")


def build_demo(now: datetime) -> DemoCircle:
    """The demo circle as it stands at `now`: 6 past rounds, one open, 12 planned."""
    circle = Circle(name="Lecturers' Circle", slug="lecturers", timezone="UTC",
                    purpose="Supporting each other to be that change.",
                    address="circle@example.org", steward_email="steward@example.org",
                    agreements=list(AGREEMENTS), gathering_place="Room 4.12 and online")
    today = now.date()
    members = [Member(id=local, name=name, email=f"{local}@example.org",
                      joined=today - timedelta(days=400 - 9 * i), agreements_version=1)
               for i, (name, local, _o, _c) in enumerate(PEOPLE)]
    by_id = {m.id: m for m in members}
    by_id["amara"].is_steward = True
    by_id["ingrid"].status = MemberStatus.PAUSED
    by_id["ingrid"].paused_until = today + timedelta(days=40)
    by_id["david"].status = MemberStatus.LEFT
    by_id["tomasz"].aliases = ["t.nowak@uni.example.net"]
    by_id["tomasz"].delivery_problems = [DeliveryProblem(
        at=now - timedelta(days=9), address="tomasz@example.org", permanent=False,
        detail="452 4.2.2 Mailbox full")]
    by_id["jun"].can_host = False
    voices = {local: (opener, closer) for _n, local, opener, closer in PEOPLE}

    year, month = now.year, now.month
    if last_wednesday(year, month) < now + timedelta(days=3):
        year, month = _month_add(year, month, 1)
    hosts_cycle = [m.id for m in members if m.can_host and m.status == MemberStatus.ACTIVE]
    rounds: list[Round] = []
    stories: list[Story] = []
    responses: list[Response] = []
    appreciations: list[Appreciation] = []
    outbox: list[OutboxItem] = []
    events: list[Event] = []
    raws: dict[str, bytes] = {}
    for k in range(-6, 13):
        y, mo = _month_add(year, month, k)
        gathering = last_wednesday(y, mo)
        rid = f"{y:04d}-{mo:02d}"
        qi = k + 6
        host = hosts_cycle[qi % len(hosts_cycle)]
        rnd = Round(id=rid, gathering=gathering, host_id=host, timeline=timeline_for(gathering))
        if k < 0:
            rnd.question, rnd.question_approved = QUESTIONS[qi], True
            rnd.host_state, rnd.state, rnd.digest_approved = (HostState.ACCEPTED,
                                                              RoundState.CLOSED, True)
            rnd.fired = {m: t for m, t in rnd.timeline.items() if m != "gathering"}
            rnd.welcome = f"Thank you all for a month of generous stories. — {by_id[host].name}"
        elif k == 0:
            rnd.question, rnd.question_approved = QUESTIONS[6], True
            rnd.host_state, rnd.state = HostState.ACCEPTED, RoundState.OPEN
            fired_q = min(rnd.timeline["question"], now - timedelta(days=2))
            rnd.fired = {"host_invite": rnd.timeline["host_invite"], "question": fired_q}
            rnd.hosts_asked = [host]
        elif k == 1:
            rnd.host_state = HostState.ACCEPTED
            rnd.hosts_asked = [host]
            rnd.question = "What would you tell yourself on your first day of teaching?"
        elif k == 2:
            rnd.host_state = HostState.INVITED
        rounds.append(rnd)
        if k > 0:
            continue
        start = rnd.timeline["question"] if k < 0 else rnd.fired["question"]
        authors = [m for m in members if (m.id != "jun" or qi % 2 == 0)
                   and (m.id != "siobhan" or k < -2)][: 9 if k < 0 else 6]
        authors = authors[qi % 3:] + authors[: qi % 3]
        for j, author in enumerate(authors):
            if k == 0 and j >= 5:
                break
            at = start + timedelta(hours=7 + 13 * j)
            if at > now:
                at = now - timedelta(hours=j + 1)
            opener, closer = voices[author.id]
            middle = MIDDLES[qi][j % 4]
            extra = MIDDLES[qi][(j + 2) % 4] if len(opener) > 40 else ""
            text = "\n\n".join(p for p in (opener, f"{middle} {extra}".strip(), closer) if p)
            sid = f"s-{rid}-{author.id}"
            mid = f"<{sid}@mail.example.org>"
            raw = _raw_email(author, circle, rnd.question, text, at=at, message_id=mid)
            sha = hashlib.sha256(raw).hexdigest()
            raws[sha] = raw
            story = Story(id=sid, round_id=rid, member_id=author.id, text=text, received_at=at,
                          message_id=mid, raw_sha=sha, subject=f"Re: {rnd.question[:40]}",
                          elided=f"-- \n{author.name}\n\nOn the question, {circle.name} wrote:",
                          classify_reasons=["reply", "token-match" if j % 3 else "from-address"],
                          state=StoryState.APPROVED if k < 0 else StoryState.PENDING)
            if k < 0 and j == 7:
                story.state = StoryState.HIDDEN
            if k < 0 and j == 8:
                story.state, story.held_reasons = StoryState.HELD, ["too-long"]
            if (qi + j) % 5 == 0:
                story.visibility = Visibility.ANONYMOUS
            if (qi + j) % 11 == 3:
                story.visibility = Visibility.STEWARD
            if k < 0 and qi == 2 and j == 6:
                story.state = StoryState.WITHDRAWN
            if k == 0 and j == 0:
                story.state = StoryState.APPROVED
            if k == 0 and j == 4:
                story.held_reasons = ["unverified-sender"]
            if k < 0 and j % 3 == 0:
                story.themes = [["courage", "listening", "dilemmas", "mentors", "letting go",
                                 "play"][qi]]
            stories.append(story)
            for r in range(j % 3 if k < 0 else (1 if j == 1 else 0)):
                responder = members[(members.index(author) + 3 + r) % len(members)]
                parent = sid if r == 0 else responses[-1].id
                responses.append(Response(
                    id=f"r-{sid[2:]}-{r}", story_id=sid, parent_id=parent, round_id=rid,
                    member_id=responder.id, text=RESPONSES[(qi + j + r) % len(RESPONSES)],
                    received_at=at + timedelta(hours=20 + r * 6),
                    state=StoryState.APPROVED if k < 0 else StoryState.PENDING))
        if k <= 0:
            giver, receiver = members[(qi * 5) % 12], members[(qi * 5 + 4) % 12]
            appreciations.append(Appreciation(
                id=f"a-{rid}", round_id=rid, from_member_id=giver.id, to_name=receiver.name,
                to_member_id=receiver.id, text=f"for the way you listened to me in {rid}",
                received_at=start + timedelta(days=3),
                state=StoryState.APPROVED if k < 0 else StoryState.PENDING))
        if k < 0:
            for m in members[:10]:
                outbox.append(OutboxItem(
                    id=f"o-{rid}-digest-{m.id}", message_id=f"<digest-{rid}-{m.id}@example.org>",
                    kind="digest", recipient=m.email, raw="", created_at=rnd.timeline["digest_due"],
                    round_id=rid, member_id=m.id, state=OutboxState.SENT, attempts=1,
                    sent_at=rnd.timeline["digest_due"] + timedelta(minutes=2)))
            events.append(Event(id=f"e-{rid}-digest", at=rnd.timeline["digest_due"], kind="digest",
                                text=f"Digest for {rid} sent to 10 members"))
    current = rounds[6]
    outbox.append(OutboxItem(
        id=f"o-{current.id}-question-rafael", message_id="<q-rafael@example.org>",
        kind="question", recipient="rafael@example.org", created_at=now - timedelta(days=2),
        raw=_question_raw(circle, "rafael@example.org", current.question),
        round_id=current.id, member_id="rafael", state=OutboxState.UNCERTAIN, attempts=1,
        last_error="connection lost after DATA; the server may have accepted it"))
    outbox.append(OutboxItem(
        id=f"o-{current.id}-question-tomasz", message_id="<q-tomasz@example.org>",
        kind="question", recipient="tomasz@example.org", created_at=now - timedelta(days=2),
        raw=_question_raw(circle, "tomasz@example.org", current.question),
        round_id=current.id, member_id="tomasz", state=OutboxState.FAILED_TEMPORARY, attempts=3,
        last_error="452 4.2.2 Mailbox full"))
    quarantine = [
        QuarantineItem(id="q-1", message_id="<stranger-1@elsewhere.example>", raw_sha="",
                       received_at=now - timedelta(hours=20), reason="unknown-sender",
                       kind=MessageKind.REPLY, sender="sam.taylor@elsewhere.example",
                       sender_name="Sam Taylor", subject="Re: a small risk",
                       text="Hello! A friend forwarded me your question. May I join?"),
        QuarantineItem(id="q-2", message_id="<bounce-1@mx.example.org>", raw_sha="",
                       received_at=now - timedelta(days=2), reason="bounce",
                       kind=MessageKind.BOUNCE, sender="mailer-daemon@mx.example.org",
                       subject="Undelivered Mail Returned to Sender",
                       text="tomasz@example.org: 452 4.2.2 Mailbox full"),
        QuarantineItem(id="q-3", message_id="<ooo-1@example.org>", raw_sha="",
                       received_at=now - timedelta(days=1), reason="auto-reply",
                       kind=MessageKind.AUTO_REPLY, sender="helene@example.org",
                       sender_name="Hélène Dubois", subject="Absence du bureau",
                       text="Je suis absente jusqu'au lundi."),
        QuarantineItem(id="q-4", message_id="<unverified-1@example.net>", raw_sha="",
                       received_at=now - timedelta(hours=5), reason="unverified-sender",
                       kind=MessageKind.REPLY, sender="kwame.mensah@home.example.net",
                       sender_name="Kwame Mensah", subject="Re: a small risk",
                       text="Writing from my home address: I finally asked for help."),
    ]
    events.append(Event(id="e-now-question", at=current.fired["question"], kind="question",
                        text=f"Question for {current.id} sent to 10 members"))
    return DemoCircle(circle=circle, members=members, rounds=rounds, stories=stories,
                      responses=responses, appreciations=appreciations, quarantine=quarantine,
                      outbox=outbox, events=events, raws=raws)


def seed_large(n_stories: int, now: datetime) -> DemoCircle:
    """The demo plus enough older stories for `n_stories` in all (performance testing)."""
    demo = build_demo(now)
    extra = max(0, n_stories - len(demo.stories))
    first = demo.rounds[0].gathering
    per_round = 100
    for i in range(extra):
        back = i // per_round + 1
        y, mo = _month_add(first.year, first.month, -back)
        rid = f"{y:04d}-{mo:02d}"
        if i % per_round == 0:
            g = last_wednesday(y, mo)
            demo.rounds.append(Round(id=rid, gathering=g, host_id=demo.members[back % 12].id,
                                     host_state=HostState.ACCEPTED, state=RoundState.CLOSED,
                                     question=QUESTIONS[back % 7], question_approved=True,
                                     timeline=timeline_for(g)))
        author = demo.members[i % 12]
        opener, closer = PEOPLE[i % 12][2], PEOPLE[i % 12][3]
        demo.stories.append(Story(
            id=f"s-{rid}-{i}", round_id=rid, member_id=author.id,
            text=f"{opener}\n\n{MIDDLES[back % 7][i % 4]}\n\n{closer}",
            received_at=last_wednesday(y, mo) - timedelta(days=10, minutes=i % per_round),
            state=StoryState.PENDING if i % 50 == 0 else StoryState.APPROVED))
    return demo


def seed_store(store: Any, demo: DemoCircle) -> None:
    """Write a demo circle into a store (records in one write, raw emails to the archive)."""
    archive = getattr(store, "archive", None)
    if archive is not None:
        for raw in demo.raws.values():
            archive.save(raw)
    store.put_many(demo.records())
