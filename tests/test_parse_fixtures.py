"""Every fixture mail parses to exactly its recorded expected output."""

import json
from pathlib import Path

import pytest

from circle.parsing import sent_text_of
from cli.commands.parse import parse_file, to_json

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
CASES = sorted(FIXTURES.glob("*.eml"))


def test_fixture_set_is_present():
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path: Path):
    """`<name>.sent`, when present, is the message of ours the fixture replies to."""
    expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text("utf-8"))
    sent = path.with_suffix(".sent")
    sent_text = sent_text_of(sent.read_bytes()) if sent.exists() else ""
    got = to_json(path.name, parse_file(path, "eml", sent_text))
    del got["file"]
    assert got == expected
