"""The round's emails to one member: host invitation, question, reminder, receipts and replies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from circle.carrying import digest_month_of
from circle.compose.calendar import gathering_ics
from circle.compose.message import (
    Composed,
    add_calendar,
    finish,
    headers,
    member_token,
    mint_message_id,
    set_text,
)
from circle.compose.templates import render
from circle.compose.text import (
    clean_line,
    first_line,
    indent,
    long_date,
    month_name,
    short_date,
    when,
    wrap,
)
from circle.config import ScheduleSettings
from circle.identity import CONFIRM_REQUEST, confirmation_parent
from circle.model import Circle, Member, Notice, Round, Story, StoryState, Visibility
from circle.schedule import timeline


@dataclass(frozen=True)
class MailSetting:
    """What every composition needs besides its subject: the circle, secret, time, texts."""

    circle: Circle
    secret: bytes
    now: datetime
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    templates: Mapping[str, str] | None = None
    signature: str = ""  # who signs invitations, e.g. "Maya, for the Practitioners' Circle"

    @property
    def tz(self) -> ZoneInfo:
        """The circle's timezone."""
        return ZoneInfo(self.circle.timezone)


def _local(ms: MailSetting, at: datetime) -> datetime:
    return at.astimezone(ms.tz)


def agreements_text(circle: Circle) -> str:
    """The agreements as a short bulleted list (plain text)."""
    return "\n".join(f"- {clean_line(a, 400)}" for a in circle.agreements) or "- (none yet)"


def _base(ms: MailSetting, member: Member) -> dict[str, str]:
    full = clean_line(member.name)
    return {"circle": clean_line(ms.circle.name), "name": full.split(" ")[0] or full,
            "full_name": full,
            "signature": ms.signature or clean_line(ms.circle.name)}


def _moment(ms: MailSetting, rnd: Round, moment: str) -> datetime:
    return _local(ms, {**timeline(rnd.gathering, ms.schedule), **rnd.timeline}[moment])


def host_invitation(ms: MailSetting, member: Member, rnd: Round,
                    past_questions: Sequence[str] = ()) -> Composed:
    """"Would you host the December round? Reply HOST YES, SWAP or HOST NO" + the host kit."""
    gathering = _local(ms, rnd.gathering)
    question_at = _moment(ms, rnd, "question")
    past = "\n".join(indent(f"- {q.strip()}", "", 72) for q in past_questions if q.strip())
    values = {**_base(ms, member), "month": month_name(gathering), "gathering": when(gathering),
              "question_date": short_date(question_at),
              "question_due": long_date(question_at - timedelta(days=7)),
              "past_questions": past or "(None yet: yours may be the first.)"}
    values["host_kit"] = render("host_kit", values, ms.templates)[1]
    subject, body = render("invitation", values, ms.templates)
    token = member_token(ms.secret, member, rnd.id)
    mid = mint_message_id(ms.circle, token, "invitation", rnd.id, member.id)
    msg = headers(ms.circle, member, kind="invitation", round_id=rnd.id, token=token, mid=mid,
                  subject=subject, now=ms.now)
    set_text(msg, wrap(body))
    return finish(msg, "invitation", rnd.id, member, mid)


def _question_values(ms: MailSetting, member: Member, rnd: Round,
                     host: Member | None) -> dict[str, str]:
    gathering = _local(ms, rnd.gathering)
    host_name = clean_line(host.name) if host else clean_line(ms.circle.name)
    welcome = rnd.welcome.strip()
    return {**_base(ms, member), "question": rnd.question.strip(),
            "question_short": first_line(rnd.question, 60),
            "question_quoted": indent(rnd.question.strip(), "    "),
            "welcome": f"{welcome}\n\n" if welcome else "", "host": host_name,
            "gathering": when(gathering), "place": ms.circle.gathering_place or "see the invite",
            "month": month_name(gathering), "agreements": agreements_text(ms.circle)}


def question_message_id(ms: MailSetting, member: Member, rnd: Round) -> str:
    """The Message-ID the question had for `member` (so the reminder can thread under it)."""
    token = member_token(ms.secret, member, rnd.id)
    return mint_message_id(ms.circle, token, "question", rnd.id, member.id)


def question_ics(ms: MailSetting, rnd: Round, host: Member | None) -> bytes:
    """The round's calendar invite (the same for every member: compute it once per round)."""
    return gathering_ics(ms.circle, rnd, now=ms.now, host_name=host.name if host else "",
                         duration_minutes=ms.schedule.duration_minutes)


