"""The steward's command line contract (docs/architecture.md): lists with --json, changes
through intents, exit codes. Driven through `cli.main.main` on a real store in a tmp dir."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from circle.model import (
    InboundRecord,
    MessageKind,
    OutboxItem,
    OutboxState,
    QuarantineItem,
    Response,
    Story,
)
from cli.context import load_context
from cli.main import main

AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def circle(config: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--config", str(config), *argv])
    return code, capsys.readouterr().out


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "config.toml"
    assert main(["--config", str(path), "init", "--name", "Test Circle", "--address",
                 "circle@circle.test", "--steward-email", "steward@circle.test",
                 "--timezone", "Europe/Berlin", "--data-dir", str(tmp_path / "data")]) == 0
    for name, email in (("Ana Ruiz", "ana@example.org"), ("Bo Li", "bo@example.org")):
        assert main(["--config", str(path), "members", "add", name, email]) == 0
    return path


def _seed_mail(config: Path) -> None:
    """Records as the mail loop would have written them (the CLI only reads these)."""
    store = load_context(config).store
    store.put_many([
        Story(id="s-1", round_id="2026-01", member_id="ana-ruiz", text="A story",
              received_at=AT, message_id="<m1@x>"),
        Response(id="r-1", story_id="s-1", parent_id="s-1", round_id="2026-01",
                 member_id="bo-li", text="A reply", received_at=AT, message_id="<m2@x>"),
        InboundRecord(message_id="<m1@x>", raw_sha="0" * 64, received_at=AT,
                      kind=MessageKind.REPLY, outcome="story:s-1", sender="ana@example.org"),
        QuarantineItem(id="q-1", message_id="<m3@x>", raw_sha="1" * 64, received_at=AT,
                       reason="unknown sender", kind=MessageKind.REPLY,
                       sender="who@example.org", text="Hello"),
        OutboxItem(id="o-1", message_id="<o1@x>", kind="digest", recipient="ana@example.org",
                   raw="x", created_at=AT, state=OutboxState.UNCERTAIN),
        OutboxItem(id="o-2", message_id="<o2@x>", kind="digest", recipient="bo@example.org",
                   raw="x", created_at=AT, state=OutboxState.UNCERTAIN),
    ])


def test_lists_print_json_lines_with_contract_fields(config: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _seed_mail(config)
    code, out = circle(config, "stories", "list", "--json", capsys=capsys)
    rows = jsonl(out)
    assert code == 0 and [r["id"] for r in rows] == ["s-1", "r-1"]
    for key in ("id", "kind", "round_id", "member_id", "state", "visibility", "text",
                "held_reasons", "story_id", "parent_id", "message_id", "received_at"):
        assert key in rows[0], key
    assert rows[0]["kind"] == "story" and rows[1]["kind"] == "response"
    assert rows[1]["story_id"] == "s-1" and rows[0]["archived"] is False
    code, out = circle(config, "inbound", "list", "--json", "--since", "2026-01-01",
                       capsys=capsys)
    assert jsonl(out)[0]["outcome"] == "story:s-1"
    _, out = circle(config, "inbound", "list", "--json", "--since", "2026-02-01", capsys=capsys)
    assert jsonl(out) == []
    _, out = circle(config, "quarantine", "list", "--json", capsys=capsys)
    assert [r["id"] for r in jsonl(out)] == ["q-1"]
    _, out = circle(config, "members", "list", "--json", capsys=capsys)
    assert [(r["id"], r["status"]) for r in jsonl(out)] == [("ana-ruiz", "active"),
                                                            ("bo-li", "active")]
    _, out = circle(config, "outbox", "list", "--json", capsys=capsys)
    assert {r["state"] for r in jsonl(out)} == {"uncertain"} and "raw" not in jsonl(out)[0]
    _, out = circle(config, "export", capsys=capsys)
    types = {r["type"] for r in jsonl(out)}
    assert {"members", "stories", "responses", "inbound", "quarantine", "outbox"} <= types


def test_review_visibility_quarantine_and_bulk_resolve(config: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    _seed_mail(config)
    assert circle(config, "stories", "approve", "s-1", "r-1", capsys=capsys)[0] == 0
    assert circle(config, "stories", "visibility", "s-1", "anonymous", capsys=capsys)[0] == 0
    _, out = circle(config, "stories", "list", "--state", "approved", "--json", capsys=capsys)
    rows = jsonl(out)
    assert len(rows) == 2 and rows[0]["visibility"] == "anonymous"
    assert circle(config, "stories", "hold", "nope", capsys=capsys)[0] == 66  # no such story
    assert circle(config, "stories", "restore", "s-1", capsys=capsys)[0] == 0
    assert circle(config, "stories", "approve", "s-1", capsys=capsys)[0] == 0
    assert circle(config, "quarantine", "assign", "q-1", "bo", capsys=capsys)[0] == 0
    _, out = circle(config, "quarantine", "list", "--json", capsys=capsys)
    assert jsonl(out) == []
    code, out = circle(config, "outbox", "resolve", "--uncertain", "drop", capsys=capsys)
    assert code == 0 and out.count("is now dropped") == 2


def test_question_set_and_approve_default_to_the_next_round(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert circle(config, "question", "approve", capsys=capsys)[0] == 65  # no question yet
    code, out = circle(config, "question", "set", "What surprised you?", capsys=capsys)
    assert code == 0 and "Question saved" in out
    assert circle(config, "question", "approve", capsys=capsys)[0] == 0
    _, out = circle(config, "export", capsys=capsys)
    rounds = sorted((r for r in jsonl(out) if r["type"] == "rounds"),
                    key=lambda r: str(r["gathering"]))
    assert rounds[0]["question"] == "What surprised you?" and rounds[0]["question_approved"]
    assert not rounds[1]["question_approved"]
    code, out = circle(config, "status", "--json", capsys=capsys)
    report = jsonl(out)[0]
    assert code == 0 and set(report) == {"happened", "next", "waiting", "counts", "sending"}
    assert report["counts"]["members"] == 2
    assert any("has no question" in line for line in report["waiting"])  # the round after
    assert circle(config, "status", capsys=capsys)[1].startswith("What happened")


def test_status_never_announces_a_fallback_for_a_host_who_accepted() -> None:
    from datetime import UTC, datetime

    from circle.app.status import _next_moment
    from circle.config import Config
    from circle.model import HostState, Round

    gathering = datetime(2026, 12, 30, 18, tzinfo=UTC)
    config = Config(name="C", slug="c", address="c@example.org", steward_email="s@example.org")
    invited = Round(id="2026-12", gathering=gathering, host_id="ana",
                    host_state=HostState.INVITED, fired={"host_invite": gathering})
    accepted = Round(id="2026-12", gathering=gathering, host_id="ana",
                     host_state=HostState.ACCEPTED, fired={"host_invite": gathering})
    assert _next_moment(invited, config)[0] == "host_fallback"  # type: ignore[index]
    assert _next_moment(accepted, config)[0] == "question"  # type: ignore[index]
