"""Pure unit tests: email commands change records and are confirmed by a notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from circle.commands_apply import CommandInput, apply_command, parse_until
from circle.model import HostState, MemberStatus, Story, Visibility
from circle.parsing.types import Command
from tests.mailin_support import NOW, members, rounds, story


def _run(name: str, argument: str = "", *, member_id: str = "ana", parent: str = "",
         stories: tuple[Story, ...] = (), rnd=None, ms=None):
    ms = ms or members()
    member = next(m for m in ms if m.id == member_id)
    return apply_command(CommandInput(
        command=Command(name, argument), member=member, round=rnd or rounds()[1],
        parent_id=parent, message_id="mid@x", now=NOW, today=NOW.date(), ref="abc",
        members=ms, stories=stories))


def test_pause_until_and_resume() -> None:
    out = _run("PAUSE_UNTIL", "2026-12-01")
    (member,) = out.records
    assert member.status == MemberStatus.PAUSED and member.paused_until == date(2026, 12, 1)
    assert out.notice.kind == "confirmation" and out.notice.command == "PAUSE UNTIL 2026-12-01"
    assert out.notice.in_reply_to == "mid@x" and "2026-12-01" in out.notice.detail
    ms = [replace(m, status=MemberStatus.PAUSED) if m.id == "ana" else m for m in members()]
    (member,) = _run("RESUME", ms=ms).records
    assert member.status == MemberStatus.ACTIVE


def test_pause_until_words_and_past_dates() -> None:
    assert parse_until("1 December", date(2026, 11, 10)) == date(2026, 12, 1)
    assert parse_until("March 3", date(2026, 11, 10)) == date(2027, 3, 3)
    out = _run("PAUSE_UNTIL", "2020-01-01")
    assert out.refused and not out.records and "passed" in out.notice.detail
    assert _run("PAUSE_UNTIL", "someday soonish maybe").refused


def test_stop_pass_and_host_answers() -> None:
    assert _run("STOP").records[0].status == MemberStatus.LEFT
    (rnd,) = _run("PASS").records
    assert rnd.passes == ["ana"]
    (rnd,) = _run("HOST_YES").records
    assert (rnd.host_id, rnd.host_state) == ("ana", HostState.ACCEPTED)
    asked = replace(rounds()[1], host_id="ana", host_state=HostState.INVITED)
    (rnd,) = _run("HOST_NO", rnd=asked).records
    assert rnd.host_state == HostState.DECLINED
    taken = replace(rounds()[1], host_id="bob", host_state=HostState.ACCEPTED)
    assert _run("HOST_YES", rnd=taken).refused


def test_visibility_targets_token_parent_else_latest_story() -> None:
    s1, s2 = story("s-1"), replace(story("s-2"), received_at=NOW.replace(hour=10))
    (changed,) = _run("ANONYMOUS", stories=(s1, s2)).records
    assert (changed.id, changed.visibility) == ("s-2", Visibility.ANONYMOUS)
    (changed,) = _run("PRIVATE", parent="s-1", stories=(s1, s2)).records
    assert (changed.id, changed.visibility) == ("s-1", Visibility.STEWARD)
    assert _run("SHARE").refused


def test_thanks_makes_an_appreciation() -> None:
    out = _run("THANKS", "bob: for listening so well")
    (app,) = out.records
    assert (app.to_member_id, app.to_name, app.text) == ("bob", "Bob Stone", "for listening so well")
    assert app.id == "a-abc" and out.notice.ref_id == "a-abc"
    (app,) = _run("THANKS", "Zed: you").records
    assert app.to_member_id is None and app.to_name == "Zed"
    assert _run("THANKS", "").refused


def test_help_and_my_stories_notice_kinds() -> None:
    assert _run("HELP").notice.kind == "help"
    out = _run("MY_STORIES", stories=(story(),))
    assert out.notice.kind == "my_stories" and "2026-11" in out.notice.detail
