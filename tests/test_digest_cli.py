"""`circle digest note` and `circle digest preview --member` from the command line: the note
opens the sent digest; a member's preview is their own copy."""

from __future__ import annotations

from email import message_from_bytes, policy

from circle.errors import NotFoundError, TransitionError
from circle.model import OutboxItem, Round
from tests.test_mailout_cli import _run, circle_cfg  # noqa: F401 - the fixture

pytest_plugins = ["tests.smtp_server"]


def test_note_preview_as_a_member_then_send(circle_cfg, smtp_server, capsys):  # noqa: F811
    path, store, _ = circle_cfg
    note = "Welcome to our two new members, and thank you all."
    assert _run(path, "digest", "note", note) == 0
    assert "at the top of the 2026-11 digest" in capsys.readouterr().out
    assert store.get(Round, "2026-11").digest_note == note

    assert _run(path, "digest", "preview", "--member", "dee") == 0
    preview = capsys.readouterr().out
    assert preview.startswith("To: Dee Walker <dee@example.org>\nSubject: ")
    assert "A note from Maya Okafor" in preview and note in preview
    assert "circle+r-" in preview and "preview.invalid" not in preview
    assert _run(path, "digest", "preview", "--member", "nobody") == NotFoundError.exit_code

    assert _run(path, "digest", "approve") == 0
    assert _run(path, "digest", "send") == 0
    got = [message_from_bytes(r.raw, policy=policy.default)
           for r in smtp_server.handler.received if "dee@example.org" in r.rcpt]
    (dee,) = got
    text = dee.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert note in text
    # Dee's preview is the copy Dee received (its links included)
    assert preview.split("\n\n", 1)[1].rstrip() == text.replace("\r\n", "\n").rstrip()

    capsys.readouterr()
    assert _run(path, "digest", "note", "Too late now") == TransitionError.exit_code
    assert store.get(Round, "2026-11").digest_note == note
    assert all(i.state == "sent" for i in store.all(OutboxItem) if i.kind == "digest")


def test_an_empty_note_removes_it(circle_cfg, capsys):  # noqa: F811
    path, store, _ = circle_cfg
    assert _run(path, "digest", "note", "First thoughts") == 0
    assert _run(path, "digest", "note", "") == 0
    assert "has no note now" in capsys.readouterr().out
    assert store.get(Round, "2026-11").digest_note == ""
    assert _run(path, "digest", "preview") == 0
    assert "A note from" not in capsys.readouterr().out
