"""Hostile and broken input: generated and mutated MIME never crashes or hangs the parser."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circle.model import MessageKind
from circle.parsing import parse_body, parse_message
from tests.timing import assert_linear

CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "koi8-r", "x-unknown-charset", "utf-16",
            "shift_jis", "", "us-ascii"]
ENCODINGS = ["7bit", "8bit", "quoted-printable", "base64", "x-uuencode", "binary", "bogus"]
HEADER_NAMES = ["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Date",
                "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", "Reply-To"]

header_values = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["=?utf-8?b?////?=", "=?bogus?q?x=ZZ?=", "<<<>>>", "\"unterminated",
                     "multipart/mixed; boundary=", "text/plain; charset=\"\x00\"",
                     "a" * 5000, "=?utf-8?q?" + "=C3" * 300 + "?="]),
)


def _build(body: str, charset: str, cte: str, headers: list[tuple[str, str]],
           depth: int, html: bool) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers)
    ctype = "text/html" if html else "text/plain"
    part = (f"Content-Type: {ctype}; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
            f"{body}\r\n")
    for level in range(depth):
        b = f"b{level}"
        part = (f"Content-Type: multipart/mixed; boundary={b}\r\n\r\n--{b}\r\n{part}--{b}--\r\n")
    return (head + part).encode("utf-8", "surrogateescape")


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.text(max_size=3000),
    charset=st.sampled_from(CHARSETS),
    cte=st.sampled_from(ENCODINGS),
    headers=st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_values), max_size=12),
    depth=st.integers(0, 30),
    html=st.booleans(),
)
def test_generated_mime_never_raises(body: str, charset: str, cte: str,
                                     headers: list[tuple[str, str]], depth: int,
                                     html: bool) -> None:
    parsed = parse_message(_build(body, charset, cte, headers, depth, html))
    assert isinstance(parsed.kind, MessageKind)
    assert isinstance(parsed.text, str) and isinstance(parsed.elided, str)
    assert parsed.message_id  # always an id, a hash of the bytes when the header is absent


@settings(max_examples=150, deadline=2000)
@given(junk=st.binary(max_size=20_000))
def test_binary_junk_never_raises(junk: bytes) -> None:
    parsed = parse_message(junk)
    assert parsed.message_id


@settings(max_examples=80, deadline=2000)
@given(data=st.data())
def test_mutated_real_message_never_raises(data: st.DataObject) -> None:
    msg = EmailMessage()
    msg["From"] = "Ana Ruiz <ana@example.org>"
    msg["To"] = "circle+tok@circle.test"
    msg["Subject"] = "Re: This month's question"
    msg["Message-ID"] = "<m1@example.org>"
    msg.set_content("I tried it.\n\nOn Tue, Host wrote:\n> the question\n")
    msg.add_alternative("<p>I tried it.</p><blockquote>the question</blockquote>", subtype="html")
    raw = bytearray(msg.as_bytes(policy=email.policy.SMTP))
    for _ in range(data.draw(st.integers(1, 40))):
        i = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "dup", "nul"]))
        if op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i: i + data.draw(st.integers(1, 50))]
        elif op == "dup":
            raw[i:i] = raw[i: i + 40]
        else:
            raw[i:i] = b"\x00"
        if not raw:
            raw = bytearray(b"x")
    assert parse_message(bytes(raw)).message_id


def _big_message(n: int) -> bytes:
    """n quoted lines plus a base64 attachment of n/3 * 256 bytes (n = 200,000: > 25 MB)."""
    msg = EmailMessage()
    msg["From"] = "ana@example.org"
    msg["Subject"] = "big"
    msg.set_content("My story is short.\n\n" + "> quoted line of history\n" * n)
    msg.add_attachment(b"\x89PNG" + bytes(range(256)) * (n * 7 // 20), maintype="image",
                       subtype="png", filename="photo.png")
    return msg.as_bytes()


def test_huge_message_parses_in_linear_time() -> None:
    """25 MB: a big base64 attachment plus 200,000 quoted lines; its cost grows linearly."""
    sizes: list[int] = []

    def make(n: int) -> bytes:
        raw = _big_message(n)
        sizes.append(len(raw))
        return raw

    parsed = assert_linear(make, parse_message, 200_000)
    assert sizes[-1] > 25_000_000
    assert parsed.text.strip() == "My story is short."
    assert any("photo.png" in a for a in parsed.attachments)


PATHOLOGICAL_BODIES = {"long_line": ("a", 2_000_000), "quote_markers": (">", 1_000_000),
                       "attributions": ("On ", 300_000), "newlines": ("\n", 500_000),
                       "signature_markers": ("-- \n", 200_000), "angles": ("<", 500_000)}


@pytest.mark.parametrize("name", list(PATHOLOGICAL_BODIES))
def test_pathological_bodies_parse_in_linear_time(name: str) -> None:
    unit, n = PATHOLOGICAL_BODIES[name]
    tail = "wrote:" if name == "attributions" else ""

    def both(body: str) -> None:
        parse_body(body, html=False)
        parse_body(body, html=True)

    assert_linear(lambda k: unit * k + tail, both, n)
