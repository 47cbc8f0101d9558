"""The digest as accessible HTML: semantic headings, lang attribute, every member text escaped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from zoneinfo import ZoneInfo

from circle.carrying import digest_month_of
from circle.compose.digest_data import Continuing, DigestData, DigestStory, ThreadEntry
from circle.compose.digest_text import (
    Link,
    agreements_lines,
    celebration,
    gathering_line,
    next_round,
    reply_words,
    thanks_lines,
)
from circle.compose.templates import render
from circle.compose.text import clean_line, month_name
from circle.model import Circle

_STYLE = ("font-family: Georgia, 'Times New Roman', serif; font-size: 18px; line-height: 1.6; "
          "color: #222; background: #fff; max-width: 38em; margin: 0 auto; padding: 1em;")


def paragraphs(text: str) -> str:
    """Member text as escaped HTML paragraphs: blank lines split paragraphs, newlines are <br>."""
    paras = [p.strip("\n") for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "\n".join("<p>" + "<br>\n".join(escape(line) for line in p.split("\n")) + "</p>"
                     for p in paras)


def text_to_html(text: str) -> str:
    """A steward's plain-text fragment as HTML: underlined lines become <h2>, '- ' lines a list."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        if len(lines) >= 2 and re.fullmatch(r"[-=~]{3,}", lines[1].strip()):
            out.append(f"<h2>{escape(lines[0].strip())}</h2>")
            lines = lines[2:]
        if lines and all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines:
            out.append(paragraphs("\n".join(lines)))
    return "\n".join(out)


def _thread(entries: tuple[ThreadEntry, ...]) -> str:
    if not entries:
        return ""
    items = []
    for e in entries:
        items.append(f"<li><p><strong>{escape(clean_line(e.author))}</strong> replied:</p>\n"
                     f"{paragraphs(e.text)}{_thread(e.children)}</li>")
    return "<ul class=\"thread\">\n" + "\n".join(items) + "\n</ul>"


def _story(n: int, story: DigestStory, link: str) -> str:
    author = escape(clean_line(story.author))
    thread = _thread(story.responses)
    responses = (f'<section aria-label="Responses to story {n}">\n{thread}\n</section>\n'
                 if thread else "")
    return (f'<article aria-labelledby="story-{n}">\n<h3 id="story-{n}">{n}. {author}</h3>\n'
            f"{paragraphs(story.text)}\n{responses}"
            f'<p><a href="{escape(link, quote=True)}">{escape(reply_words(story))}</a></p>\n'
            "</article>")


def _continuing(item: Continuing, link: str) -> str:
    story = item.story
    head = f"{clean_line(story.author)}'s story" if story.named else "A story"
    month = digest_month_of(item.round_id) or item.round_id
    ident = f"continuing-{escape(story.id, quote=True)}"
    return (f'<article aria-labelledby="{ident}">\n<h3 id="{ident}">{escape(head)} from '
            f"{escape(month)}</h3>\n<blockquote>{paragraphs(story.text)}</blockquote>\n"
            f"{_thread(story.responses)}\n"
            f'<p><a href="{escape(link, quote=True)}">{escape(reply_words(story))}</a></p>\n'
            "</article>")


def _section(title: str, inner: str, ident: str) -> str:
    return (f'<section aria-labelledby="{ident}">\n<h2 id="{ident}">{escape(title)}</h2>\n'
            f"{inner}\n</section>")


def digest_html(circle: Circle, data: DigestData, link: Link,
                templates: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """The HTML alternative of the digest for one reader (whose links `link` gives)."""
    tz = ZoneInfo(circle.timezone)
    title = f"{clean_line(circle.name)}: digest for {month_name(data.gathering.astimezone(tz))}"
    parts = [_section(f"A note from {clean_line(data.note_by)}", paragraphs(data.note), "note")
             ] if data.note else []
    parts += [_section("This month's gathering",
                      paragraphs(gathering_line(circle, data, tz)), "gathering")]
    if data.welcome:
        heading = f"Welcome from {data.host_name}" if data.host_name else "Welcome"
        parts.append(_section(heading, paragraphs(data.welcome), "welcome"))
    if data.question:
        parts.append(_section("This month's question",
                              f"<blockquote>{paragraphs(data.question)}</blockquote>", "question"))
    # Extra sections (DigestData.sections) go here, after the question, before the stories.
    parts += [_section(sec.title, paragraphs(sec.text), sec.ident) for sec in data.sections]
    if data.stories:
        stories = "\n".join(_story(n, s, link(s)) for n, s in enumerate(data.stories, 1))
        parts.append(_section("Stories", stories, "stories"))
    if data.continuing:
        items = "\n".join(_continuing(c, link(c.story)) for c in data.continuing)
        parts.append(_section("Continuing conversations", items, "continuing"))
    cheers = celebration(data)
    if data.thanks or cheers:  # the celebrations: every appreciation, then the month's cheers
        items = "\n".join(f"<li>{escape(line)}</li>" for line in thanks_lines(data))
        inner = (f"<ul>\n{items}\n</ul>\n" if items else "") + (
            paragraphs(" ".join(cheers)) if cheers else "")
        parts.append(_section("Celebrating", inner, "celebrating"))
    upcoming = next_round(data, tz)
    if upcoming:
        parts.append(_section("Next round", paragraphs(upcoming), "next-round"))
    footer = render("digest_footer", {"agreements": agreements_lines(circle),
                                      "circle": clean_line(circle.name)}, templates)[1]
    main = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang, quote=True)}">\n<head>\n'
            f'<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n</head>\n<body style=\"{_STYLE}\">\n"
            f"<header>\n<h1>{escape(title)}</h1>\n</header>\n<main>\n{main}\n</main>\n"
            f"<footer>\n{text_to_html(footer)}\n</footer>\n</body>\n</html>\n")
