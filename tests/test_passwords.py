"""IMAP and SMTP resolve passwords the same way (the README's `pass show circle` example)."""

from __future__ import annotations

import sys

import pytest

from circle.config import ImapSettings, SmtpSettings
from circle.errors import MailError
from mail.imap import resolve_password
from mail.smtp import smtp_password

# what `pass show circle` prints: the password, then other fields of the entry
PASS_LIKE = f"{sys.executable} -c \"print('s3cret'); print('login: circle@example.org')\""


def test_both_servers_take_the_first_line_of_the_password_command() -> None:
    imap = ImapSettings(username="circle", password_env="", password_command=PASS_LIKE)
    smtp = SmtpSettings(password_env="", password_command=PASS_LIKE)
    assert resolve_password(imap, env={}) == "s3cret"
    assert smtp_password(smtp) == "s3cret"


def test_the_environment_wins_over_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCLE_SMTP_PASSWORD", "from-env")
    smtp = SmtpSettings(password_env="CIRCLE_SMTP_PASSWORD", password_command=PASS_LIKE)
    assert smtp_password(smtp) == "from-env"
    imap = ImapSettings(username="c", password_env="X", password_command=PASS_LIKE)
    assert resolve_password(imap, env={"X": "imap-env"}) == "imap-env"


@pytest.mark.parametrize("command, says", [
    (f"{sys.executable} -c \"import sys; sys.exit(3)\"", "failed (exit 3)"),
    (f"{sys.executable} -c \"print()\"", "printed no password"),
    ("/nonexistent/pass show circle", "could not run"),
])
def test_a_broken_command_is_the_same_clear_error_for_both(command: str, says: str) -> None:
    with pytest.raises(MailError, match="imap") as imap_err:
        resolve_password(ImapSettings(username="c", password_env="", password_command=command),
                         env={})
    with pytest.raises(MailError, match="smtp") as smtp_err:
        smtp_password(SmtpSettings(password_env="", password_command=command))
    assert says in str(imap_err.value) and says in str(smtp_err.value)
