"""Full-text search over every round, archives included: words, member, round; no cap.

Reads the stored fields without decoding records (fast at ten years). Steward-only texts
are found too: search is the steward's view, never something sent to members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from circle.model import Response, Story
from circle.ports import Store

UNIT = "\x1f"  # between the themes of one record in a search row (data.store)
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
    """Every story and response (hot and archived) containing all the query's words.

    Words match anywhere in the text (case-folded, so "Geduld" finds "geduld"); `member_id`,
    `round_id` and `theme` narrow the result. No cap: ten years are a few MB of text.
    """
    words = terms(query)
    theme = theme.casefold()
    hits: list[Hit] = []
    for cls, kind in ((Story, "story"), (Response, "response")):
        for cells, folded in store.search_rows(cls):
            rid, rnd, who, state, vis, themes, text = cells
            if (member_id and who != member_id) or (round_id and rnd != round_id):
                continue
            if theme and theme not in themes.casefold().split(UNIT):
                continue
            body = folded[folded.rfind("\t") + 1:]  # the text is the last cell
            if all(w in body for w in words):
                at = body.find(words[0]) if words else 0
                hits.append(Hit(kind, rid, rnd, who, state, vis, _snippet(text, at)))
    return sorted(hits, key=lambda h: (h.round_id, h.id), reverse=True)


def _snippet(text: str, at: int, width: int = 120) -> str:
    """The text around position `at` (the first matching word); the search rows' text is
    already on one line."""
    start = max(0, at - width // 3)
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
