"""What goes in a round's digest: approved stories by consent, threads, thanks, celebration,
responses to earlier stories ("continuing conversations") and extra sections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from circle.compose.text import clean_line, first_line
from circle.config import ScheduleSettings
from circle.errors import CircleError
from circle.model import (
    Appreciation,
    HostState,
    Member,
    Response,
    Round,
    Story,
    StoryState,
    Visibility,
)
from circle.schedule import timeline
from circle.text_safety import inert

ANONYMOUS = "A member of the circle"


class EmptyDigestError(CircleError):
    """The digest has nothing approved in it (send it anyway with --force)."""

    exit_code = 65


@dataclass(frozen=True)
class ThreadEntry:
    """One approved response in a thread, with the responses that grew from it."""

    id: str
    author: str  # a name, or ANONYMOUS
    text: str
    children: tuple[ThreadEntry, ...] = ()


@dataclass(frozen=True)
class DigestStory:
    """One approved story as the digest shows it."""

    id: str
    author: str  # a name, or ANONYMOUS
    named: bool
    text: str
    responses: tuple[ThreadEntry, ...] = ()


@dataclass(frozen=True)
class Thanks:
    """An approved appreciation: who thanks whom, in their words."""

    giver: str
    to: str
    text: str


@dataclass(frozen=True)
class Continuing:
    """Responses this digest carries to a story an earlier digest already held."""

    story: DigestStory  # the earlier story (text shortened to its opening) and its new replies
    round_id: str  # the round whose digest held the story


@dataclass(frozen=True)
class DigestSection:
    """An extra section of the digest (plain text), shown after the question.

    The place for parts other use-cases contribute (e.g. "From our last gathering"): a
    builder appends one to `DigestData.sections`; both the text and the HTML part show it.
    """

    title: str
    ident: str  # HTML id, e.g. "harvest"
    text: str  # plain text; member words already inert


@dataclass(frozen=True)
class DigestData:
    """Everything one round's digest says (the same for every member; links differ)."""

    round_id: str
    gathering: datetime
    host_name: str
    welcome: str
    question: str
    stories: tuple[DigestStory, ...]
    thanks: tuple[Thanks, ...]
    contributors: tuple[str, ...]
    first_timers: tuple[str, ...]
    next_host: str = ""
    next_question_at: datetime | None = None
    next_gathering: datetime | None = None
    continuing: tuple[Continuing, ...] = ()
    sections: tuple[DigestSection, ...] = ()
    note: str = ""  # the steward's note (Round.digest_note), shown at the top
    note_by: str = ""  # who signs it: the steward's name, or "the steward"

    @property
    def empty(self) -> bool:
        """True when nothing approved is in it."""
        return not (self.stories or self.thanks or self.continuing or self.sections)


def _shown(post: Story | Response) -> bool:
    return post.state == StoryState.APPROVED and post.visibility != Visibility.STEWARD


def _author(post: Story | Response, names: dict[str, str]) -> str:
    if post.visibility == Visibility.ANONYMOUS:
        return ANONYMOUS
    return names.get(post.member_id, ANONYMOUS)


def _threads(story: Story, responses: Sequence[Response],
             names: dict[str, str]) -> tuple[ThreadEntry, ...]:
    """The story's visible responses as a tree; a response under a hidden one moves up."""
    mine = [r for r in responses if r.story_id == story.id]
    by_id = {r.id: r for r in mine}
    shown = {r.id for r in mine if _shown(r)}

    def visible_parent(r: Response) -> str:
        seen: set[str] = set()
        parent = r.parent_id
        while parent in by_id and parent not in shown and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].parent_id
        return parent if parent in shown else story.id

    kids: dict[str, list[Response]] = {}
    for r in sorted(mine, key=lambda r: (r.received_at, r.id)):
        if r.id in shown:
            kids.setdefault(visible_parent(r), []).append(r)

    def build(parent: str, depth: int) -> tuple[ThreadEntry, ...]:
        if depth > 20:
            return ()
        return tuple(ThreadEntry(r.id, _author(r, names), inert(r.text).strip(),
                                 build(r.id, depth + 1)) for r in kids.get(parent, []))

    return build(story.id, 0)


