"""The digest email for one member: plain text first, HTML alternative, per-story reply links."""

from __future__ import annotations

from urllib.parse import quote

from circle.compose.digest_data import DigestData, DigestStory
from circle.compose.digest_html import digest_html
from circle.compose.digest_text import Link, digest_text
from circle.compose.mails import MailSetting
from circle.compose.message import (
    Composed,
    add_html,
    finish,
    headers,
    member_token,
    mint_message_id,
    set_text,
)
from circle.model import Member
from circle.tokens import reply_address

PREVIEW_LINK = "mailto:reply-to-this-story@preview.invalid"


def story_link(ms: MailSetting, member: Member, round_id: str, story: DigestStory) -> str:
    """mailto link whose address carries a token (member, round, parent=story id)."""
    token = member_token(ms.secret, member, round_id, story.id)
    first = story.author.split(" ")[0]
    about = f"Re: {first}'s story" if story.named else "Re: a story in the digest"
    return f"mailto:{reply_address(ms.circle.address, token)}?subject={quote(about, safe='')}"


def _links(ms: MailSetting, member: Member, round_id: str) -> Link:
    return lambda story: story_link(ms, member, round_id, story)


def digest_message_id(ms: MailSetting, member: Member, round_id: str) -> str:
    """The stable Message-ID of `member`'s copy of the round's digest."""
    token = member_token(ms.secret, member, round_id)
    return mint_message_id(ms.circle, token, "digest", round_id, member.id)


def digest_mail(ms: MailSetting, member: Member, data: DigestData) -> Composed:
    """`member`'s own copy of the digest (their reply links), text/plain then text/html."""
    link = _links(ms, member, data.round_id)
    subject, text = digest_text(ms.circle, data, link, ms.templates)
    token = member_token(ms.secret, member, data.round_id)
    mid = digest_message_id(ms, member, data.round_id)
    msg = headers(ms.circle, member, kind="digest", round_id=data.round_id, token=token,
                  mid=mid, subject=subject, now=ms.now)
    set_text(msg, text)
    add_html(msg, digest_html(ms.circle, data, link, ms.templates))
    return finish(msg, "digest", data.round_id, member, mid)


def preview_text(ms: MailSetting, data: DigestData) -> str:
    """The digest as the steward previews it: subject line, then the plain text."""
    subject, text = digest_text(ms.circle, data, lambda _s: PREVIEW_LINK, ms.templates)
    return f"Subject: {subject}\n\n{text}"


def preview_html(ms: MailSetting, data: DigestData) -> str:
    """The digest's HTML as the steward previews it (placeholder reply links)."""
    return digest_html(ms.circle, data, lambda _s: PREVIEW_LINK, ms.templates)
