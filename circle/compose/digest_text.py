"""The digest as plain text, wrapped at 72 columns, readable in any mail client."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from circle.carrying import digest_month_of
from circle.compose.digest_data import Continuing, DigestData, DigestStory, ThreadEntry
from circle.compose.templates import render
from circle.compose.text import (
    clean_line,
    indent,
    long_date,
    month_name,
    names_list,
    subject_question,
    underline,
    when,
    wrap,
)
from circle.model import Circle

Link = Callable[[DigestStory], str]
"""Gives the "reply to this story" mailto link of a story for the reader."""


def agreements_lines(circle: Circle) -> str:
    """The agreements as bullets."""
    return "\n".join(f"- {clean_line(a, 400)}" for a in circle.agreements) or "- (none yet)"


def celebration(data: DigestData) -> list[str]:
    """Sentences celebrating this round: who contributed, first stories, the host thanked."""
    lines = []
    if data.contributors:
        lines.append(f"This month {names_list(list(data.contributors))} shared their "
                     "stories and responses with the circle. Thank you.")
    if data.first_timers:
        who = names_list(list(data.first_timers))
        lines.append(f"A warm welcome to {who}, who shared a first story with us.")
    if data.host_name:
        lines.append(f"And thank you, {data.host_name}, for hosting this round.")
    return lines


def next_round(data: DigestData, tz: ZoneInfo) -> str:
    """One sentence about the next round: host, question date, gathering."""
    parts = []
    if data.next_host:
        parts.append(f"{data.next_host} hosts the next round.")
    elif data.next_gathering:
        parts.append("The next host is not settled yet: just reply if you would like to host.")
    if data.next_question_at:
        parts.append(f"The question comes on {long_date(data.next_question_at.astimezone(tz))}")
    if data.next_gathering:
        gathering = when(data.next_gathering.astimezone(tz))
        if data.next_question_at:
            parts[-1] += f" and we gather on {gathering}."
        else:
            parts.append(f"We gather on {gathering}.")
    elif data.next_question_at:
        parts[-1] += "."
    return " ".join(parts)


def _thread(entries: tuple[ThreadEntry, ...], depth: int) -> list[str]:
    out: list[str] = []
    prefix = "    " * min(depth, 3)
    for e in entries:
        out += ["", f"{prefix}{clean_line(e.author)} replied:", indent(e.text, prefix)]
        out += _thread(e.children, depth + 1)
    return out


def reply_words(story: DigestStory) -> str:
    """The words of a story's reply link, saying whose story it answers."""
    if story.named:
        return f"Reply to {clean_line(story.author).split(' ')[0]}'s story"
    return "Reply to this story (its author is not named)"


def story_block(n: int, story: DigestStory, link: str) -> str:
    """One numbered story with its thread and its reply link (on a line of its own)."""
    head = underline(f"{n}. {story.author}", "~")
    lines = [head, wrap(story.text)]
    lines += _thread(story.responses, 1)
    lines += ["", f"{reply_words(story)}:", f"<{link}>"]
    return "\n".join(lines)


def note_block(data: DigestData) -> str:
    """The steward's note, first in the digest ("" when there is none)."""
    if not data.note:
        return ""
    return f"{underline(f'A note from {clean_line(data.note_by)}')}\n{wrap(data.note)}"


def thanks_lines(data: DigestData) -> list[str]:
    """One line per appreciation: 'Ben thanks Ana: for …' (THANKS and steward-marked)."""
    return [f"{t.giver} thanks {clean_line(t.to)}: {t.text}" for t in data.thanks]


def gathering_line(circle: Circle, data: DigestData, tz: ZoneInfo) -> str:
    """'We gather on Wednesday 25 November 2026 at 18:00. Where: ...' (this round's)."""
    line = f"We gather on {when(data.gathering.astimezone(tz))}."
    place = clean_line(circle.gathering_place, 300)
    return f"{line} Where: {place}." if place and place[-1] not in ".!?" else (
        f"{line} Where: {place}" if place else line)


def continuing_block(item: Continuing, link: str) -> str:
    """Responses to an earlier story, under the story's opening line, with its reply link."""
    story = item.story
    head = f"{clean_line(story.author)}'s story" if story.named else "A story"
    lines = [underline(f"{head} from {digest_month_of(item.round_id) or item.round_id}", "~"),
             indent(f"\"{story.text}\"", "    ")]
    lines += _thread(story.responses, 1)
    lines += ["", f"{reply_words(story)}:", f"<{link}>"]
    return "\n".join(lines)


def digest_text(circle: Circle, data: DigestData, link: Link,
                templates: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(subject, body) of the plain-text digest for one reader (whose links `link` gives)."""
    tz = ZoneInfo(circle.timezone)
    month = month_name(data.gathering.astimezone(tz))
    blocks = [underline(f"{circle.name}: digest for {month}", "=")]
    if data.note:
        blocks.append(note_block(data))
    blocks.append(f"{underline('This month' + chr(39) + 's gathering')}\n"
                  f"{wrap(gathering_line(circle, data, tz))}")
    if data.welcome:
        title = f"Welcome from {data.host_name}" if data.host_name else "Welcome"
        blocks.append(f"{underline(title)}\n{wrap(data.welcome)}")
    if data.question:
        title = underline("This month's question")
        blocks.append(f"{title}\n{indent(data.question, '    ')}")
    # Extra sections (DigestData.sections) go here, after the question, before the stories.
    blocks += [f"{underline(sec.title)}\n{wrap(sec.text)}" for sec in data.sections]
    if data.stories:
        blocks.append(underline("Stories"))
        blocks += [story_block(n, s, link(s)) for n, s in enumerate(data.stories, 1)]
    if data.continuing:
        blocks.append(underline("Continuing conversations"))
        blocks += [continuing_block(c, link(c.story)) for c in data.continuing]
    cheers = celebration(data)
    if data.thanks or cheers:  # the celebrations: every appreciation, then the month's cheers
        parts = [wrap(f"- {line}") for line in thanks_lines(data)]
        if cheers:
            parts.append(("\n" if parts else "") + wrap(" ".join(cheers)))
        blocks.append(underline("Celebrating") + "\n" + "\n".join(parts))
    upcoming = next_round(data, tz)
    if upcoming:
        blocks.append(underline("Next round") + "\n" + wrap(upcoming))
    footer = render("digest_footer", {"agreements": agreements_lines(circle),
                                      "circle": clean_line(circle.name)}, templates)[1]
    blocks.append(wrap(footer))
    body = "\n\n".join(blocks)
    subject, text = render("digest", {"circle": clean_line(circle.name), "month": month,
                                      "question_short": subject_question(data.question),
                                      "body": body}, templates)
    return subject, text


def digest_month(circle: Circle, gathering: datetime) -> str:
    """'November 2026' for the round gathering at `gathering`."""
    return month_name(gathering.astimezone(ZoneInfo(circle.timezone)))
