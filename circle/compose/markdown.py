"""The repertoire as Markdown: `README.md` listing the rounds, one `rounds/<id>.md` per round.

Pure ({relative path: text}). Member text is escaped so no renderer turns it into markup:
every ASCII punctuation Markdown gives meaning to is backslash-escaped (CommonMark allows it
before any ASCII punctuation), so `<script>` or `[link](…)` stays literal text.
"""

from __future__ import annotations

import re

from circle.compose.digest_data import ThreadEntry
from circle.compose.shared import Repertoire, SharedRound, SharedStory
from circle.compose.site import slug
from circle.compose.text import long_date, month_name

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&=:\"'])")


def md_escape(text: str) -> str:
    """Text that every Markdown renderer shows literally (one paragraph per blank line)."""
    lines = [_SPECIAL.sub(r"\\\1", line.rstrip()) for line in text.splitlines()]
    return "  \n".join(lines).replace("  \n  \n", "\n\n")


def _thread(entries: tuple[ThreadEntry, ...], depth: int) -> list[str]:
    out: list[str] = []
    pad = "  " * depth
    for e in entries:
        body = " ".join(e.text.split())
        out.append(f"{pad}- **{md_escape(e.author)}**: {md_escape(body)}")
        out.extend(_thread(e.children, depth + 1))
    return out


def _story(story: SharedStory) -> str:
    parts = [f"## Story {story.number} · {md_escape(story.author)}", "", md_escape(story.text)]
    if story.themes:
        parts += ["", "*Themes: " + ", ".join(md_escape(t) for t in story.themes) + "*"]
    if story.responses:
        parts += ["", "### Responses", "", *_thread(story.responses, 0)]
    return "\n".join(parts)


def _round(rnd: SharedRound) -> str:
    host = f" · hosted by {md_escape(rnd.host_name)}" if rnd.host_name else ""
    head = [f"# {month_name(rnd.gathering)}", "",
            f"Gathered on {long_date(rnd.gathering)}{host}", "",
            f"> {md_escape(rnd.question) or 'no question recorded'}", ""]
    stories = "\n\n".join(_story(s) for s in rnd.stories) or "No story was shared."
    return "\n".join(head) + "\n" + stories + "\n"


def markdown(rep: Repertoire) -> dict[str, str]:
    """Every Markdown file, by relative path."""
    lines = [f"# {md_escape(rep.circle_name)}: our shared repertoire", "",
             "For the circle's members only, shared with the authors' consent.", ""]
    for rnd in reversed(rep.rounds):
        lines.append(f"- [{month_name(rnd.gathering)}](rounds/{slug(rnd.id)}.md): "
                     f"{md_escape(rnd.question)} ({len(rnd.stories)} stories)")
    files = {"README.md": "\n".join(lines) + "\n"}
    for rnd in rep.rounds:
        files[f"rounds/{slug(rnd.id)}.md"] = _round(rnd)
    return files
