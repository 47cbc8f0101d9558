"""The Digest screen with Pilot: the steward's note, approve before send, "sent to N members
at HH:MM" after a real send (aiosmtpd), the preview as one member sees it (what is then sent),
and the outbox item's reason and message before a resend."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from circle.app.rounds import queue_digest
from circle.config import SmtpSettings
from circle.model import OutboxItem, OutboxState, Round
from mail.smtp import SmtpSink
from tests.smtp_server import SmtpServer
from tests.tui_support import demo_app, screen_text, settle
from tui.screens.digest import DigestScreen
from tui.screens.outbox_item import OutboxItemScreen

pytest_plugins = ["tests.smtp_server"]
NOV = "2026-11"


def _sink(server: SmtpServer) -> SmtpSink:
    return SmtpSink(SmtpSettings(host="127.0.0.1", port=server.port, security="plain",
                                 connections=2, per_minute=6000))


def _round(app: Any) -> Round:
    rnd = app.store.get(Round, NOV)
    assert rnd is not None
    return rnd


async def _open_digest(pilot: Any) -> DigestScreen:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot, lambda: pilot.app.screen.preview is not None)
    screen = pilot.app.screen
    assert isinstance(screen, DigestScreen)
    return screen


async def test_note_approve_send_and_the_sent_state(tmp_path: Path,
                                                    smtp_server: SmtpServer) -> None:
    app = demo_app(tmp_path / "data", sink=_sink(smtp_server))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_digest(pilot)
        assert "Not approved yet" in screen_text(app)
        await pilot.press("S")  # refused until approved, as `circle digest send`
        await pilot.pause()
        assert not isinstance(app.screen, OutboxItemScreen)
        assert "will receive it" not in screen_text(app)
        assert not [i for i in app.store.all(OutboxItem) if i.kind == "digest"
                    and i.round_id == NOV]

        await pilot.press("n")
        await pilot.pause()
        note = "Thank you for a brave month. Bring a friend to the gathering."
        app.screen.query_one("TextArea").insert(note)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: _round(app).digest_note == note)
        await settle(pilot, lambda: screen.preview is not None and note in screen.preview.plain)
        assert "A note from Amara Okafor" in screen.preview.plain
        plain = screen.preview.plain
        assert plain.index(note) < plain.index("This month's gathering")

        await pilot.press("a")
        await settle(pilot, lambda: _round(app).digest_approved)
        assert "Approved. S sends it to 10 members." in screen_text(app)
        await pilot.press("S")
        await pilot.pause()
        assert "10 members will receive it" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, lambda: "Sent to 10 members at" in screen_text(app), timeout=30)

        sent = [i for i in app.store.all(OutboxItem) if i.kind == "digest"
                and i.round_id == NOV]
        assert len(sent) == 10 and all(i.state == OutboxState.SENT for i in sent)
        got = [r for r in smtp_server.handler.received if b"digest for November" in r.raw]
        assert len(got) == 10
        assert all(note.encode()[:20] in r.raw.replace(b"=\r\n", b"") for r in got)
        assert "n writes" not in screen_text(app) and "(n)" not in screen_text(app)

        await pilot.press("1")  # Today says the same
        await settle(pilot, lambda: "digest sent to 10 members at" in screen_text(app))
        assert "digest due" not in screen_text(app)


async def test_preview_as_one_member_is_what_they_are_sent(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_digest(pilot)
        assert "mailto:reply-to-this-story@preview.invalid" in screen.preview.plain
        await pilot.press("m")
        await pilot.pause()
        options = app.screen.query_one("OptionList")
        options.highlighted = next(i for i in range(options.option_count)
                                   if options.get_option_at_index(i).id == "ana")
        await pilot.press("enter")
        await settle(pilot, lambda: screen.preview is not None
                     and screen.preview.member_id == "ana")
        preview = screen.preview.plain
        assert preview.startswith("To: Ana María Ruiz <ana@example.org>\nSubject: ")
        assert "preview.invalid" not in preview and "circle+r-" in preview
        assert "as Ana María Ruiz will see it" in screen_text(app)

        # what the preview showed is what Ana is then sent, links and all
        app.store.put(replace(_round(app), digest_approved=True))
        queue_digest(app.store, app.now(), app.config, app.secret, round_id=NOV, force=True)
        (item,) = [i for i in app.store.all(OutboxItem) if i.kind == "digest"
                   and i.member_id == "ana" and i.round_id == NOV]
        msg = message_from_string(item.raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(("plain",))
        assert body is not None
        sent_text = str(body.get_content()).replace("\r\n", "\n").rstrip("\n")
        assert preview.split("\n\n", 1)[1].rstrip("\n") == sent_text
        assert f"Subject: {msg['Subject']}" in preview


async def test_an_outbox_item_shows_its_reason_and_message_before_resend(
        tmp_path: Path, smtp_server: SmtpServer) -> None:
    app = demo_app(tmp_path / "data", sink=_sink(smtp_server))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_digest(pilot)
        table = screen.query_one("#outbox-table")
        table.move_cursor(row=next(i for i, key in enumerate(table.rows)
                                   if "tomasz" in str(key.value)))
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, OutboxItemScreen))
        shown = screen_text(app)
        assert "452 4.2.2 Mailbox full" in shown and "Tries: 3" in shown
        assert "Subject:" in shown and "tomasz@example.org" in shown
        assert "What is a small risk you took recently" in shown  # the message itself
        await pilot.press("y")  # reading is not resending: y does nothing here
        await pilot.pause()
        assert isinstance(app.screen, OutboxItemScreen)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, DigestScreen))

        await pilot.press("r")  # resend: the same view, asking first
        await settle(pilot, lambda: isinstance(app.screen, OutboxItemScreen))
        assert "Resend this question to tomasz@example.org?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, DigestScreen))
        item = app.store.get(OutboxItem, "o-2026-11-question-tomasz")
        assert item is not None and item.state == OutboxState.FAILED_TEMPORARY
        assert not smtp_server.handler.received

        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, OutboxItemScreen))
        await pilot.press("y")
        await settle(pilot, lambda: any(b"tomasz@example.org" in r.raw
                                        for r in smtp_server.handler.received), timeout=30)
        await settle(pilot)
        item = app.store.get(OutboxItem, "o-2026-11-question-tomasz")
        assert item is not None and item.state == OutboxState.SENT


async def test_a_member_name_that_looks_like_markup_is_shown_as_written(tmp_path: Path) -> None:
    """A name is the member's to write (a stranger added from Quarantine keeps their From
    name): the preview's border title shows it literally instead of parsing it as markup."""
    from circle.model import Member

    app = demo_app(tmp_path / "data")
    ana = app.store.get(Member, "ana")
    assert ana is not None
    app.store.put(replace(ana, name="Ana [/] [b]Ruiz"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_digest(pilot)
        await pilot.press("m")
        await pilot.pause()
        options = app.screen.query_one("OptionList")
        options.highlighted = next(i for i in range(options.option_count)
                                   if options.get_option_at_index(i).id == "ana")
        await pilot.press("enter")
        await settle(pilot, lambda: screen.preview is not None
                     and screen.preview.member_id == "ana")
        assert "as Ana [/] [b]Ruiz will see it" in screen_text(app)