def question(ms: MailSetting, member: Member, rnd: Round, host: Member | None,
             ics: bytes | None = None) -> Composed:
    """The month's question in the host's name, with the gathering and a calendar invite."""
    subject, body = render("question", _question_values(ms, member, rnd, host), ms.templates)
    token = member_token(ms.secret, member, rnd.id)
    mid = question_message_id(ms, member, rnd)
    from_name = f"{host.name} via {ms.circle.name}" if host else ms.circle.name
    msg = headers(ms.circle, member, kind="question", round_id=rnd.id, token=token, mid=mid,
                  subject=subject, now=ms.now, from_name=from_name)
    set_text(msg, wrap(body))
    add_calendar(msg, ics if ics is not None else question_ics(ms, rnd, host))
    return finish(msg, "question", rnd.id, member, mid)


def reminder(ms: MailSetting, member: Member, rnd: Round, host: Member | None) -> Composed:
    """One gentle reminder, threaded under the member's question email."""
    subject, body = render("reminder", _question_values(ms, member, rnd, host), ms.templates)
    token = member_token(ms.secret, member, rnd.id)
    mid = mint_message_id(ms.circle, token, "reminder", rnd.id, member.id)
    from_name = f"{host.name} via {ms.circle.name}" if host else ms.circle.name
    msg = headers(ms.circle, member, kind="reminder", round_id=rnd.id, token=token, mid=mid,
                  subject=subject, now=ms.now, from_name=from_name,
                  in_reply_to=question_message_id(ms, member, rnd))
    set_text(msg, wrap(body))
    return finish(msg, "reminder", rnd.id, member, mid)


_SHARING = {Visibility.CIRCLE: "with your name", Visibility.ANONYMOUS: "without your name",
            Visibility.STEWARD: "only with the steward"}
_STATE = {StoryState.PENDING: "waiting for the steward", StoryState.APPROVED: "for the digest",
          StoryState.HELD: "held by the steward for now", StoryState.HIDDEN: "not in the digest",
          StoryState.WITHDRAWN: "withdrawn"}


def stories_list(stories: Sequence[Story]) -> str:
    """The member's stories, one bullet each: round, state, how shared, first words."""
    if not stories:
        return "(Nothing yet. Your first story is welcome whenever you are ready.)"
    lines = []
    for s in sorted(stories, key=lambda s: (s.received_at, s.id)):
        lines.append(indent(f"- {s.round_id}: \"{first_line(s.text, 50)}\" ({_STATE[s.state]}, "
                            f"shared {_SHARING[s.visibility]})", "", 72))
    return "\n".join(lines)


NOTICE_TEMPLATES = {"receipt": "receipt", "confirmation": "confirmation", "help": "help",
                    "my_stories": "my_stories", "refused": "refused",
                    CONFIRM_REQUEST: "confirm_request"}
"""Which template answers each kind of notice."""


def notice_mail(ms: MailSetting, member: Member, notice: Notice,
                stories: Sequence[Story] = ()) -> Composed:
    """The receipt or command confirmation a notice asks for, threaded under the member's email."""
    template = NOTICE_TEMPLATES.get(notice.kind, "confirmation")
    command = clean_line(notice.command, 80) or "message"
    detail = notice.detail.strip()
    if detail and detail[-1] not in ".!?…":
        detail += "."
    if template != "refused":
        detail = detail[:1].upper() + detail[1:]
    month = digest_month_of(notice.round_id)
    values = {**_base(ms, member), "command": command, "detail": detail,
              "digest": f"the {month} digest" if month else "the next digest",
              "stories": stories_list(stories) if stories or not detail else detail}
    subject, body = render(template, values, ms.templates)
    # A confirmation request's token names it, so only a reply to it can confirm it.
    parent = confirmation_parent(notice.id) if notice.kind == CONFIRM_REQUEST else ""
    token = member_token(ms.secret, member, notice.round_id, parent)
    mid = mint_message_id(ms.circle, token, "notice", notice.round_id, member.id,
                          extra=notice.id)
    msg = headers(ms.circle, member, kind=notice.kind, round_id=notice.round_id, token=token,
                  mid=mid, subject=subject, now=ms.now, in_reply_to=notice.in_reply_to)
    set_text(msg, wrap(body))
    return finish(msg, notice.kind, notice.round_id, member, mid)
