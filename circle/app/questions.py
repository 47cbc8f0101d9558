"""Every question the circle was asked, with its host, date and how many answered or passed.

Reads hot and archived rounds and stories (a worker or a command, never the TUI's loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from circle.app.repertoire import every
from circle.model import HostState, Member, Round, RoundState, Story, StoryState
from circle.ports import Store


@dataclass(frozen=True)
class AskedQuestion:
    """One round's question and what it drew."""

    round_id: str
    gathering: datetime
    question: str
    host_id: str
    host_name: str
    answered: int  # members who sent a story (withdrawn ones not counted)
    passed: int  # members who said PASS
    state: str

    def as_json(self) -> dict[str, object]:
        """The `circle questions list --json` object."""
        return {"round": self.round_id, "date": self.gathering.date().isoformat(),
                "question": self.question, "host": self.host_name or None,
                "host_id": self.host_id or None, "answered": self.answered,
                "passed": self.passed, "state": self.state}


def questions(store: Store) -> list[AskedQuestion]:
    """Every round that asked a question (sent, not just planned), oldest first."""
    names = {m.id: m.name for m in store.all(Member)}
    answered: dict[str, set[str]] = {}
    for story in every(store, Story):
        if story.state != StoryState.WITHDRAWN:
            answered.setdefault(story.round_id, set()).add(story.member_id)
    out: list[AskedQuestion] = []
    for rnd in sorted(every(store, Round), key=lambda r: (r.gathering, r.id)):
        if not rnd.question or rnd.state == RoundState.PLANNED:
            continue
        host = rnd.host_id if rnd.host_state == HostState.ACCEPTED and rnd.host_id else ""
        out.append(AskedQuestion(
            round_id=rnd.id, gathering=rnd.gathering, question=rnd.question, host_id=host,
            host_name=names.get(host, host), answered=len(answered.get(rnd.id, set())),
            passed=len(set(rnd.passes) - answered.get(rnd.id, set())),
            state=rnd.state.value))
    return out


def popular_questions(store: Store, n: int = 5) -> list[str]:
    """A few past questions that drew many stories, for the host invitation and its kit.

    The questions with the most members answering (ties: the more recent first), each with
    its month and count ("What did you plant? (March 2026: 9 stories)"); questions nobody
    answered are left out. Reads the archives: called only when an invitation is composed.
    """
    from circle.carrying import digest_month_of

    asked = [q for q in questions(store) if q.answered > 0]
    best = sorted(asked, key=lambda q: (q.answered, q.gathering), reverse=True)[:n]
    out = []
    for q in best:
        month = digest_month_of(q.round_id) or q.round_id
        count = f"{q.answered} {'story' if q.answered == 1 else 'stories'}"
        out.append(f"{' '.join(q.question.split())} ({month}: {count})")
    return out
