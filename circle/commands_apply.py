"""Apply a member's email command (PAUSE, PASS, THANKS, ...) to the records; confirm by Notice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from circle.carrying import digest_gone, digest_month_of
from circle.errors import TransitionError
from circle.model import (
    Appreciation,
    HostState,
    Member,
    Notice,
    Response,
    Round,
    Story,
    StoryState,
    Visibility,
)
from circle.parsing.types import Command
from circle.parsing.when import resolve_until
from circle.transitions import leave, pause, resume, set_visibility

_VISIBILITY = {"SHARE": Visibility.CIRCLE, "ANONYMOUS": Visibility.ANONYMOUS,
               "PRIVATE": Visibility.STEWARD}


@dataclass(frozen=True)
class CommandInput:
    """A command with everything needed to apply it (pure data; `now` is given)."""

    command: Command
    member: Member
    round: Round | None  # the round the token names, else the current one
    parent_id: str  # the token's parent (a story/response id, "invitation", or "")
    message_id: str  # the member's Message-ID, so the confirmation threads
    now: datetime
    today: date
    ref: str  # deterministic id stem for the records made (from the Message-ID)
    members: Sequence[Member] = ()
    stories: Sequence[Story] = ()  # the member's own stories
    responses: Sequence[Response] = ()  # the member's own responses
    carrier: Round | None = None  # the round whose digest carries new posts (circle.carrying)
    understood: str = ""  # the member's own words, when the command was a plain-words request


@dataclass
class CommandOutcome:
    """Records to store (changed or new) and the notice confirming what was done."""

    notice: Notice
    records: list[Any] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """True when the command could not be applied (the notice says why)."""
        return self.notice.kind == "refused"


class _Refused(Exception):
    """Internal: the command cannot be applied; the message goes into the notice."""


def command_text(cmd: Command) -> str:
    """The command as the member would write it, e.g. "PAUSE UNTIL 2026-12-01"."""
    words = cmd.name.replace("_", " ")
    return f"{words} {cmd.argument}".strip()


def parse_until(text: str, today: date) -> date:
    """The date in "PAUSE UNTIL <date>" (ISO or the member's words, any common language; the
    next such day: "March" in November is next March)."""
    try:
        return resolve_until(text, today)
    except ValueError as exc:
        raise _Refused(f"could not read the date {text.strip()!r}; write it like 2026-12-01"
                       ) from exc


def _need_round(inp: CommandInput) -> Round:
    if inp.round is None:
        raise _Refused("there is no open round for this")
    return inp.round


def _pause(inp: CommandInput) -> tuple[list[Any], str]:
    until = parse_until(inp.command.argument, inp.today) if inp.command.argument else None
    member = pause(inp.member, until, today=inp.today)
    return [member], f"paused until {until.isoformat()}" if until else "paused until you RESUME"


def _resume(inp: CommandInput) -> tuple[list[Any], str]:
    return [resume(inp.member)], "your circle mail is on again"


def _stop(inp: CommandInput) -> tuple[list[Any], str]:
    return [leave(inp.member)], "you have left the circle; your stories stay with the steward"


def _pass(inp: CommandInput) -> tuple[list[Any], str]:
    rnd = _need_round(inp)
    if inp.member.id in rnd.passes:
        return [], f"you had already passed round {rnd.id}"
    return [replace(rnd, passes=[*rnd.passes, inp.member.id])], f"you pass round {rnd.id}"


def _host(inp: CommandInput) -> tuple[list[Any], str]:
    rnd = _need_round(inp)
    name = inp.command.name
    me = inp.member.id
    if name == "HOST_YES":
        if rnd.host_state == HostState.ACCEPTED and rnd.host_id not in (None, me):
            raise _Refused(f"round {rnd.id} already has a host")
        return ([replace(rnd, host_id=me, host_state=HostState.ACCEPTED)],
                f"you host round {rnd.id}; thank you")
    asked = rnd.host_id == me or me in rnd.hosts_asked
    changed = [replace(rnd, host_id=me, host_state=HostState.DECLINED)] if asked else []
    if name == "SWAP":
        return changed, f"you would rather host another month than {rnd.id}; noted"
    return changed, f"you will not host round {rnd.id}; noted"


def _visibility(inp: CommandInput) -> tuple[list[Any], str]:
    posts: list[Story | Response] = [*inp.stories, *inp.responses]
    target = next((p for p in posts if p.id == inp.parent_id), None)
    if target is None:
        mine = [s for s in inp.stories if inp.round is None or s.round_id == inp.round.id]
        mine = mine or list(inp.stories)
        target = max(mine, key=lambda s: s.received_at) if mine else None
    if target is None:
        raise _Refused("you have no story to change")
    vis = _VISIBILITY[inp.command.name]
    try:
        changed = replace(set_visibility(target, vis),
                          member_consent_version=target.version + 1)  # the author chose
    except TransitionError as exc:
        raise _Refused(str(exc)) from exc
    words = {Visibility.CIRCLE: "shared with the circle",
             Visibility.ANONYMOUS: "shared without your name",
             Visibility.STEWARD: "kept for the steward only"}[vis]
    return [changed], f"your {type(target).__name__.lower()} {target.id} will be {words}"


def _find_by_name(members: Sequence[Member], name: str) -> Member | None:
    key = " ".join(name.lower().split())
    exact = [m for m in members if m.name.lower() == key]
    first = [m for m in members if m.name.lower().split()[:1] == [key]]
    found = exact or first
    return found[0] if len(found) == 1 else None


def _thanks(inp: CommandInput) -> tuple[list[Any], str]:
    name, colon, words = inp.command.argument.partition(":")
    if not colon:
        name, _, words = inp.command.argument.strip().partition(" ")
    name, words = name.strip(), words.strip()
    if not name or not words:
        raise _Refused("write it as THANKS <name>: <your words>")
    rnd = inp.carrier or inp.round
    if rnd is None or digest_gone(rnd):
        raise _Refused("the next round is not planned yet, so no digest can carry your thanks;"
                       " please send them again when the next question comes")
    to = _find_by_name([m for m in inp.members if m.id != inp.member.id], name)
    # Thanks go straight to the celebrations (approved); the steward sees them in Review and
    # in the digest preview, and may edit one or leave it out.
    app = Appreciation(id=f"a-{inp.ref}", round_id=rnd.id,
                       from_member_id=inp.member.id, to_name=to.name if to else name,
                       text=words, received_at=inp.now, to_member_id=to.id if to else None,
                       message_id=inp.message_id, state=StoryState.APPROVED)
    month = digest_month_of(rnd.id) or rnd.id
    return [app], (f"your thanks to {app.to_name} will be among the celebrations of the "
                   f"{month} digest")


def _my_stories(inp: CommandInput) -> tuple[list[Any], str]:
    lines = [f"{s.round_id}: {s.text[:60].strip()}… ({s.state}, {s.visibility})"
             for s in sorted(inp.stories, key=lambda s: s.received_at)]
    return [], "\n".join(lines) or "you have not offered a story yet"


def _help(inp: CommandInput) -> tuple[list[Any], str]:
    return [], "the commands you can send"


_HANDLERS: dict[str, Callable[[CommandInput], tuple[list[Any], str]]] = {
    "PAUSE": _pause, "PAUSE_UNTIL": _pause, "RESUME": _resume, "STOP": _stop, "PASS": _pass,
    "HOST_YES": _host, "HOST_NO": _host, "SWAP": _host, "SHARE": _visibility,
    "ANONYMOUS": _visibility, "PRIVATE": _visibility, "THANKS": _thanks,
    "MY_STORIES": _my_stories, "HELP": _help,
}
_KIND = {"MY_STORIES": "my_stories", "HELP": "help"}


def apply_command(inp: CommandInput) -> CommandOutcome:
    """Apply one command; the outcome's notice confirms it (or says why it was refused)."""
    notice = Notice(id=f"n-{inp.ref}", kind=_KIND.get(inp.command.name, "confirmation"),
                    member_id=inp.member.id, created_at=inp.now,
                    round_id=inp.round.id if inp.round else "",
                    command=command_text(inp.command), in_reply_to=inp.message_id)
    handler = _HANDLERS.get(inp.command.name)
    try:
        if handler is None:
            raise _Refused(f"unknown command {inp.command.name}; send HELP for the list")
        records, detail = handler(inp)
    except (_Refused, TransitionError) as exc:
        return CommandOutcome(replace(notice, kind="refused", detail=str(exc)))
    ref_id = next((getattr(r, "id", "") for r in records
                   if isinstance(r, Story | Response | Appreciation)), "")
    if inp.understood:
        detail = understood_words(inp.understood, detail, inp.command)
    return CommandOutcome(replace(notice, detail=detail, ref_id=ref_id), records)


UNDO = {
    "PAUSE": "reply RESUME", "PAUSE_UNTIL": "reply RESUME", "RESUME": "reply PAUSE",
    "STOP": "write to the steward, who can add you again", "PASS": "just send your story",
    "ANONYMOUS": "reply SHARE", "PRIVATE": "reply SHARE", "SHARE": "reply PRIVATE",
    "THANKS": "write to the steward, who can take it out of the digest",
}
"""How a member undoes each command, told in the confirmation of a plain-words request."""


def understood_words(words: str, detail: str, command: Command) -> str:
    """'You wrote "…"; we understood: paused until 2027-03-01. To undo it, reply RESUME.'"""
    quoted = " ".join(words.split())[:160]
    undo = UNDO.get(command.name)
    tail = f" To undo it, {undo}." if undo else ""
    return f"You wrote \u201c{quoted}\u201d; we understood: {detail}.{tail}"
