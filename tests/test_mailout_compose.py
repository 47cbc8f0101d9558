"""Composition is pure and safe: stable bytes, inert header tricks, escaped HTML, consent kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from email import message_from_bytes, policy

import pytest

from circle.compose import (
    EmptyDigestError,
    MailSetting,
    build_digest,
    digest_mail,
    host_invitation,
    notice_mail,
    preview_html,
    preview_text,
    question,
)
from circle.compose.templates import DEFAULTS, check_template
from circle.compose.text import clean_line, wrap
from circle.config import circle_from_config
from circle.model import HostState, Member, Notice, Story, StoryState, Visibility
from tests.mailout_world import SECRET, make_config, members, rounds

NOW = datetime(2026, 11, 11, 18, 0, tzinfo=UTC)


@pytest.fixture
def world():
    config = make_config()
    rs = rounds(config)
    rnd = replace(rs[1], host_id="ana", host_state=HostState.ACCEPTED, question="Q <b>?</b>",
                  question_approved=True)
    ms = MailSetting(circle_from_config(config), SECRET, NOW, config.schedule)
    return config, ms, [rs[0], rnd, rs[2]], {m.id: m for m in members()}


def _parse(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_composition_is_byte_for_byte_stable(world):
    _, ms, rs, ms_members = world
    a = question(ms, ms_members["ben"], rs[1], ms_members["ana"])
    b = question(ms, ms_members["ben"], rs[1], ms_members["ana"])
    assert a.raw == b.raw and a.message_id == b.message_id
    assert b"boundary=\"=_circle_" in a.raw
    assert a.raw.isascii() and b"\r\n" in a.raw


@pytest.mark.parametrize("name", [
    "Eve\r\nBcc: intruder@evil.example", "Eve\nSubject: hi", "Eve\x00\x1b[31m", "A\u2028B",
    '"Eve" <x@evil.example>, y@evil.example', "=?utf-8?q?Bcc=3A_x@evil?="])
def test_header_tricks_in_names_are_inert(world, name):
    _, ms, rs, mm = world
    eve = replace(mm["eve"], name=name)
    mail = question(ms, eve, rs[1], replace(mm["ana"], name=name))
    head = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in head and b"\nSubject: hi" not in head
    msg = _parse(mail.raw)
    assert [a.addr_spec for a in msg["To"].addresses] == ["eve@example.org"]
    assert [a.addr_spec for a in msg["From"].addresses] == ["circle@example.org"]
    assert "Bcc" not in msg and msg["Cc"] is None


def test_clean_line_and_wrap():
    assert clean_line("a\r\nb\tc\x00d") == "a b c d"
    long = "word " * 40 + "https://example.org/" + "x" * 90
    assert all(len(line) <= 72 or "https://" in line for line in wrap(long).split("\n"))
    assert wrap("keep\nmy\n\nlines") == "keep\nmy\n\nlines"


def _digest(world, **kw):
    config, _, rs, mm = world
    stories = [
        Story("s1", "2026-11", "ben", "Mine <script>x()</script>", NOW, state=StoryState.APPROVED),
        Story("s2", "2026-11", "chloe", "Anon", NOW, state=StoryState.APPROVED,
              visibility=Visibility.ANONYMOUS),
        Story("s3", "2026-11", "dee", "Secret", NOW, state=StoryState.APPROVED,
              visibility=Visibility.STEWARD),
        Story("s4", "2026-11", "gus", "Pending", NOW),
    ]
    return build_digest(rs[1], members=list(mm.values()), stories=kw.get("stories", stories),
                        responses=[], appreciations=[], rounds=rs, settings=config.schedule,
                        force=kw.get("force", False))


def test_digest_respects_consent_and_escapes(world):
    _, ms, _, mm = world
    data = _digest(world)
    assert [s.author for s in data.stories] == ["Ben Hughes", "A member of the circle"]
    assert data.contributors == ("Ben Hughes",)  # the anonymous author is not named
    text, html = preview_text(ms, data), preview_html(ms, data)
    for body in (text, html):
        assert "Chloé" not in body and "Secret" not in body and "Pending" not in body
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "Q &lt;b&gt;?&lt;/b&gt;" in html
    msg = _parse(digest_mail(ms, mm["ben"], data).raw)
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_empty_digest_refuses_unless_forced(world):
    with pytest.raises(EmptyDigestError):
        _digest(world, stories=[])
    assert _digest(world, stories=[], force=True).empty


def test_invitation_offers_the_three_answers_and_the_kit(world):
    _, ms, rs, mm = world
    msg = _parse(host_invitation(ms, mm["ana"], rs[1], ["When did you last feel heard?"]).raw)
    body = msg.get_content()
    assert "Would you host the November 2026 round" in str(msg["Subject"])
    for word in ("HOST YES", "SWAP", "HOST NO", "What hosting means",
                 "When did you last feel heard?", "How to send your question"):
        assert word in body


def test_steward_templates_override_and_bad_ones_are_ignored(world):
    _, ms, rs, mm = world
    custom = {"receipt": "Subject: Got it, $name\n\nThanks $name! ($circle)\n"}
    notice = Notice("n1", "receipt", "ben", NOW, round_id="2026-11")
    msg = _parse(notice_mail(replace(ms, templates=custom), mm["ben"], notice).raw)
    assert msg["Subject"] == "Got it, Ben" and "Thanks Ben!" in msg.get_content()
    assert check_template("receipt", "Subject: x\n\n$nonsense") != []
    assert check_template("nope", "Subject: x") != []
    bad = {"receipt": "no subject line $name"}
    msg = _parse(notice_mail(replace(ms, templates=bad), mm["ben"], notice).raw)
    assert msg["Subject"] == "Your story reached the circle"
    assert all(not check_template(n, t) for n, t in DEFAULTS.items())


def test_member_text_in_a_placeholder_is_not_substituted_again(world):
    _, ms, rs, mm = world
    rnd = replace(rs[1], question="Is $circle or ${name} a placeholder?")
    body = _parse(question(ms, mm["ben"], rnd, mm["ana"]).raw).get_body(("plain",)).get_content()
    assert "Is $circle or ${name} a placeholder?" in body


def test_member_of_model_unchanged():
    assert Member("x", "X", "x@example.org", date(2026, 1, 1)).delivery_problems == []
