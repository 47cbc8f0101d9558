"""The circle's repertoire as its members may read it: every round, by its authors' consent.

One reading of the store (hot and archived) for the export (`circle repertoire export`).
The consent rules are the digest's own (`circle.compose.digest_data.build_digest`): only
approved stories and responses; steward-only ones never leave; anonymous ones carry no name
and no id (stories are numbered within their round); withdrawn ones are gone. Only rounds
whose digest went out are shared: before that, the circle itself has not read them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from circle.compose.digest_data import ANONYMOUS, build_digest
from circle.compose.shared import Repertoire, SharedRound, SharedStory, Unshared
from circle.compose.text import clean_line
from circle.config import ScheduleSettings
from circle.model import (
    Circle,
    HostState,
    Member,
    OutboxItem,
    OutboxState,
    Response,
    Round,
    RoundState,
    Story,
    StoryState,
    Visibility,
)
from circle.ports import Store

R = TypeVar("R")
SHARED_ROUNDS = (RoundState.DIGEST_SENT, RoundState.CLOSED)


def every(store: Store, cls: type[R]) -> list[R]:
    """Hot and archived records of `cls`, one per key (the hot copy wins, as reads do)."""
    found: dict[str, R] = {}
    for record in store.archived(cls):
        found[getattr(record, "key")] = record  # noqa: B009
    for record in store.all(cls):
        found[getattr(record, "key")] = record  # noqa: B009
    return list(found.values())


def repertoire(store: Store) -> Repertoire:
    """Everything the circle's members may read of its past, by consent."""
    circles = store.all(Circle)
    members = store.all(Member)
    names = {m.id: clean_line(m.name) for m in members}
    rounds = sorted((r for r in every(store, Round) if r.state in SHARED_ROUNDS),
                    key=lambda r: (r.gathering, r.id))
    stories = every(store, Story)
    responses = every(store, Response)
    themes = {s.id: tuple(clean_line(t, 60) for t in s.themes if clean_line(t, 60))
              for s in stories}
    shared: list[SharedRound] = []
    for rnd in rounds:
        data = build_digest(rnd, members=members, stories=stories, responses=responses,
                            appreciations=[], rounds=[], settings=ScheduleSettings(), force=True)
        host = names.get(rnd.host_id or "", "") if rnd.host_state == HostState.ACCEPTED else ""
        shared.append(SharedRound(
            id=rnd.id, gathering=rnd.gathering, question=data.question, host_name=host,
            stories=tuple(SharedStory(n, s.author, s.named, s.text, themes.get(s.id, ()),
                                      s.responses)
                          for n, s in enumerate(data.stories, start=1))))
    return Repertoire(circle_name=clean_line(circles[0].name) if circles else "The circle",
                      circle_address=circles[0].address if circles else "",
                      rounds=tuple(shared), unshared=tuple(_unshared(stories, responses, names)))


def _unshared(stories: list[Story], responses: list[Response],
              names: dict[str, str]) -> list[Unshared]:
    """Texts an old digest may hold that may not leave now (or not with their name)."""
    out: list[Unshared] = []
    posts: list[Any] = [*stories, *responses]
    for post in posts:
        gone = post.state != StoryState.APPROVED or post.visibility == Visibility.STEWARD
        if gone or post.visibility == Visibility.ANONYMOUS:
            out.append(Unshared(post.round_id, post.text, names.get(post.member_id, ""), gone))
    return out


def sent_digests(store: Store, steward_email: str = "") -> list[tuple[str, str]]:
    """(round id, composed body) of one sent digest per round, oldest round first.

    The steward's own copy when there is one, else the first by id that has a body. Lists
    read only the stored fields (no bodies); the chosen bodies load from blobs.
    """
    fields = ("id", "kind", "state", "round_id", "recipient")
    rows = [*store.project_archived(OutboxItem, *fields), *store.project(OutboxItem, *fields)]
    steward = steward_email.lower()
    candidates: dict[str, list[tuple[bool, str]]] = {}
    for item_id, kind, state, round_id, recipient in rows:
        if kind == "digest" and state == OutboxState.SENT.value and round_id:
            rank = (str(recipient).lower() != steward or not steward, str(item_id))
            candidates.setdefault(str(round_id), []).append(rank)
    out: list[tuple[str, str]] = []
    for round_id in sorted(candidates):
        for _mine, item_id in sorted(candidates[round_id]):
            full = store.get(OutboxItem, item_id)
            if full is not None and full.raw:
                out.append((round_id, full.raw))
                break
    return out


__all__ = ["ANONYMOUS", "Repertoire", "SharedRound", "SharedStory", "Unshared", "repertoire",
           "sent_digests"]
