"""Addresses are parsed before display names are decoded (RFC 5322 then RFC 2047)."""

from __future__ import annotations

import email.header
import email.utils
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from circle.parsing import parse_message
from circle.text_safety import inert_line

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


def _mail(from_header: str, to_header: str = "circle@circle.test") -> bytes:
    return (f"From: {from_header}\r\nTo: {to_header}\r\nSubject: hi\r\n"
            "Message-ID: <a1@example.org>\r\n\r\nA few words.\r\n").encode()


def _encoded(name: str) -> str:
    return email.header.Header(name, "utf-8").encode()


def test_outlook_last_first_with_non_ascii_name() -> None:
    msg = parse_message(_mail("=?utf-8?q?M=C3=BCller=2C_Anna?= <anna@example.org>"))
    assert (msg.sender.email, msg.sender.name) == ("anna@example.org", "Müller, Anna")


def test_encoded_crlf_bcc_in_the_name_never_changes_the_address() -> None:
    msg = parse_message(_mail("=?utf-8?q?x=0D=0ABcc=3A_x=40evil=2Eexample?= <anna@example.org>"))
    assert msg.sender.email == "anna@example.org"
    assert msg.sender.name == "x Bcc: x@evil.example"  # one inert line, just a name


def test_raw_8bit_last_first_and_quoted_names() -> None:
    assert parse_message(_mail("Müller, Anna <Anna@Example.org>")).sender.name == "Müller, Anna"
    quoted = parse_message(_mail('"Lima, Ana" <ana@example.org>')).sender
    assert (quoted.email, quoted.name) == ("ana@example.org", "Lima, Ana")


def test_an_encoded_word_is_never_an_address() -> None:
    msg = parse_message(_mail("=?utf-8?q?eve=40evil.example?="))
    assert msg.sender.email == "" and msg.sender.name == "eve@evil.example"


def test_to_and_cc_go_the_same_path() -> None:
    to = "=?utf-8?q?Circle=2C_Teachers?= <circle+tok.abc@circle.test>, =?utf-8?q?a=0D=0Ab?= <b@x.org>"
    msg = parse_message(_mail("ana@example.org", to))
    assert [a.email for a in msg.to] == ["circle+tok.abc@circle.test", "b@x.org"]
    assert msg.to[0].name == "Circle, Teachers"


names = st.lists(st.sampled_from(list("abcXYZ ,;:<>@.\"'\\()\r\n\tüßé日") +
                                 ["Bcc:", "=?", "?=", "\x1b]0;t\x07"]), max_size=30).map("".join)
locals_ = st.text(alphabet=st.sampled_from(list("abcdefghij0123456789._-+")), min_size=1,
                  max_size=20).filter(lambda s: s[0] not in "._" and s[-1] not in "._"
                                      and ".." not in s)


@settings(max_examples=300, deadline=None)
@given(name=names, local=locals_)
def test_property_encoded_names_never_change_the_address(name: str, local: str) -> None:
    addr = f"{local}@example.org"
    msg = parse_message(_mail(f"{_encoded(name)} <{addr}>", f"{_encoded(name)} <{addr}>"))
    assert msg.sender.email == addr
    assert [a.email for a in msg.to] == [addr]
    assert "\r" not in msg.sender.name and "\n" not in msg.sender.name
    assert "\x1b" not in msg.sender.name


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet=st.sampled_from(list("abcXYZ ,.:@üßé日-")), max_size=40),
       local=locals_)
def test_property_formatted_names_round_trip(name: str, local: str) -> None:
    addr = f"{local}@example.org"
    header = email.utils.formataddr((name, addr), charset="utf-8")
    msg = parse_message(_mail(header))
    assert msg.sender.email == addr
    assert msg.sender.name == inert_line(name).strip()


def test_circle_parse_json_reports_the_right_sender() -> None:
    path = HOSTILE / "encoded_name_comma.eml"
    out = subprocess.run([sys.executable, "-m", "cli.commands.parse", "--json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    got = json.loads(out)
    assert got["sender"] == {"email": "anna@example.org", "name": "Müller, Anna"}
