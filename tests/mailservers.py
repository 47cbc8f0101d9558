"""Pytest plugin: real Dovecot + SMTP relay on 127.0.0.1, started once per session.

Fixtures: `mail_servers` (session; a `mail.devservers.DevServers`) and `mailbox` (a fresh
catch-all IMAP user per test, with helpers to append raw mail, change UIDVALIDITY, kick
connections and build `ImapSettings`).

When the servers cannot start, their tests are skipped on a developer's machine but FAIL under
`CI=true` (`servers_unavailable`): a CI machine without Dovecot must not run green.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from imapclient import IMAPClient

from circle.config import ImapSettings
from circle.errors import MailError
from mail import devservers
from mail.devservers import DevServers

PASSWORD_ENV = "CIRCLE_TEST_IMAP_PASSWORD"
_counter = itertools.count(1)


def strict() -> bool:
    """Whether a missing real server fails the run (CI=true) instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def servers_unavailable(reason: str) -> None:
    """Skip the test, or under CI=true fail it: CI must run the real-server tests."""
    if strict():
        pytest.fail(f"real mail servers unavailable under CI=true (not skipped): {reason}",
                    pytrace=False)
    pytest.skip(f"real mail servers unavailable: {reason}")


@pytest.fixture(scope="session")
def mail_servers() -> Iterator[DevServers]:
    """Dovecot (IMAP/IMAPS/LMTP) and the SMTP relay, on free loopback ports, for the session.

    Under pytest-xdist every worker starts its own (its own directory, its own free ports);
    a port another worker took between our probe and Dovecot's bind gets one more try.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    directory = Path(tempfile.mkdtemp(prefix=f"circle-mailtest-{worker}-"))
    for attempt in (1, 2):
        try:
            servers = devservers.start(directory)
            break
        except MailError as exc:
            missing = "not installed" in str(exc) or "not found" in str(exc)
            if attempt == 2 or missing:
                shutil.rmtree(directory, ignore_errors=True)
                servers_unavailable(str(exc))
            shutil.rmtree(directory, ignore_errors=True)
            directory = Path(tempfile.mkdtemp(prefix=f"circle-mailtest-{worker}-"))
    try:
        yield servers
    finally:
        servers.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Mailbox:
    """A fresh IMAP user on the dev servers (any address logs in with the catch-all password)."""

    servers: DevServers
    user: str

    @property
    def password(self) -> str:
        """The user's IMAP password."""
        return self.servers.password(self.user)

    def client(self, folder: str = "INBOX") -> IMAPClient:
        """A logged-in plain-IMAP client with `folder` selected (close it with logout())."""
        c = IMAPClient(self.servers.host, port=self.servers.imap_port, ssl=False, timeout=10)
        c.login(self.user, self.password)
        c.select_folder(folder)
        return c

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """APPEND one raw message over IMAP."""
        c = self.client(folder)
        try:
            c.append(folder, raw)
        finally:
            c.logout()

    def uids(self, folder: str = "INBOX", criteria: list[object] | None = None) -> list[int]:
        """UIDs in `folder` matching IMAP search criteria (all by default)."""
        c = self.client(folder)
        try:
            return sorted(c.search(criteria or ["ALL"]))
        finally:
            c.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """Flags of every message in `folder` by UID."""
        c = self.client(folder)
        try:
            uids = c.search(["ALL"])
            return {uid: data[b"FLAGS"] for uid, data in c.fetch(uids, ["FLAGS"]).items()}
        finally:
            c.logout()

    def set_uidvalidity(self, value: int, folder: str = "INBOX") -> None:
        """Force a new UIDVALIDITY with doveadm (as a server rebuild would)."""
        self.servers.doveadm("mailbox", "update", "-u", self.user, "--uid-validity",
                             str(value), folder)

    def kick(self) -> None:
        """Drop every IMAP connection of this user (doveadm kick)."""
        self.servers.doveadm("kick", self.user)

    def settings(self, **changes: object) -> ImapSettings:
        """ImapSettings for this mailbox: plain to 127.0.0.1, password from PASSWORD_ENV."""
        base = ImapSettings(host=self.servers.host, port=self.servers.imap_port,
                            security="plain", username=self.user, password_env=PASSWORD_ENV,
                            ca_file=str(self.servers.ca_file), poll_seconds=1)
        return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def mailbox(mail_servers: DevServers, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """A never-used mailbox for this test; the password is in $CIRCLE_TEST_IMAP_PASSWORD."""
    user = f"t{next(_counter)}-{uuid.uuid4().hex[:8]}@circle.test"
    monkeypatch.setenv(PASSWORD_ENV, mail_servers.password(user))
    return Mailbox(mail_servers, user)


def wait_until(predicate: object, timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Poll `predicate()` until true or `timeout` seconds pass; the last result."""
    deadline = time.monotonic() + timeout
    while True:
        if callable(predicate) and predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
