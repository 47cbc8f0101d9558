"""`circle questions list [--json]`: every question asked, archived rounds included."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from circle.app.maintenance import archive_closed
from circle.app.questions import questions
from circle.model import Round
from cli.main import build_parser
from tests.repertoire_support import CONFIG
from tests.tui_support import FIXED, seeded_store


def test_questions_list_json_counts_answers_and_passes(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    store = seeded_store(tmp_path / "data")
    july = store.get(Round, "2026-07")
    assert july is not None
    store.put(replace(july, passes=["david", "mei"]))
    archive_closed(store, FIXED)
    assert store.years() == [2026]
    store.close()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(data=tmp_path / "data"))
    args = build_parser().parse_args(["--config", str(config), "questions", "list", "--json"])
    assert args.func(args) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["round"] for r in rows] == ["2026-05", "2026-06", "2026-07", "2026-08",
                                          "2026-09", "2026-10", "2026-11"]
    july_row = rows[2]
    assert july_row["question"] == "Tell us about a dilemma you have not resolved yet."
    assert july_row["host"] and july_row["date"] == "2026-07-29"
    assert july_row["answered"] == 8 and july_row["passed"] == 2
    assert set(july_row) == {"round", "date", "question", "host", "host_id", "answered",
                             "passed", "state"}


def test_questions_reads_archived_rounds(tmp_path: Path) -> None:
    store = seeded_store(tmp_path / "data")
    archive_closed(store, FIXED)
    found = questions(store)
    assert found[0].round_id == "2026-05" and found[0].state == "closed"
