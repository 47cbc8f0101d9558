"""Full-text search over every round, archives included: words, member, round; no cap.

Reads the stored fields without decoding records (fast at ten years). Steward-only texts
are found too: search is the steward's view, never something sent to members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from circle.model import Response, Story
from circle.ports import Store

_FIELDS = ("id", "round_id", "member_id", "text", "state", "visibility", "themes")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    """One story or response that matches."""

    kind: str  # story | response
    id: str
    round_id: str
    member_id: str
    state: str
    visibility: str
    snippet: str


def terms(query: str) -> list[str]:
    """The words of a query, case-folded."""
    return [w.casefold() for w in _WORD.findall(query)]


def search(store: Store, query: str, *, member_id: str = "", round_id: str = "",
           theme: str = "") -> list[Hit]:
    """Every story and response (hot and archived) containing all the query's words."""
    words = terms(query)
    theme = theme.casefold()
    hits: list[Hit] = []
    for cls, kind in ((Story, "story"), (Response, "response")):
        rows = [*store.project_archived(cls, *_FIELDS), *store.project(cls, *_FIELDS)]
        for rid, rnd, who, text, state, vis, themes in rows:
            if (member_id and who != member_id) or (round_id and rnd != round_id):
                continue
            if theme and theme not in (str(t).casefold() for t in themes or ()):
                continue
            folded = str(text or "").casefold()
            if all(w in folded for w in words):
                at = folded.find(words[0]) if words else 0
                hits.append(Hit(kind, rid, rnd, who, state, vis, _snippet(str(text), at)))
    return sorted(hits, key=lambda h: (h.round_id, h.id), reverse=True)


def _snippet(text: str, at: int, width: int = 120) -> str:
    """The text around position `at` (the first matching word), on one line."""
    start = max(0, at - width // 3)
    piece = " ".join(text[start:start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
