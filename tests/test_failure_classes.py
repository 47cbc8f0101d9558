"""Failure classes against real servers: a blackhole SMTP, certificates that do not verify,
wrong passwords (check --connect, fetch, run), IMAP pointed at an SMTP port."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from circle.compose.message import Composed
from circle.config import SmtpSettings
from circle.errors import CircleError, MailConfigError, MailUnreachable
from circle.model import InboundRecord, OutboxItem, OutboxState
from circle.outbox import new_item
from cli.main import main
from data.locks import sending_lock
from data.store import TinyStore
from mail.imap import ImapSource
from mail.loop import run_forever
from mail.send import CircuitBreaker, send_due_now
from mail.smtp import SmtpSink
from tests.conftest import FixedClock
from tests.mailin_support import NOW, SECRET, make_config, raw, seed, to_token
from tests.mailservers import Mailbox
from tests.smtp_server import ScriptedHandler, SmtpServer, free_port

pytest_plugins = ["tests.smtp_server"]
SMTP_PASSWORD_ENV = "CIRCLE_TEST_SMTP_PASSWORD"  # noqa: S105 - a variable name


@dataclass
class Blackhole:
    """A 127.0.0.1 port that accepts TCP connections and never writes a byte."""

    port: int
    accepted: int = 0
    conns: list[socket.socket] = field(default_factory=list)


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    hole = Blackhole(listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            hole.conns.append(conn)  # held open, silent
            hole.accepted += 1

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield hole
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in hole.conns:
            conn.close()
        listener.close()


def _queue(store: TinyStore, n: int, kind: str = "receipt") -> list[OutboxItem]:
    items = []
    for k in range(n):
        mid = f"fc{k:03d}@circle.test"
        body = (f"From: circle@circle.test\r\nTo: ana@example.org\r\nMessage-ID: <{mid}>\r\n"
                f"Subject: test {k}\r\n\r\nhello {k}\r\n").encode()
        items.append(new_item(Composed(kind, "2026-11", "ana", "ana@example.org", mid, "t",
                                       body), NOW + timedelta(seconds=k)))
    store.put_many(items)
    return items


def _untouched(store: TinyStore) -> None:
    """Every item queued again with no attempt counted and nothing left sending/uncertain."""
    items = store.all(OutboxItem, bodies=False)
    assert items and {i.state for i in items} == {OutboxState.QUEUED}
    assert all(i.attempts == 0 for i in items)


async def test_a_blackhole_relay_opens_the_circuit_items_stay_queued(
        tmp_path: Path, blackhole: Blackhole, smtp_server: SmtpServer) -> None:
    store = TinyStore(tmp_path)
    seed(store)
    _queue(store, 6)
    lock, breaker = sending_lock(tmp_path), CircuitBreaker()
    silent = SmtpSettings(host="127.0.0.1", port=blackhole.port, security="plain",
                          connections=2, per_minute=0, connect_timeout=1)
    async with SmtpSink(silent) as sink:
        with pytest.raises(MailUnreachable, match="did not answer") as err:
            await send_due_now(store, sink, NOW, sender="circle@circle.test", lock=lock,
                               breaker=breaker)
        assert err.value.exit_code == 75
        _untouched(store)
        assert blackhole.accepted == 2  # one try per connection, not one per item
        assert breaker.until == NOW + timedelta(minutes=1)
        with pytest.raises(MailUnreachable):  # while open: the relay is left alone
            await send_due_now(store, sink, NOW + timedelta(seconds=30),
                               sender="circle@circle.test", lock=lock, breaker=breaker)
        assert blackhole.accepted == 2
        later = NOW + timedelta(minutes=1)
        with pytest.raises(MailUnreachable):  # tried again, then a longer pause
            await send_due_now(store, sink, later, sender="circle@circle.test", lock=lock,
                               breaker=breaker)
        assert breaker.until == later + timedelta(minutes=2)
    assert not (tmp_path / "outbox.journal").read_text(encoding="utf-8").strip()
    working = SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="plain",
                           per_minute=0)
    async with SmtpSink(working) as sink:
        report = await send_due_now(store, sink, later + timedelta(minutes=2),
                                    sender="circle@circle.test", lock=lock, breaker=breaker)
    assert report.sent == 6 and breaker.until is None
    assert len(smtp_server.handler.received) == 6  # each exactly once


def _config_text(tmp_path: Path, mailbox: Mailbox, smtp: str, *, imap_port: int = 0) -> Path:
    s = mailbox.settings()
    path = tmp_path / "config.toml"
    path.write_text(f"""[circle]
