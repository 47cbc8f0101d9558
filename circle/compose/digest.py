"""The digest email for one member: plain text first, HTML alternative, per-story reply links.

Each story's reply link carries a short reply key (`circle+r-7fk2qa3bcd@example.org`,
`circle.tokens.short_key`) instead of a long HMAC token, so in the text part the link fits on
one 72-column line; `digest_reply_keys` gives the records the use-case stores with the digest,
and ingest looks them up (circle.matching).
"""

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
from circle.compose.text import WIDTH, clean_line
from circle.model import Member, ReplyKey
from circle.tokens import TokenClaim, reply_address, short_key

PREVIEW_LINK = "mailto:reply-to-this-story@preview.invalid"
_SUBJECT_SAFE = ":'!()*,;@"  # characters a mailto query may carry unescaped (RFC 6068)


def story_key(ms: MailSetting, member: Member, round_id: str, story_id: str) -> str:
    """The short reply key of `member`'s link to story `story_id` in round `round_id`'s digest."""
    return short_key(ms.secret, TokenClaim(member.id, round_id, story_id))


def _about(story: DigestStory) -> str:
    first = clean_line(story.author).split(" ")[0]
    return f"Re: {first}'s story" if story.named else "Re: a story in the digest"


def story_link(ms: MailSetting, member: Member, round_id: str, story: DigestStory, *,
               width: int | None = None) -> str:
    """The mailto link replying to `story` as `member`: its address carries a short key.

    With `width`, the subject is left out when `<link>` would not fit in `width` columns
    (the address alone says which story; the text part keeps each link on one line).
    """
    address = reply_address(ms.circle.address, story_key(ms, member, round_id, story.id))
    full = f"mailto:{address}?subject={quote(_about(story), safe=_SUBJECT_SAFE)}"
    if width is not None and len(full) + 2 > width:
        return f"mailto:{address}"
    return full


def digest_reply_keys(ms: MailSetting, member: Member, data: DigestData) -> list[ReplyKey]:
    """The short reply keys in `member`'s copy of the digest, as records to store with it."""
    stories = [*data.stories, *(c.story for c in data.continuing)]
    return [ReplyKey(id=story_key(ms, member, data.round_id, s.id), member_id=member.id,
                     round_id=data.round_id, parent_id=s.id, created_at=ms.now)
            for s in stories]


def _links(ms: MailSetting, member: Member, round_id: str, width: int | None = None) -> Link:
    return lambda story: story_link(ms, member, round_id, story, width=width)


def digest_message_id(ms: MailSetting, member: Member, round_id: str) -> str:
    """The stable Message-ID of `member`'s copy of the round's digest."""
    token = member_token(ms.secret, member, round_id)
    return mint_message_id(ms.circle, token, "digest", round_id, member.id)


def member_parts(ms: MailSetting, member: Member, data: DigestData) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of `member`'s copy: exactly what `digest_mail` sends."""
    subject, text = digest_text(ms.circle, data, _links(ms, member, data.round_id, WIDTH),
                                ms.templates)
    html = digest_html(ms.circle, data, _links(ms, member, data.round_id), ms.templates)
    return subject, text, html


def digest_mail(ms: MailSetting, member: Member, data: DigestData) -> Composed:
    """`member`'s own copy of the digest (their reply links), text/plain then text/html."""
    subject, text, html = member_parts(ms, member, data)
    token = member_token(ms.secret, member, data.round_id)
    mid = digest_message_id(ms, member, data.round_id)
    msg = headers(ms.circle, member, kind="digest", round_id=data.round_id, token=token,
                  mid=mid, subject=subject, now=ms.now)
    set_text(msg, text)
    add_html(msg, html)
    return finish(msg, "digest", data.round_id, member, mid)


def preview_text(ms: MailSetting, data: DigestData, member: Member | None = None) -> str:
    """The digest as the steward previews it: subject line, then the plain text.

    With `member`, their own copy ("as Ana will see it": To line and their reply links).
    """
    if member is not None:
        subject, text, _html = member_parts(ms, member, data)
        return f"To: {clean_line(member.name)} <{member.email}>\nSubject: {subject}\n\n{text}"
    subject, text = digest_text(ms.circle, data, lambda _s: PREVIEW_LINK, ms.templates)
    return f"Subject: {subject}\n\n{text}"


def preview_html(ms: MailSetting, data: DigestData, member: Member | None = None) -> str:
    """The digest's HTML as the steward previews it (placeholder links, or `member`'s own)."""
    if member is not None:
        return member_parts(ms, member, data)[2]
    return digest_html(ms.circle, data, lambda _s: PREVIEW_LINK, ms.templates)
