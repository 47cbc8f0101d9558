"""Classification rules: loops, automatic mail, bounces, return dates, body-only parsing."""

from datetime import UTC, datetime

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
    assert parsed.auto_reply_until == datetime(2026, 4, 24, tzinfo=UTC)


def test_out_of_office_until_date_english():
    parsed = parse_message(mail(subject="Out of office", body="Back on May 4th. Thanks!"))
    assert parsed.auto_reply_until == datetime(2026, 5, 4, tzinfo=UTC)


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