name = "Teachers"
slug = "teachers"
address = "circle@circle.test"
steward_email = "steward@circle.test"
data_dir = "data"

[imap]
host = "{s.host}"
port = {imap_port or s.port}
security = "plain"
username = "{s.username}"
password_env = "{s.password_env}"

[smtp]
{smtp}
""", encoding="utf-8")
    return path


def test_run_once_against_a_blackhole_fetches_then_stops_sending(
        tmp_path: Path, mailbox: Mailbox, blackhole: Blackhole,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    store = TinyStore(tmp_path / "data")
    seed(store)
    _queue(store, 3)
    config = _config_text(tmp_path, mailbox, f"""host = "127.0.0.1"
port = {blackhole.port}
security = "plain"
connect_timeout = 1""")
    mailbox.append(raw("Ana <ana@example.org>", to_token("ana"), mid="bh1@ana"))
    code = main(["--config", str(config), "run", "--once"])
    out, errors = capsys.readouterr()
    assert code == 75, errors
    assert "1 fetched" in out  # fetching went on
    assert errors.count("did not answer") == 1  # logged once, not per item
    after = TinyStore(tmp_path / "data")
    assert [r.message_id for r in after.all(InboundRecord)] == ["bh1@ana"]
    states = {i.state for i in after.all(OutboxItem, bodies=False)}
    assert states == {OutboxState.QUEUED}  # not sending, not uncertain
    assert blackhole.accepted <= 2


def _cert(tmp_path: Path, name: str) -> tuple[Path, Path]:
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
                    "-keyout", str(key), "-out", str(cert)], capture_output=True, check=True)
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[SmtpServer, Path]]:
    """aiosmtpd with STARTTLS whose certificate names mail.example.org, not 127.0.0.1."""
    cert, key = _cert(tmp_path, "mail.example.org")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = ScriptedHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield SmtpServer(handler, "127.0.0.1", port), cert
    finally:
        controller.stop()


@pytest.mark.parametrize(("ca", "reason"), [("own", "mismatch"), ("system", "self.signed")])
async def test_a_certificate_that_does_not_verify_is_a_config_error(
        tmp_path: Path, tls_server: tuple[SmtpServer, Path], ca: str, reason: str) -> None:
    server, cert = tls_server
    store = TinyStore(tmp_path)
    seed(store)
    _queue(store, 4)
    settings = SmtpSettings(host=server.host, port=server.port, security="starttls",
                            ca_file=str(cert) if ca == "own" else "", per_minute=0)
    async with SmtpSink(settings) as sink:
        with pytest.raises(MailConfigError, match=f"certificate that does not verify.*{reason}"
                           ) as err:
            await send_due_now(store, sink, NOW, sender="circle@circle.test",
                               lock=sending_lock(tmp_path))
    assert err.value.exit_code == 69 and "ca_file" in str(err.value)
    _untouched(store)
    assert server.handler.received == []


def test_send_due_with_a_certificate_mismatch_exits_69_with_the_reason(
        tmp_path: Path, tls_server: tuple[SmtpServer, Path], mailbox: Mailbox,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    server, cert = tls_server
    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    store = TinyStore(tmp_path / "data")
    seed(store)
    _queue(store, 5)
    config = _config_text(tmp_path, mailbox, f"""host = "{server.host}"
