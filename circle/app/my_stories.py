"""The MY STORIES reply: the member's own stories of every year, read for one email.

Reads only that member's stories (ids found by projection, then fetched), hot and archived,
and the rounds they answer; composed by `circle.compose.my_stories.my_stories_mail`.
"""

from __future__ import annotations

from circle.compose.mails import MailSetting
from circle.compose.message import Composed
from circle.compose.my_stories import my_stories_mail
from circle.model import Member, Notice, Round, Story
from circle.ports import Store


def member_stories(store: Store, member_id: str) -> list[Story]:
    """Every story `member_id` sent (any state), hot and archived; the hot copy wins."""
    ids = [key for key, who in store.project(Story, "id", "member_id") if who == member_id]
    ids += [key for key, who in store.project_archived(Story, "id", "member_id")
            if who == member_id]
    found = (store.get(Story, key) for key in dict.fromkeys(ids))
    return [s for s in found if s is not None]


def my_stories_reply(store: Store, ms: MailSetting, member: Member, notice: Notice) -> Composed:
    """The reply to `member`'s MY STORIES with the full text of their own stories."""
    stories = member_stories(store, member.id)
    rounds: dict[str, Round] = {}
    for rid in dict.fromkeys(s.round_id for s in stories):
        rnd = store.get(Round, rid)
        if rnd is not None:
            rounds[rid] = rnd
    return my_stories_mail(ms, member, notice, stories, rounds)
