"""`circle send-due`, `digest preview|approve|send` and `outbox` from the command line."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import cli.commands.mailout as mailout
from circle.errors import CircleError, TransitionError
from circle.model import Notice, OutboxItem, OutboxState, Round
from cli.context import load_context
from tests.conftest import FixedClock
from tests.mailout_world import accept_host, seed, seed_stories

pytest_plugins = ["tests.smtp_server"]

CONFIG = """
[circle]
name = "Practitioners' Circle"
slug = "practitioners"
address = "circle@example.org"
steward_email = "maya@example.org"
timezone = "Europe/London"
place = "The Meeting House"
data_dir = "data"
agreements = ["What is shared in the circle stays in the circle."]

[smtp]
host = "127.0.0.1"
port = {port}
security = "plain"
per_minute = 0
"""


def _run(config: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, default=config)
    sub = parser.add_subparsers(dest="command")
    mailout.register(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CircleError as exc:
        return exc.exit_code


@pytest.fixture
def circle_cfg(tmp_path, smtp_server, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(port=smtp_server.port))
    ctx = load_context(path)
    store = seed(ctx.data_dir, ctx.config)
    rnd = accept_host(store)
    at = rnd.timeline["question"] + timedelta(hours=1)
    store.put(replace(store.get(Round, "2026-11"), fired={**rnd.fired, "host_invite": at,
                                                          "host_fallback": at, "question": at}))
    seed_stories(store, at)
    clock = FixedClock(rnd.timeline["question"] + timedelta(days=2))

    def fixed(config=None):
        c = load_context(config)
        c.clock = clock
        return c

    monkeypatch.setattr(mailout, "load_context", fixed)
    return path, store, clock


def test_send_due_sends_notices(circle_cfg, smtp_server, capsys):
    path, store, clock = circle_cfg
    store.put(Notice("n-9", "help", "ben", clock.now(), round_id="2026-11", command="HELP"))
    assert _run(path, "send-due") == 0
    assert "Sent 1" in capsys.readouterr().out
    assert len(smtp_server.handler.received) == 1
    assert _run(path, "send-due") == 0  # nothing twice
    assert len(smtp_server.handler.received) == 1


def test_digest_preview_approve_send_and_outbox(circle_cfg, smtp_server, capsys):
    path, store, _ = circle_cfg
    assert _run(path, "digest", "preview") == 0
    out = capsys.readouterr().out
    assert out.startswith("Subject: Practitioners' Circle") and "Ben Hughes" in out
    assert _run(path, "digest", "preview", "--html") == 0
    assert '<html lang="en">' in capsys.readouterr().out
    assert _run(path, "digest", "send") == TransitionError.exit_code  # not approved yet
    assert _run(path, "digest", "approve") == 0
    smtp_server.handler.refuse["gus@example.org"] = "550 5.1.1 unknown user"
    assert _run(path, "digest", "send") == 1  # one permanent failure
    assert len(smtp_server.handler.received) == 6
    capsys.readouterr()
    assert _run(path, "outbox", "list") == 0
    listing = capsys.readouterr().out
    assert "failed_permanent" in listing and "gus@example.org" in listing
    item = next(i for i in store.all(OutboxItem) if i.recipient == "gus@example.org")
    del smtp_server.handler.refuse["gus@example.org"]
    assert _run(path, "outbox", "resend", item.id[:8]) == 0
    assert _run(path, "send-due") == 0
    assert store.get(OutboxItem, item.id).state == OutboxState.SENT
    assert _run(path, "outbox", "drop", item.id) == TransitionError.exit_code  # already sent