port = {server.port}
security = "starttls"
ca_file = "{cert}"
""")
    capsys.readouterr()
    assert main(["--config", str(config), "send-due"]) == 69
    errors = capsys.readouterr().err
    assert errors.count("does not verify") == 1 and "mismatch" in errors
    assert server.handler.received == []
    after = TinyStore(tmp_path / "data")
    assert {i.id: i.state for i in after.all(OutboxItem, bodies=False)
            if i.message_id.startswith("fc")} == \
        {i.id: OutboxState.QUEUED for i in store.all(OutboxItem, bodies=False)
         if i.message_id.startswith("fc")}


def _relay(mailbox: Mailbox, password_env: str = SMTP_PASSWORD_ENV) -> str:
    s = mailbox.servers
    return f"""host = "localhost"
port = {s.submission_port}
security = "starttls"
username = "{mailbox.user}"
password_env = "{password_env}"
ca_file = "{s.ca_file}"
connect_timeout = 5"""


def test_check_connect_logs_in_and_names_each_failing_step(
        tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    monkeypatch.setenv(SMTP_PASSWORD_ENV, mailbox.password)
    config = _config_text(tmp_path, mailbox, _relay(mailbox))
    capsys.readouterr()
    assert main(["--config", str(config), "check", "--connect"]) == 0
    out = capsys.readouterr().out
    for step in ("IMAP connect", f"IMAP LOGIN as {mailbox.user}: OK", "IMAP SELECT INBOX: OK",
                 "SMTP connect", "SMTP EHLO: OK", "SMTP STARTTLS: OK",
                 f"SMTP AUTH as {mailbox.user}: OK", "no mail was sent"):
        assert step in out, out
    assert main(["--config", str(config), "check"]) == 0  # without --connect: no server

    monkeypatch.setenv(SMTP_PASSWORD_ENV, "wrong")
    assert main(["--config", str(config), "check", "--connect"]) == 69
    out, err = capsys.readouterr()
    assert "IMAP LOGIN" in out and "SMTP AUTH failed" in err and "refused the login" in err

    monkeypatch.setenv(SMTP_PASSWORD_ENV, mailbox.password)
    monkeypatch.setenv(mailbox.settings().password_env, "wrong")
    assert main(["--config", str(config), "check", "--connect"]) == 69
    out, err = capsys.readouterr()
    assert "IMAP login" in err and "was refused" in err and "SMTP AUTH as" in out
    assert main(["--config", str(config), "fetch"]) == 69  # fetch: the same reason, exit 69
    assert "was refused" in capsys.readouterr().err


def test_imap_pointed_at_an_smtp_port_says_it_does_not_speak_imap(
        tmp_path: Path, mailbox: Mailbox, smtp_server: SmtpServer,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    config = _config_text(tmp_path, mailbox, f'host = "127.0.0.1"\nport = {smtp_server.port}\n'
                          'security = "plain"', imap_port=smtp_server.port)
    capsys.readouterr()
    assert main(["--config", str(config), "check", "--connect"]) == 69
    err = capsys.readouterr().err
    assert "does not speak IMAP" in err and "SMTP server" in err and "[imap] port" in err
    assert "folder" not in err
    with pytest.raises(MailConfigError, match="does not speak IMAP"), ImapSource(
            mailbox.settings(port=smtp_server.port), backoff=0) as source:
        source.uidvalidity()


def test_run_exits_after_three_refused_imap_logins_logging_once(
        tmp_path: Path, mailbox: Mailbox) -> None:
    store = TinyStore(tmp_path / "data")
    seed(store)
    errors: list[CircleError] = []
    stop = threading.Event()
    with ImapSource(mailbox.settings(), password="wrong") as source, \
            pytest.raises(MailConfigError, match="was refused"):
        run_forever(source, store, store.archive, make_config(mailbox.settings()), SECRET,
                    FixedClock(NOW), stop, on_error=errors.append, error_backoff=0.01,
                    max_error_backoff=0.01)
    assert len(errors) == 1  # reported once, though it failed three times


def test_run_exits_after_three_refused_smtp_logins_items_untouched(
        tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TinyStore(tmp_path / "data")
    seed(store)
    _queue(store, 3)
    s = mailbox.servers
    relay = SmtpSettings(host="localhost", port=s.submission_port, security="starttls",
                         username=mailbox.user, ca_file=str(s.ca_file), per_minute=0)
    tries: list[int] = []

    def send_hook() -> None:
        async def go() -> None:
            async with SmtpSink(relay, password="wrong") as sink:
                tries.append(1)
                await send_due_now(store, sink, NOW, sender="circle@circle.test",
                                   lock=sending_lock(tmp_path / "data"))
        asyncio.run(go())

    errors: list[CircleError] = []
    with ImapSource(mailbox.settings()) as source, \
            pytest.raises(MailConfigError, match="refused the login"):
        run_forever(source, store, store.archive, make_config(mailbox.settings()), SECRET,
                    FixedClock(NOW), threading.Event(), after_fetch=[send_hook],
                    on_error=errors.append, idle_timeout=0.01)
    assert len(tries) == 3 and len(errors) == 1
    _untouched(store)


def test_a_clean_pass_resets_the_count(tmp_path: Path, mailbox: Mailbox) -> None:
    """Failures must be consecutive: one good pass in between starts the count again."""
    store = TinyStore(tmp_path / "data")
    seed(store)
    outcomes = iter([True, True, False, True, True, False])  # True: the hook fails
    passes: list[int] = []
    stop = threading.Event()

    def hook() -> None:
        passes.append(1)
        try:
            failing = next(outcomes)
        except StopIteration:
            stop.set()
            return
        if failing:
            raise MailConfigError("[smtp] refused the login")

    with ImapSource(mailbox.settings()) as source:
        run_forever(source, store, store.archive, make_config(mailbox.settings()), SECRET,
                    FixedClock(NOW), stop, after_fetch=[hook], idle_timeout=0.01)
    assert len(passes) == 7  # never three in a row: it ran until told to stop


def test_the_config_rejects_bad_quota_and_timeout_values() -> None:
    from circle.config import config_from_dict
    from circle.errors import ConfigError

    base = {"circle": {"name": "C", "slug": "c", "address": "c@x.org",
                       "steward_email": "s@x.org"}}
    with pytest.raises(ConfigError) as err:
        config_from_dict({**base, "smtp": {"max_per_day": -1, "connect_timeout": 0}})
    text = str(err.value)
    assert "max_per_day must be 0 (no limit) or more" in text
    assert "connect_timeout must be 1 second or more" in text
    config = config_from_dict({**base, "smtp": {"max_per_day": 500}})
    assert config.smtp.max_per_day == 500 and replace(config.smtp).connect_timeout == 10


def test_a_blackhole_imap_server_fails_fast_without_retries(blackhole: Blackhole) -> None:
    from circle.config import ImapSettings

    settings = ImapSettings(host="127.0.0.1", port=blackhole.port, security="plain",
                            username="circle@circle.test")
    with pytest.raises(MailUnreachable, match="did not answer"), ImapSource(
            settings, password="x", connect_timeout=0.5, backoff=0) as source:
        source.uidvalidity()
    assert blackhole.accepted == 1  # one try, not the five reconnects of a dropped session


def test_check_connect_to_closed_or_wrong_ports_says_why_without_a_traceback(
        tmp_path: Path, mailbox: Mailbox, smtp_server: SmtpServer,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    closed = free_port()  # nothing listens there
    config = _config_text(tmp_path, mailbox, f'host = "127.0.0.1"\nport = {smtp_server.port}\n'
                          'security = "tls"', imap_port=closed)
    capsys.readouterr()
    code = main(["--config", str(config), "check", "--connect"])
    err = capsys.readouterr().err
    assert code == 75 and "cannot reach the IMAP server" in err and "Traceback" not in err
    assert "TLS handshake with the SMTP server" in err and "[smtp] security and port" in err
    assert smtp_server.handler.received == []
