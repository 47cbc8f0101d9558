"""Sending the digest from the TUI to a real local SMTP server (aiosmtpd), including a refusal."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from circle.config import SmtpSettings
from circle.model import OutboxItem, OutboxState, Round, RoundState
from mail.smtp import SmtpSink
from tests.tui_support import demo_app, screen_text, settle


class Relay:
    """Accepts everything except RCPT to tomasz@, which gets a permanent 550."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address.startswith("tomasz@"):
            return "550 5.1.1 <tomasz@example.org>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def relay() -> Iterator[tuple[Relay, int]]:
    handler, port = Relay(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _sink(port: int) -> SmtpSink:
    return SmtpSink(SmtpSettings(host="127.0.0.1", port=port, security="plain",
                                 connections=2, per_minute=6000))


async def test_send_digest_to_all_and_show_the_refusal(tmp_path: Path,
                                                        relay: tuple[Relay, int]) -> None:
    handler, port = relay
    app = demo_app(tmp_path / "data", sink=_sink(port))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot, lambda: app.screen.preview is not None)
        await pilot.press("S")  # not approved yet: nothing happens
        await pilot.pause()
        assert "10 members will receive it" not in screen_text(app)
        await pilot.press("a")
        await settle(pilot, lambda: app.store.get(Round, "2026-11").digest_approved)
        await pilot.press("S")
        await pilot.pause()
        assert "10 members will receive it" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, lambda: not app.sending and app.send_progress[1] > 0, timeout=30)
        await settle(pilot)
        digests = [m for m in handler.messages if b"digest" in m.content.lower()]
        recipients = sorted(r for m in digests for r in m.rcpt_tos)
        assert len(recipients) == 9  # ten receive mail; tomasz's server refuses
        assert "tomasz@example.org" not in recipients
        items = [o for o in app.store.all(OutboxItem) if o.kind == "digest"
                 and o.round_id == "2026-11"]
        refused = [o for o in items if o.state == OutboxState.FAILED_PERMANENT]
        assert [o.recipient for o in refused] == ["tomasz@example.org"]
        assert app.store.get(Round, "2026-11").state == RoundState.DIGEST_SENT
        text = screen_text(app)
        assert "failed_permanent" in text and "550 5.1.1" in text


async def test_send_a_test_to_the_steward_then_drop_a_failed_item(
        tmp_path: Path, relay: tuple[Relay, int]) -> None:
    handler, port = relay
    app = demo_app(tmp_path / "data", sink=_sink(port))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot, lambda: app.screen.preview is not None)
        await pilot.press("t")
        await settle(pilot, lambda: not app.sending and app.send_progress[1] > 0, timeout=30)
        await settle(pilot)
        assert any("steward@example.org" in m.rcpt_tos for m in handler.messages)
        # the demo's uncertain question to rafael waits for the steward: drop it
        table = app.screen.query_one("#outbox-table")
        row = next(i for i, key in enumerate(table.rows) if "rafael" in key.value)
        table.move_cursor(row=row)
        await pilot.press("d")
        await settle(pilot)
        item = app.store.get(OutboxItem, "o-2026-11-question-rafael")
        assert item.state == OutboxState.DROPPED
