"""A year in stories: the once-a-year digest (pure: no I/O, no clock; `now` is a parameter).

The year's questions with their hosts, each gathering's harvest, and one line from each
consenting story: approved stories only, steward-only and withdrawn never, anonymous ones
without a name (the digest's own consent rules, `circle.compose.digest_data`). The steward's
opening words (`YearDigest.intro`) come first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from circle.compose.digest_data import ANONYMOUS
from circle.compose.mails import MailSetting
from circle.compose.message import (
    Composed,
    finish,
    headers,
    member_token,
    mint_message_id,
    set_text,
)
from circle.compose.templates import render
from circle.compose.text import clean_line, first_line, indent, month_name, underline, wrap
from circle.model import (
    Circle,
    Harvest,
    HostState,
    Member,
    Round,
    RoundState,
    Story,
    StoryState,
    Visibility,
)
from circle.text_safety import inert

YEAR_KIND = "year_digest"  # the outbox kind
LINE_CHARS = 120  # one line from each story: its opening, at most this long


@dataclass(frozen=True)
class YearRound:
    """One round of the year as the year's digest tells it."""

    round_id: str
    gathering: datetime
    question: str
    host: str  # the host's name, "" when the steward held the round
    harvest: str  # the approved harvest of its gathering, "" if none
    lines: tuple[tuple[str, str], ...]  # (author or ANONYMOUS, one line of the story)


@dataclass(frozen=True)
class YearData:
    """Everything "A year in stories" says (the same for every member)."""

    year: int
    intro: str
    rounds: tuple[YearRound, ...]

    @property
    def empty(self) -> bool:
        """True when the year asked no question."""
        return not self.rounds


def _consenting(story: Story) -> bool:
    return story.state == StoryState.APPROVED and story.visibility != Visibility.STEWARD


def build_year(year: int, *, rounds: Sequence[Round], members: Sequence[Member],
               stories: Sequence[Story], harvests: Sequence[Harvest], intro: str,
               tz: tzinfo) -> YearData:
    """The year's digest: every round gathering in `year` (circle time) whose question went."""
    names = {m.id: clean_line(m.name) for m in members}
    by_round: dict[str, list[Story]] = {}
    for s in stories:
        if _consenting(s):
            by_round.setdefault(s.round_id, []).append(s)
    harvest_of = {h.gathering_round: h for h in harvests
                  if h.state == StoryState.APPROVED and h.text.strip()}
    out = []
    for rnd in sorted(rounds, key=lambda r: (r.gathering, r.id)):
        if rnd.gathering.astimezone(tz).year != year or not rnd.question.strip():
            continue
        if rnd.state == RoundState.PLANNED and "question" not in rnd.fired:
            continue
        host = (names.get(rnd.host_id or "", "")
                if rnd.host_state == HostState.ACCEPTED else "")
        lines = tuple(
            (ANONYMOUS if s.visibility == Visibility.ANONYMOUS
             else names.get(s.member_id, ANONYMOUS), first_line(inert(s.text), LINE_CHARS))
            for s in sorted(by_round.get(rnd.id, []), key=lambda s: (s.received_at, s.id)))
        harvest = harvest_of.get(rnd.id)
        out.append(YearRound(rnd.id, rnd.gathering, inert(rnd.question).strip(), host,
                             inert(harvest.text).strip() if harvest else "", lines))
    return YearData(year=year, intro=inert(intro).strip(), rounds=tuple(out))


def year_text(circle: Circle, data: YearData,
              templates: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(subject, body) of the year's digest in plain text, 72 columns."""
    tz = ZoneInfo(circle.timezone)
    blocks = [underline(f"{clean_line(circle.name)}: a year in stories, {data.year}", "=")]
    if data.intro:
        blocks.append(wrap(data.intro))
    hosts = [r.host for r in data.rounds if r.host]
    told = sum(len(r.lines) for r in data.rounds)
    blocks.append(wrap(f"This year the circle asked {len(data.rounds)} questions"
                       + (f", hosted in turn by {', '.join(dict.fromkeys(hosts))}" if hosts else "")
                       + f", and {told} stories were shared with the circle."))
    for r in data.rounds:
        head = underline(month_name(r.gathering.astimezone(tz)))
        lines = [head, indent(r.question, "    "),
                 f"Hosted by {r.host}." if r.host else "Held by the steward."]
        if r.lines:
            lines.append("")
            lines += [indent(f"- {who}: \u201c{line}\u201d", "", 72) for who, line in r.lines]
        if r.harvest:
            lines += ["", "From the gathering:", indent(r.harvest, "    ")]
        blocks.append("\n".join(lines))
    blocks.append(wrap("Thank you, every one of you, for a year of stories. This digest is "
                       "for members of the circle only; please do not forward it. To pause, "
                       "reply PAUSE. To leave, reply STOP. Reply HELP for more."))
    subject, body = render("year_digest", {"circle": clean_line(circle.name),
                                           "year": str(data.year),
                                           "body": "\n\n".join(blocks)}, templates)
    return subject, body


def year_message_id(ms: MailSetting, member: Member, year: int) -> str:
    """The stable Message-ID of `member`'s copy of the year's digest."""
    token = member_token(ms.secret, member, "")
    return mint_message_id(ms.circle, token, YEAR_KIND, str(year), member.id)


def year_mail(ms: MailSetting, member: Member, data: YearData) -> Composed:
    """`member`'s copy of the year's digest (plain text; replies are welcome like any)."""
    subject, text = year_text(ms.circle, data, ms.templates)
    token = member_token(ms.secret, member, "")
    mid = year_message_id(ms, member, data.year)
    msg = headers(ms.circle, member, kind=YEAR_KIND, round_id="", token=token, mid=mid,
                  subject=subject, now=ms.now)
    set_text(msg, text)
    return finish(msg, YEAR_KIND, "", member, mid)


def year_preview(ms: MailSetting, data: YearData) -> str:
    """The year's digest as the steward previews it: subject line, then the text."""
    subject, text = year_text(ms.circle, data, ms.templates)
    return f"Subject: {subject}\n\n{text}"
