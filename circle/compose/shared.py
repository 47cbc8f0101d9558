"""What the circle may read of its past (the export's input), built by `circle.app.repertoire`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from circle.compose.digest_data import ThreadEntry


@dataclass(frozen=True)
class SharedStory:
    """One story as the circle may read it."""

    number: int  # 1-based within its round: the only identifier that leaves
    author: str  # a name, or ANONYMOUS
    named: bool
    text: str
    themes: tuple[str, ...]
    responses: tuple[ThreadEntry, ...]


@dataclass(frozen=True)
class SharedRound:
    """One round whose digest went out, with its shared stories."""

    id: str
    gathering: datetime
    question: str
    host_name: str
    stories: tuple[SharedStory, ...]


@dataclass(frozen=True)
class Unshared:
    """A text that must not leave in an old digest, and the name it must not carry."""

    round_id: str
    text: str
    author: str
    gone: bool  # withdrawn, hidden or steward-only now: the text itself must not leave


@dataclass(frozen=True)
class Repertoire:
    """The circle's name and every shared round, oldest first."""

    circle_name: str
    circle_address: str
    rounds: tuple[SharedRound, ...]
    unshared: tuple[Unshared, ...]
