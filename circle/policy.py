"""Policy: a tuple of small named rules; each returns why a story/response is held, or None."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from circle.matching import VIA_FROM
from circle.model import Member, MemberStatus, Round, RoundState
from circle.transitions import effective_status


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one incoming story or response."""

    member: Member | None
    round: Round | None
    via: str
    text: str
    received_at: datetime
    today: date
    max_words: int
    is_response: bool = False
    stories_this_round: int = 0  # the member's earlier stories in this round
    attachments: Sequence[str] = field(default_factory=tuple)


Rule = Callable[[Facts], str | None]


def unknown_sender(f: Facts) -> str | None:
    """No member writes from this address."""
    return "unknown_sender: not a member's address" if f.member is None else None


def unverified_sender(f: Facts) -> str | None:
    """Matched by the From address only (no reply token): From is easy to forge."""
    if f.via == VIA_FROM:
        return "unverified_sender: matched by From address only (no reply token)"
    return None


def member_left(f: Facts) -> str | None:
    """The member left the circle."""
    if f.member is not None and f.member.status == MemberStatus.LEFT:
        return f"member_left: {f.member.name} has left the circle"
    return None


def member_paused(f: Facts) -> str | None:
    """The member's mail is paused."""
    if f.member is not None and effective_status(f.member, f.today) == MemberStatus.PAUSED:
        until = f" until {f.member.paused_until}" if f.member.paused_until else ""
        return f"member_paused: {f.member.name} is paused{until}"
    return None


def no_round(f: Facts) -> str | None:
    """No round to file it under (no open round and no round in the token)."""
    return "no_round: no round is open" if f.round is None else None


def round_not_open(f: Facts) -> str | None:
    """The question of this round has not been sent yet."""
    if f.round is not None and f.round.state == RoundState.PLANNED:
        return f"round_not_open: the question of {f.round.id} has not been sent yet"
    return None


def late(f: Facts) -> str | None:
    """A story that arrived after the round's digest was sent.

    Responses are exempt: threads grow from the digest's reply links, after it was sent.
    """
    if f.round is None or f.is_response:
        return None
    sent = f.round.fired.get("digest")
    if f.round.state in (RoundState.DIGEST_SENT, RoundState.CLOSED) or (
            sent is not None and sent <= f.received_at):
        when = f" on {sent.date().isoformat()}" if sent else ""
        return f"late: arrived after the digest of {f.round.id} was sent{when}"
    return None


def too_long(f: Facts) -> str | None:
    """Longer than the circle's max_story_words."""
    words = len(f.text.split())
    if f.max_words > 0 and words > f.max_words:
        return f"too_long: {words} words (the limit is {f.max_words})"
    return None


MAX_STORY_BYTES = 32_000
"""About 5,000 words of UTF-8: far more than any story; a digest stays readable."""
MAX_LINE_CHARS = 2_000
"""A longer line is not prose (a pasted blob, a 1 MB "word"): it would break every digest."""


def too_large(f: Facts) -> str | None:
    """Too many bytes, or a line too long to be prose, whatever the word count says."""
    size = len(f.text.encode("utf-8", "surrogatepass"))
    if size > MAX_STORY_BYTES:
        return f"too_large: {size:,} bytes (the limit is {MAX_STORY_BYTES:,})"
    longest = max((len(line) for line in f.text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        return f"too_large: a line of {longest:,} characters (the limit is {MAX_LINE_CHARS:,})"
    return None


def another_story(f: Facts) -> str | None:
    """The member already offered a story this round (a second one, or a resend)."""
    if not f.is_response and f.stories_this_round > 0:
        return f"another_story: {f.stories_this_round} earlier story this round"
    return None


RULES: tuple[Rule, ...] = (unknown_sender, unverified_sender, member_left, member_paused,
                           no_round, round_not_open, late, too_long, too_large, another_story)


def held_reasons(facts: Facts, rules: Sequence[Rule] = RULES) -> list[str]:
    """Every reason the rules give, in rule order ([] = nothing holds it back)."""
    return [reason for rule in rules if (reason := rule(facts)) is not None]
