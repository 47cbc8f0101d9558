"""A loopback SMTP relay (aiosmtpd) delivering into Dovecot over LMTP, with a spool copy.

Run as `python -m mail.devrelay --port N --lmtp 127.0.0.1:M --spool DIR ...`; started and
stopped by `mail.devservers`. With `--imap 127.0.0.1:M` instead of `--lmtp` it delivers by IMAP
APPEND to each recipient's INBOX (logging in as the recipient), for the embedded pymap server.
Offers AUTH (never required), checked against the Dovecot passwd-file or the catch-all
password; keeps every transaction (raw + envelope JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import imaplib
import itertools
import json
import logging
import os
import signal
import smtplib
import ssl
import sys
import time
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from mail.devconf import load_users

log = logging.getLogger("circle-devrelay")


def mailbox_user(recipient: str) -> str:
    """Whose INBOX `recipient` lands in: `circle+tag@x` is circle@x (recipient_delimiter = +)."""
    local, at, domain = recipient.lower().rpartition("@")
    if not at:
        local, domain = domain, ""
    return f"{local.partition('+')[0]}{at}{domain}"


class Authenticator:
    """Checks AUTH PLAIN/LOGIN against the passwd-file (re-read each time) or the catch-all."""

    def __init__(self, users_file: str, catchall_password: str) -> None:
        self.users_file = users_file
        self.catchall_password = catchall_password

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
        """Decide one AUTH attempt (handled=False on failure so aiosmtpd answers 535)."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace").lower()
        password = auth_data.password.decode("utf-8", "replace")
        known = load_users(self.users_file)
        ok = (known[user] == password if user in known
              else bool(self.catchall_password) and password == self.catchall_password)
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)


class RelaySMTP(SMTP):
    """aiosmtpd SMTP that tolerates the RFC 4954 `AUTH=` MAIL FROM parameter."""

    def _getparams(self, params: Any) -> Any:
        result = super()._getparams(params)
        if result is not None:
            for key in [k for k in result if k.upper() == "AUTH"]:
                del result[key]
        return result


class LmtpRelay:
    """aiosmtpd handler: hand every accepted message to Dovecot via LMTP, keep a spool copy."""

    def __init__(self, lmtp: str, spool: str, *, imap: str = "", users_file: str = "",
                 catchall_password: str = "") -> None:
        self.lmtp = lmtp
        self.imap = imap
        self.users_file = users_file
        self.catchall_password = catchall_password
        self.spool = spool
        self.counter = itertools.count(1)
        os.makedirs(spool, exist_ok=True)

    def _deliver(self, envelope: Envelope) -> tuple[dict[str, list[Any]], str | None]:
        if self.imap:
            return self._append(envelope)
        host, _, port = self.lmtp.rpartition(":")
        opts = [o for o in envelope.mail_options if o.upper().startswith("BODY=")]
        try:
            client = smtplib.LMTP(host, int(port), timeout=30)
        except OSError as exc:
            return {}, repr(exc)
        try:
            refused = client.sendmail(envelope.mail_from or "", envelope.rcpt_tos,
                                      envelope.original_content or b"", mail_options=opts)
            return {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in refused.items()}, None
        except smtplib.SMTPRecipientsRefused as exc:
            return ({k: [v[0], v[1].decode("utf-8", "replace")]
                     for k, v in exc.recipients.items()}, None)
        except (smtplib.SMTPException, OSError) as exc:
            return {}, repr(exc)
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()

    def _append(self, envelope: Envelope) -> tuple[dict[str, list[Any]], str | None]:
        """Deliver by IMAP APPEND into each recipient's INBOX (as LMTP would)."""
        host, _, port = self.imap.rpartition(":")
        known = load_users(self.users_file)
        raw = envelope.original_content or b""
        refused: dict[str, list[Any]] = {}
        for rcpt in envelope.rcpt_tos:
            user = mailbox_user(rcpt)
            password = known.get(user, self.catchall_password)
            try:
                client = imaplib.IMAP4(host, int(port), timeout=30)
            except OSError as exc:
                return {}, repr(exc)
            try:
                client.login(user, password)
                client.append("INBOX", "", None, raw)
            except imaplib.IMAP4.error as exc:
                refused[rcpt] = [550, f"5.1.1 <{rcpt}> not delivered: {exc}"]
            except OSError as exc:
                return refused, repr(exc)
            finally:
                with contextlib.suppress(imaplib.IMAP4.error, OSError):
                    client.logout()
        return refused, None

    async def handle_DATA(self, server: SMTP, session: Session,
                          envelope: Envelope) -> str:
        """Deliver, write the spool copy, answer the client."""
        loop = asyncio.get_running_loop()
        refused, error = await loop.run_in_executor(None, self._deliver, envelope)
        stem = os.path.join(self.spool, f"{time.time_ns()}-{os.getpid()}-{next(self.counter):05d}")
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "mail_options": envelope.mail_options,
                  "auth_user": session.auth_data if session.authenticated else None,
                  "tls": session.ssl is not None, "lmtp_refused": refused,
                  "lmtp_error": error, "received_at": time.time()}
        with open(stem + ".eml.tmp", "wb") as fh:
            fh.write(envelope.original_content or b"")
        os.replace(stem + ".eml.tmp", stem + ".eml")
        with open(stem + ".json.tmp", "w", encoding="utf-8") as fh:
            json.dump(record, fh, indent=1)
        os.replace(stem + ".json.tmp", stem + ".json")
        if error:
            return f"451 4.3.0 Local delivery (LMTP) failed: {error}"
        if refused and len(refused) == len(envelope.rcpt_tos):
            code, text = next(iter(refused.values()))
            return f"{code} {text}"
        return "250 2.0.0 OK delivered"


async def serve(args: argparse.Namespace) -> None:
    """Listen on the requested ports until SIGTERM/SIGINT."""
    loop = asyncio.get_running_loop()
    handler = LmtpRelay(args.lmtp, args.spool, imap=args.imap, users_file=args.users,
                        catchall_password=args.catchall_password)
    auth = Authenticator(args.users, args.catchall_password)
    tls: ssl.SSLContext | None = None
    if args.cert and args.key:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    def factory(**extra: Any) -> Any:
        def make() -> RelaySMTP:
            return RelaySMTP(handler, hostname=args.hostname, ident="circle devrelay ESMTP",
                             authenticator=auth, auth_required=False, auth_require_tls=False,
                             **extra)
        return make

    servers = [await loop.create_server(factory(), args.host, args.port)]
    if args.starttls_port and tls:
        servers.append(await loop.create_server(
            factory(tls_context=tls, require_starttls=True), args.host, args.starttls_port))
    if args.tls_port and tls:
        servers.append(await loop.create_server(factory(), args.host, args.tls_port, ssl=tls))
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")
        os.replace(args.pidfile + ".tmp", args.pidfile)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for server in servers:
        server.close()
    if args.pidfile and os.path.exists(args.pidfile):
        os.unlink(args.pidfile)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point of the relay."""
    p = argparse.ArgumentParser(description="Loopback SMTP relay delivering via LMTP.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--starttls-port", type=int, default=0)
    p.add_argument("--tls-port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--lmtp", default="", help="host:port of Dovecot's LMTP listener")
    where.add_argument("--imap", default="",
                       help="host:port of an IMAP server to APPEND to (the embedded pymap)")
    p.add_argument("--users", default="")
    p.add_argument("--catchall-password", default="")
    p.add_argument("--spool", required=True)
    p.add_argument("--hostname", default="circle-dev.localhost")
    p.add_argument("--pidfile")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
