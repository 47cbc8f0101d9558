"""Security defaults: verified TLS for IMAP and SMTP, owner-only files, secrets never written."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from circle.config import ImapSettings, SmtpSettings, config_from_dict
from circle.errors import ConfigError, MailConfigError, MailError
from circle.model import Notice, OutboxItem, OutboxState, Story
from circle.tokens import TokenClaim, make_token, reply_address
from data.store import TinyStore
from mail.devservers import DevServers
from mail.imap import ImapSource
from mail.smtp import SmtpSink
from tests.mailin_support import CIRCLE, members, raw, rounds
from tests.mailservers import Mailbox, wait_until

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = {"circle": {"name": "C", "slug": "c", "address": "c@example.org",
                      "steward_email": "s@example.org"}}


def test_tls_with_verification_is_the_default() -> None:
    for settings in (ImapSettings(), config_from_dict(MINIMAL).imap):
        assert (settings.security, settings.port, settings.ca_file) == ("tls", 993, "")
    for out in (SmtpSettings(), config_from_dict(MINIMAL).smtp):
        assert (out.security, out.port, out.ca_file) == ("starttls", 587, "")
    for section in ("imap", "smtp"):
        doc = {**MINIMAL, section: {"host": "mail.example.org", "security": "plain"}}
        with pytest.raises(ConfigError, match=f"\\[{section}\\] refusing plain text to mail"):
            config_from_dict(doc)
        local = config_from_dict({**MINIMAL, section: {"host": "127.0.0.1",
                                                       "security": "plain"}})
        assert getattr(local, section).security == "plain"


def test_adapters_refuse_plain_text_to_a_remote_host() -> None:
    with pytest.raises(MailError, match=r"\[imap\] refusing plain text to mail.example.org"):
        ImapSource(ImapSettings(host="mail.example.org", security="plain"), password="x")
    with pytest.raises(MailError, match=r"\[smtp\] refusing plain text to smtp.example.org"):
        SmtpSink(SmtpSettings(host="smtp.example.org", security="plain"))


def test_self_signed_certificates_are_rejected_without_ca_file(mailbox: Mailbox) -> None:
    """The real Dovecot (IMAPS, STARTTLS) and relay (SMTPS, STARTTLS) with a self-signed cert."""
    s: DevServers = mailbox.servers
    for security, port in (("tls", s.imaps_port), ("starttls", s.imap_port)):
        with pytest.raises(MailError, match="certificate"), ImapSource(
                mailbox.settings(security=security, port=port, ca_file=""), attempts=1) as src:
            src.uidvalidity()
        with ImapSource(mailbox.settings(security=security, port=port)) as src:
            assert src.uidvalidity() > 0  # the same server, trusted through ca_file

    async def send(security: str, port: int, ca_file: str) -> tuple[bool, str]:
        settings = SmtpSettings(host=s.host, port=port, security=security, ca_file=ca_file,
                                per_minute=0)
        async with SmtpSink(settings) as sink:
            result = await sink.send("circle@circle.test", "alice@circle.test",
                                     b"Subject: tls\r\nMessage-ID: <tls@x>\r\n\r\nhi\r\n")
        return result.ok, result.detail

    for security, port in (("tls", s.smtps_port), ("starttls", s.submission_port)):
        # a configuration error, raised before anything is handed over (not a retry)
        with pytest.raises(MailConfigError, match="certificate that does not verify"):
            asyncio.run(send(security, port, ""))
        ok, detail = asyncio.run(send(security, port, str(s.ca_file)))
        assert ok, detail


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
            for p in [root, *root.rglob("*")]}


def _imap_login(s: DevServers, user: str, password: str) -> bool:
    client = IMAPClient(s.host, port=s.imap_port, ssl=False, timeout=5)
    try:
        client.login(user, password)
    except LoginError:
        return False
    finally:
        client.shutdown()
    return True


def _cli(config: Path, *argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", "--config", str(config), *argv],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**env, "PYTHONPATH": str(ROOT)}, check=False)


def test_fetch_and_send_keep_files_private_and_secrets_unwritten(
        mail_servers: DevServers, tmp_path: Path) -> None:
    """Real `circle fetch` / `send-due` / `run --once` over verified TLS with passwords from the
    environment: data owner-only, and no secret in the data dir, config or output."""
    s = mail_servers
    circle_secret = "circle-secret-" + secrets.token_hex(12)
    imap_pw = "imap-pw-" + secrets.token_hex(12)
    smtp_pw = "smtp-pw-" + secrets.token_hex(12)
    imap_user = f"sec-{secrets.token_hex(4)}@circle.test"
    smtp_user = f"relay-{secrets.token_hex(4)}@circle.test"
    with open(s.directory / "users", "a", encoding="utf-8") as users:  # re-read on each login
        users.write(f"{imap_user}:{{PLAIN}}{imap_pw}::::::\n{smtp_user}:{{PLAIN}}{smtp_pw}::::::\n")
    stamp = time.time() + 2  # Dovecot re-reads the file when its mtime changes
    os.utime(s.directory / "users", (stamp, stamp))
    assert wait_until(lambda: _imap_login(s, imap_user, imap_pw), timeout=5)
    config = tmp_path / "circle" / "config.toml"
    config.parent.mkdir()
    config.write_text(f"""[circle]
