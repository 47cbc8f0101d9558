"""Every fixture mail parses to exactly its recorded expected output."""

import json
from pathlib import Path

import pytest

from cli.commands.parse import parse_file, to_json

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
CASES = sorted(FIXTURES.glob("*.eml"))


def test_fixture_set_is_present():
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path: Path):
    expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text("utf-8"))
    got = to_json(path.name, parse_file(path, "eml"))
    del got["file"]
    assert got == expected
