"""Pure unit tests: matching (token → References → From) and the policy rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from circle.matching import VIA_FROM, VIA_REFERENCES, VIA_TOKEN, current_round, match
from circle.model import MemberStatus, Response, RoundState
from circle.parsing import parse_message
from circle.policy import Facts, held_reasons
from tests.mailin_support import (
    CIRCLE,
    NOW,
    ROUND,
    SECRET,
    members,
    our_mid,
    raw,
    rounds,
    story,
    to_token,
    token,
)


def _match(data: bytes, stories=(), responses=(), secret: bytes = SECRET):
    return match(parse_message(data), secret=secret, circle_address=CIRCLE, members=members(),
                 rounds={r.id: r for r in rounds()}, stories={s.id: s for s in stories},
                 responses={r.id: r for r in responses}, now=NOW)


def test_token_in_reply_address_names_member_and_round() -> None:
    m = _match(raw("Ana <ana@example.org>", to_token("ana"), mid="m1@x"))
    assert (m.member and m.member.id, m.round_id, m.via, m.problem) == ("ana", ROUND, VIA_TOKEN, "")
    assert not m.is_response


def test_token_in_references_threads_when_reply_to_was_ignored() -> None:
    s = story()
    m = _match(raw("bob@work.example", mid="m2@x", in_reply_to=our_mid("bob", parent=s.id)),
               stories=[s])
    assert m.via == VIA_REFERENCES and m.member.id == "bob"
    assert (m.story_id, m.parent_id) == (s.id, s.id)


def test_reply_to_response_nests_under_its_story() -> None:
    s = story()
    r = Response(id="r-1", story_id=s.id, parent_id=s.id, round_id=ROUND, member_id="bob",
                 text="x", received_at=NOW)
    m = _match(raw("cleo@example.org", to_token("cleo", parent="r-1"), mid="m3@x"),
               stories=[s], responses=[r])
    assert (m.story_id, m.parent_id, m.problem) == (s.id, "r-1", "")


def test_from_only_is_unverified_and_goes_to_the_open_round() -> None:
    m = _match(raw("ANA@example.org", mid="m4@x"))
    assert (m.member.id, m.via, m.round_id, m.problem) == ("ana", VIA_FROM, ROUND, "")


def test_unknown_sender_without_token_is_a_problem() -> None:
    m = _match(raw("eve@evil.example", mid="m5@x"))
    assert m.member is None and "unknown sender" in m.problem


def test_token_of_another_member_is_a_problem() -> None:
    m = _match(raw("bob@example.org", to_token("ana"), mid="m6@x"))
    assert "Ana Lima's" in m.problem and "Bob Stone" in m.problem


def test_token_from_unknown_address_is_a_problem() -> None:
    m = _match(raw("ana@gmail.example", to_token("ana"), mid="m7@x"))
    assert "not one of their addresses" in m.problem


def test_tampered_or_foreign_token_is_a_problem() -> None:
    good = token("ana")
    tampered = good[:-1] + ("a" if good[-1] != "a" else "b")
    m = _match(raw("ana@example.org", f"circle+{tampered}@circle.test", mid="m8@x"))
    assert "did not verify" in m.problem
    m = _match(raw("ana@example.org", to_token("ana"), mid="m9@x"), secret=b"other circle")
    assert "did not verify" in m.problem


def test_current_round_prefers_the_open_one() -> None:
    rs = rounds()
    assert current_round(rs, NOW).id == ROUND
    closed = [replace(r, state=RoundState.DIGEST_SENT) for r in rs]
    assert current_round(closed, NOW + timedelta(days=30)).id == ROUND
    assert current_round([], NOW) is None


def _facts(**kw) -> Facts:
    base = dict(member=members()[0], round=rounds()[1], via=VIA_TOKEN, text="a few words",
                received_at=NOW, today=NOW.date(), max_words=5)
    return Facts(**{**base, **kw})


def test_policy_passes_a_clean_story() -> None:
    assert held_reasons(_facts()) == []


def test_policy_reasons_are_named() -> None:
    ana = members()[0]
    late_round = replace(rounds()[1], state=RoundState.DIGEST_SENT)
    reasons = held_reasons(_facts(via=VIA_FROM, text="one two three four five six",
                                  round=late_round, stories_this_round=1,
                                  member=replace(ana, status=MemberStatus.PAUSED)))
    names = [r.partition(":")[0] for r in reasons]
    assert names == ["unverified_sender", "member_paused", "late", "too_long", "another_story"]
    assert held_reasons(_facts(member=None, round=None))[:1] == [
        "unknown_sender: not a member's address"]
    assert any(r.startswith("member_left") for r in held_reasons(
        _facts(member=replace(ana, status=MemberStatus.LEFT))))
    assert any(r.startswith("round_not_open") for r in held_reasons(
        _facts(round=replace(rounds()[1], state=RoundState.PLANNED))))


def test_late_when_digest_fired_before_arrival() -> None:
    rnd = replace(rounds()[1], fired={"digest": NOW - timedelta(hours=1)})
    assert any(r.startswith("late") for r in held_reasons(_facts(round=rnd)))


def test_responses_via_the_digest_are_not_late() -> None:
    rnd = replace(rounds()[1], state=RoundState.DIGEST_SENT)
    reasons = held_reasons(_facts(round=rnd, is_response=True))
    assert not any(r.startswith("late") for r in reasons)


def test_a_one_megabyte_word_is_held_by_size_not_passed_by_word_count() -> None:
    blob = "x" * 1_000_000  # one "word"
    reasons = held_reasons(_facts(text=blob))
    assert [r for r in reasons if r.startswith("too_large")] == [
        "too_large: 1,000,000 bytes (the limit is 32,000)"]
    long_line = "word " * 600  # 3,000 characters on one line, only 600 words
    assert any(r.startswith("too_large: a line of 3,000")
               for r in held_reasons(_facts(text=long_line)))
    assert not [r for r in held_reasons(_facts(text="A real story.\n" * 200))
                if r.startswith("too_large")]
