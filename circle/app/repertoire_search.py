"""The repertoire screen's queries: words plus `member:` `theme:` `round:` `question:` filters,
and the themes across every year. Both read the store (call them from a worker)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from circle.app.search import Hit, search, terms
from circle.errors import NotFoundError
from circle.members import find_member
from circle.model import Member, Round, Story
from circle.ports import Store

FILTERS = ("member", "theme", "round", "question")


@dataclass(frozen=True)
class Query:
    """What the steward typed, split into words and filters."""

    words: str = ""
    member: str = ""
    theme: str = ""
    round_id: str = ""
    question: str = ""


@dataclass(frozen=True)
class ThemeCount:
    """One theme across the years: how many stories carry it, first and last round."""

    theme: str
    stories: int
    first_round: str
    last_round: str


def parse_query(text: str) -> Query:
    """`lecture member:ana theme:"letting go" round:2026-07 question:listen` → a Query."""
    try:
        tokens = shlex.split(text)
    except ValueError:  # an unclosed quote: take the words as they are
        tokens = text.split()
    found: dict[str, list[str]] = {name: [] for name in ("words", *FILTERS)}
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key.lower() in FILTERS and value:
            found[key.lower()].append(value)
        else:
            found["words"].append(token)
    return Query(words=" ".join(found["words"]), member=" ".join(found["member"]),
                 theme=" ".join(found["theme"]), round_id=" ".join(found["round"]),
                 question=" ".join(found["question"]))


def find(store: Store, query: Query, members: list[Member], rounds: list[Round]) -> list[Hit]:
    """Every matching story and response, hot and archived, newest round first; no cap.

    NotFoundError if `member:` names nobody (or several).
    """
    member_id = find_member(members, query.member).id if query.member else ""
    hits = search(store, query.words, member_id=member_id, round_id=query.round_id,
                  theme=query.theme)
    if query.question:
        words = terms(query.question)
        asked = {r.id for r in rounds if all(w in r.question.casefold() for w in words)}
        hits = [h for h in hits if h.round_id in asked]
    return hits


def themes(store: Store) -> list[ThemeCount]:
    """Every theme given to a story in any year, most used first."""
    rows = [*store.project_archived(Story, "themes", "round_id"),
            *store.project(Story, "themes", "round_id")]
    seen: dict[str, tuple[str, list[str]]] = {}
    for tags, round_id in rows:
        for tag in tags or ():
            label = " ".join(str(tag).split())
            if not label:
                continue
            where = seen.setdefault(label.casefold(), (label, []))[1]
            where.append(str(round_id))
    out = [ThemeCount(shown, len(where), min(where), max(where))
           for shown, where in seen.values()]
    return sorted(out, key=lambda t: (-t.stories, t.theme.casefold()))


def quoted(value: str) -> str:
    """A filter value as the query box takes it (quoted when it has spaces)."""
    return f'"{value}"' if re.search(r"\s", value) else value


__all__ = ["FILTERS", "NotFoundError", "Query", "ThemeCount", "find", "parse_query", "quoted",
           "themes"]
