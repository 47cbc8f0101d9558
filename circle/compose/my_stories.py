"""The reply to MY STORIES: the full text of the member's own stories, oldest first.

Each story comes with its round and the round's question, the member's words as they sent
them (never the quoted remainder, never anyone else's words); withdrawn stories are left out.
When the text is long (over LONG_BYTES as UTF-8) it goes as a plain-text attachment
(`my-stories.txt`) and the body lists the stories. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from circle.carrying import digest_month_of
from circle.compose.mails import MailSetting, stories_list
from circle.compose.message import (
    Composed,
    finish,
    headers,
    member_token,
    mint_message_id,
    set_text,
)
from circle.compose.templates import render
from circle.compose.text import clean_line, long_date, underline, wrap
from circle.model import Member, Notice, Round, Story, StoryState, Visibility
from circle.text_safety import inert

LONG_BYTES = 20_000
"""Above this many bytes of story text the stories travel as an attachment."""
ATTACHMENT_NAME = "my-stories.txt"
_SHARED = {Visibility.CIRCLE: "shared with your name",
           Visibility.ANONYMOUS: "shared without your name",
           Visibility.STEWARD: "kept between you and the steward"}


def own_stories(stories: Sequence[Story], member_id: str) -> list[Story]:
    """`member_id`'s stories that are not withdrawn, oldest first."""
    return sorted((s for s in stories if s.member_id == member_id
                   and s.state != StoryState.WITHDRAWN), key=lambda s: (s.received_at, s.id))


def stories_full_text(stories: Sequence[Story], rounds: Mapping[str, Round],
                      tz: tzinfo) -> str:
    """Every story in full, oldest first, under its round, date and question."""
    blocks = []
    for s in stories:
        month = digest_month_of(s.round_id) or s.round_id
        head = underline(f"{month} ({long_date(s.received_at.astimezone(tz))})", "~")
        rnd = rounds.get(s.round_id)
        question = inert(rnd.question).strip() if rnd is not None else ""
        lines = [head]
        if question:
            lines.append(wrap(f"Question: {' '.join(question.split())}"))
        lines.append(f"({_SHARED[s.visibility]})")
        lines += ["", inert(s.original_text or s.text).strip()]
        blocks.append("\n".join(lines))
    return "\n\n\n".join(blocks)


def my_stories_mail(ms: MailSetting, member: Member, notice: Notice, stories: Sequence[Story],
                    rounds: Mapping[str, Round]) -> Composed:
    """The MY STORIES reply to `member` (threaded under their email; same Message-ID as any
    notice reply), with the full text inline or, when long, attached."""
    mine = own_stories(stories, member.id)
    full = stories_full_text(mine, rounds, ms.tz)
    long = len(full.encode("utf-8")) > LONG_BYTES
    if not mine:
        listed = "(Nothing yet. Your first story is welcome whenever you are ready.)"
    elif long:
        listed = (f"{stories_list(mine)}\n\nThe full text of all {len(mine)} stories is "
                  f"attached as {ATTACHMENT_NAME}, oldest first.")
    else:
        listed = full
    values = {"circle": clean_line(ms.circle.name), "name": clean_line(member.name).split(" ")[0],
              "full_name": clean_line(member.name),
              "signature": ms.signature or clean_line(ms.circle.name),
              "command": "MY STORIES", "detail": "", "digest": "the next digest",
              "stories": listed}
    subject, body = render("my_stories", values, ms.templates)
    token = member_token(ms.secret, member, notice.round_id)
    mid = mint_message_id(ms.circle, token, "notice", notice.round_id, member.id,
                          extra=notice.id)
    msg = headers(ms.circle, member, kind=notice.kind, round_id=notice.round_id, token=token,
                  mid=mid, subject=subject, now=ms.now, in_reply_to=notice.in_reply_to)
    set_text(msg, wrap(body))
    if long:
        msg.add_attachment(full.rstrip("\n") + "\n", subtype="plain", charset="utf-8",
                           filename=ATTACHMENT_NAME, cte="quoted-printable")
    return finish(msg, notice.kind, notice.round_id, member, mid)
