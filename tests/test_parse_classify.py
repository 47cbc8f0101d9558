"""Classification rules: loops, automatic mail, bounces, return dates, body-only parsing."""

from datetime import datetime

import pytest

from circle.model import MessageKind
from circle.parsing import parse_body, parse_message

BASE = (
    "From: Ana <ana@example.com>\nTo: circle@example.org\nSubject: {subject}\n"
    "Date: Tue, 14 Apr 2026 09:30:00 +0000\nMessage-ID: <{mid}>\n{extra}\n{body}\n"
)


def mail(subject="Re: April", body="My story.", extra="", mid="m1@example.com") -> bytes:
    return BASE.format(subject=subject, body=body, extra=extra, mid=mid).encode()


def test_plain_reply():
    parsed = parse_message(mail())
    assert parsed.kind is MessageKind.REPLY
    assert parsed.reasons == ("has_new_text",)
    assert parsed.text == "My story."


def test_loop_from_own_address():
    parsed = parse_message(mail(), own_addresses=("ana@example.com",))
    assert parsed.kind is MessageKind.LOOP
    assert "loop_own_address" in parsed.reasons


def test_loop_from_own_message_id_marker():
    parsed = parse_message(mail(mid="r1.tok@circle.example.org"), own_markers=("@circle.example.org",))
    assert parsed.kind is MessageKind.LOOP


def test_auto_generated_and_precedence():
    assert parse_message(mail(extra="Auto-Submitted: auto-generated\n")).kind is MessageKind.AUTO_GENERATED
    assert parse_message(mail(extra="Precedence: bulk\n")).kind is MessageKind.AUTO_GENERATED
    assert parse_message(mail(extra="X-Autoreply: yes\n")).kind is MessageKind.AUTO_REPLY


def test_out_of_office_until_date():
    parsed = parse_message(mail(subject="Automatische Antwort: April",
                                body="Ich bin bis zum 24.04.2026 nicht im Büro."))
    assert parsed.kind is MessageKind.AUTO_REPLY
    assert parsed.auto_reply_until == datetime(2026, 4, 24)


def test_out_of_office_until_date_english():
    parsed = parse_message(mail(subject="Out of office", body="Back on May 4th. Thanks!"))
    assert parsed.auto_reply_until == datetime(2026, 5, 4)


def test_message_id_missing_uses_hash():
    raw = b"From: a@b.c\nSubject: hi\n\nhello\n"
    parsed = parse_message(raw)
    assert parsed.message_id.startswith("sha256:") and len(parsed.message_id) == 71


def test_garbage_never_raises():
    for raw in (b"", b"\x00\xff" * 100, b"Content-Type: multipart/mixed\n\n--x\n", b":::\n\n\n"):
        parsed = parse_message(raw)
        assert parsed.kind in (MessageKind.EMPTY, MessageKind.REPLY)


def test_rfc2047_and_8bit_headers():
    raw = ("From: =?iso-8859-1?q?Ren=E9?= <rene@example.fr>\nSubject: Caf\xe9\n\nx\n").encode("latin-1")
    parsed = parse_message(raw)
    assert parsed.sender.name == "René"
    assert parsed.subject == "Café"


def test_body_only_helpers():
    assert parse_body("hello\n\n> quoted", html=False).text == "hello"
    assert parse_body("<p>PASS</p>", html=True).kind is MessageKind.COMMAND
    assert parse_body("", html=False).kind is MessageKind.EMPTY


def _ooo(body: str, date: str = "Tue, 14 Apr 2026 23:30:00 +0900", subject: str = "Abwesend"):
    raw = (f"From: Ana <ana@example.com>\nTo: circle@example.org\nSubject: {subject}\n"
           f"Date: {date}\nMessage-ID: <o1@example.com>\n\n{body}\n").encode()
    return parse_message(raw)


@pytest.mark.parametrize(
    ("body", "day"),
    [
        ("I am out of the office until 24 April.", datetime(2026, 4, 24)),
        ("Estoy fuera de la oficina hasta el 24 de abril.", datetime(2026, 4, 24)),
        ("Sono fuori ufficio fino al 24 aprile.", datetime(2026, 4, 24)),
        ("Jestem nieobecna do 24 kwietnia.", datetime(2026, 4, 24)),
        ("4月24日まで不在にしております。", datetime(2026, 4, 24)),
        ("Ich bin bis zum 1. März 2027 nicht im Büro.", datetime(2027, 3, 1)),
        ("Je suis absente jusqu'au 24 avril.", datetime(2026, 4, 24)),
        ("Ik ben afwezig tot 24 april.", datetime(2026, 4, 24)),
        ("Estou ausente até 24 de abril.", datetime(2026, 4, 24)),
    ],
)
def test_return_date_is_the_senders_calendar_day(body: str, day: datetime):
    # sent late in the evening east of UTC: the day must not move back
    parsed = _ooo(body)
    assert parsed.kind is MessageKind.AUTO_REPLY
    assert parsed.auto_reply_until == day


def test_french_out_of_office_without_headers_is_an_auto_reply():
    parsed = _ooo("Bonjour,\n\nJe suis absente jusqu'au 24 avril, avec un accès limité à mes "
                  "mails.\n\nCamille", subject="Re: Question d'avril")
    assert parsed.kind is MessageKind.AUTO_REPLY


def test_story_mentioning_a_holiday_stays_a_story():
    parsed = _ooo("Last year I was on holiday until 24 April and came back to chaos. I learned "
                  "to hand over properly before leaving.", subject="Re: April question")
    assert parsed.kind is MessageKind.REPLY