def _continuing(rnd: Round, stories: Sequence[Story], responses: Sequence[Response],
                names: dict[str, str]) -> tuple[Continuing, ...]:
    """Approved responses filed under `rnd` that answer stories of earlier rounds.

    A response that arrives after its story's digest went is filed under the next round
    (`circle.carrying`), so it appears exactly once: here, under its story's opening line.
    """
    by_id = {s.id: s for s in stories}
    older = sorted({r.story_id for r in responses if r.round_id == rnd.id and _shown(r)
                    and r.story_id in by_id and by_id[r.story_id].round_id != rnd.id
                    and _shown(by_id[r.story_id])},
                   key=lambda sid: (by_id[sid].received_at, sid))
    out = []
    for sid in older:
        story = by_id[sid]
        thread = _threads(story, [r for r in responses if r.round_id == rnd.id], names)
        if thread:
            opening = first_line(inert(story.text), 100)
            out.append(Continuing(DigestStory(story.id, _author(story, names),
                                              story.visibility == Visibility.CIRCLE, opening,
                                              thread), story.round_id))
    return tuple(out)


def build_digest(rnd: Round, *, members: Sequence[Member], stories: Sequence[Story],
                 responses: Sequence[Response], appreciations: Sequence[Appreciation],
                 rounds: Sequence[Round], settings: ScheduleSettings,
                 force: bool = False) -> DigestData:
    """The digest of `rnd`: only approved stories and responses, by their authors' consent.

    Every member text in it is inert (`circle.text_safety.inert`), whatever the store holds.

    Anonymous posts carry no name and do not name their author among the contributors;
    steward-only posts never appear. Raises EmptyDigestError when nothing is approved, unless
    `force`.
    """
    names = {m.id: clean_line(m.name) for m in members}
    here = sorted((s for s in stories if s.round_id == rnd.id and _shown(s)),
                  key=lambda s: (s.received_at, s.id))
    shown_stories = tuple(
        DigestStory(s.id, _author(s, names), s.visibility == Visibility.CIRCLE,
                    inert(s.text).strip(),
                    _threads(s, [r for r in responses if r.round_id == rnd.id or
                                 r.story_id == s.id], names))
        for s in here)
    continuing = _continuing(rnd, stories, responses, names)
    thanks = tuple(
        Thanks(names.get(a.from_member_id, ANONYMOUS),
               names.get(a.to_member_id or "", clean_line(a.to_name)), inert(a.text).strip())
        for a in sorted(appreciations, key=lambda a: (a.received_at, a.id))
        if a.round_id == rnd.id and a.state == StoryState.APPROVED)
    data_contributors: list[str] = []
    for s in here:
        if s.visibility == Visibility.CIRCLE:
            data_contributors.append(names.get(s.member_id, ""))
    for r in sorted(responses, key=lambda r: (r.received_at, r.id)):
        if r.round_id == rnd.id and _shown(r) and r.visibility == Visibility.CIRCLE:
            data_contributors.append(names.get(r.member_id, ""))
    first = []
    for s in here:
        if s.visibility != Visibility.CIRCLE:
            continue
        earlier = [o for o in stories if o.member_id == s.member_id and o.id != s.id
                   and (o.received_at, o.id) < (s.received_at, s.id)]
        if not earlier:
            first.append(names.get(s.member_id, ""))
    steward = next((clean_line(m.name) for m in members if m.is_steward), "the steward")
    host = names.get(rnd.host_id or "", "") if rnd.host_state == HostState.ACCEPTED else ""
    later = sorted((r for r in rounds if r.gathering > rnd.gathering), key=lambda r: r.gathering)
    nxt = later[0] if later else None
    data = DigestData(
        round_id=rnd.id, gathering=rnd.gathering, host_name=host,
        welcome=inert(rnd.welcome).strip(), question=inert(rnd.question).strip(),
        stories=shown_stories, thanks=thanks, continuing=continuing,
        contributors=tuple(n for n in dict.fromkeys(data_contributors) if n),
        first_timers=tuple(n for n in dict.fromkeys(first) if n),
        next_host=(names.get(nxt.host_id or "", "") if nxt and nxt.host_state
                   == HostState.ACCEPTED else ""),
        next_question_at=({**timeline(nxt.gathering, settings), **nxt.timeline}["question"]
                          if nxt else None),
        next_gathering=nxt.gathering if nxt else None,
        note=inert(rnd.digest_note).strip(), note_by=steward)
    if data.empty and not force:
        raise EmptyDigestError(f"the digest of round {rnd.id} has no approved stories or thanks "
                               "yet — approve some in the review queue, or send it with --force")
    return data
