"""The TUI's own mail loop, on real servers: Dovecot in, aiosmtpd out, Pilot in between."""

from __future__ import annotations

import asyncio
from pathlib import Path

from circle.config import SmtpSettings
from circle.model import OutboxItem, OutboxState, Story
from data.store import TinyStore
from mail.imap import ImapSource
from mail.smtp import SmtpSink
from tests.conftest import FixedClock
from tests.mailin_support import NOW, SECRET, make_config, raw, seed, to_token
from tests.mailservers import Mailbox
from tui.app import make_app

pytest_plugins = ["tests.smtp_server"]


async def _until(pilot, predicate, timeout: float = 60.0) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "the condition did not come true"
        await pilot.pause(0.05)


async def test_the_tui_fetches_stores_and_sends_the_receipt_itself(
        mailbox: Mailbox, smtp_server, tmp_path: Path) -> None:
    store = TinyStore(tmp_path / "data")
    seed(store)
    smtp = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="plain",
                        per_minute=0, connections=1)
    config = make_config(mailbox.settings(), smtp=smtp)
    mailbox.append(raw("Ana <ana@example.org>", to_token("ana"), mid="tui-loop-1@ana"))
    source = ImapSource(mailbox.settings(), backoff=0.05)
    sink = SmtpSink(smtp, password="")
    app = make_app(config, store, source, sink, FixedClock(NOW), secret=SECRET,
                   data_dir=tmp_path / "data")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: any(s.message_id.strip("<>") == "tui-loop-1@ana"
                                            for s in app.data.stories.values()))
            assert "fetching here" in app.mail_status or "sent" in app.mail_status
            await _until(pilot, lambda: any("ana@example.org" in r.rcpt
                                            for r in smtp_server.handler.received))
            # the relay has it; the batch's outcome is folded into the store just after
            await _until(pilot, lambda: [i.state for i in store.all(OutboxItem)
                                         if i.kind == "receipt"] == [OutboxState.SENT])
            assert [s.member_id for s in store.all(Story)] == ["ana"]
            assert any(n.title == "New mail" for n in app._notifications)
    finally:
        source.close()