name = "Teachers"
slug = "teachers"
address = "{CIRCLE}"
steward_email = "steward@circle.test"
data_dir = "data"

[imap]
host = "{s.host}"
port = {s.imaps_port}
username = "{imap_user}"
ca_file = "{s.ca_file}"
poll_seconds = 1

[smtp]
host = "{s.host}"
port = {s.submission_port}
username = "{smtp_user}"
ca_file = "{s.ca_file}"
per_minute = 0
""", encoding="utf-8")
    data_dir = config.parent / "data"
    store = TinyStore(data_dir)
    store.put_many([*members(), *rounds()])
    store.close()
    token = make_token(circle_secret.encode(), TokenClaim("ana", "2026-11", ""))
    mailbox = Mailbox(s, imap_user)
    mailbox.append(raw("Ana <ana@example.org>", reply_address(CIRCLE, token), mid="sec1@ana"))
    env = {**os.environ, "CIRCLE_SECRET": circle_secret, "CIRCLE_IMAP_PASSWORD": imap_pw,
           "CIRCLE_SMTP_PASSWORD": smtp_pw}
    before = set(s.spool.glob("*.json"))
    outputs: list[str] = []
    for argv in (("fetch",), ("send-due",), ("run", "--once"), ("outbox", "list", "--all")):
        done = _cli(config, *argv, env=env)
        outputs += [done.stdout, done.stderr]
        assert done.returncode == 0, f"{argv}: {done.stderr}"
    assert "1 fetched: 1 stories" in outputs[0]
    # it really worked over verified TLS with those passwords
    store = TinyStore(data_dir)
    assert [x.message_id for x in store.all(Story)] == ["sec1@ana"]
    assert store.all(Story)[0].held_reasons == []  # the token verified with $CIRCLE_SECRET
    receipts = [o for o in store.all(OutboxItem) if o.kind == "receipt"]
    assert [o.state for o in receipts] == [OutboxState.SENT], outputs
    spooled = [json.loads(p.read_text()) for p in set(s.spool.glob("*.json")) - before]
    assert any(r["auth_user"] == smtp_user and r["tls"] for r in spooled), spooled
    assert [n.kind for n in store.all(Notice)] == ["receipt"]
    # owner-only: the directory tree 0700, every file holding data 0600
    modes = _modes(data_dir)
    assert modes["."] == 0o700
    dirs = {p: m for p, m in modes.items() if (data_dir / p).is_dir()}
    assert set(dirs.values()) == {0o700}, dirs
    data_files = {p: m for p, m in modes.items()
                  if (data_dir / p).is_file() and not p.endswith((".lock", ".pid"))}
    assert any(p.startswith("raw/") and p.endswith(".eml") for p in data_files)
    assert set(data_files.values()) == {0o600}, data_files
    lock_files = {p: m for p, m in modes.items() if p.endswith((".lock", ".pid"))}
    assert all(m & 0o077 == 0 for m in lock_files.values()), lock_files
    # no secret anywhere: not in the config, the data directory (store, raw mail, locks) or output
    assert not (data_dir / "secret.key").exists()  # the secret came from the environment
    haystacks = {str(p): p.read_bytes() for p in [config, *data_dir.rglob("*")] if p.is_file()}
    haystacks.update({f"output {k}": o.encode() for k, o in enumerate(outputs)})
    for value in (circle_secret, imap_pw, smtp_pw):
        leaks = [where for where, data in haystacks.items() if value.encode() in data]
        assert not leaks, f"a secret was written to {leaks}"


def test_secret_key_made_on_first_use_is_owner_only(tmp_path: Path) -> None:
    from cli.context import load_secret

    data_dir = tmp_path / "d"
    TinyStore(data_dir).close()
    key = load_secret(data_dir, "CIRCLE_SECRET_UNSET_FOR_TEST")
    path = data_dir / "secret.key"
    assert len(key) >= 32 and path.read_bytes().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "circle.json").stat().st_mode) == 0o600
