"""An embedded loopback IMAP server (pymap, pure Python) for the demo when Dovecot is absent.

Run as `python -m mail.devimap --port N --base DIR --users FILE --catchall-password PW ...`;
started and stopped by `mail.devservers.start(..., server="pymap")`. It serves the same layout
Dovecot does (`DIR/<address>/Maildir`, Maildir++ folders), so `circle demo inbox` reads either:

- any address logs in: a user in the passwd-file with its password, any other with the
  catch-all password (as the Dovecot config's second passdb);
- plain LOGIN/AUTHENTICATE on 127.0.0.1 (the demo's config says `security = "plain"`), with
  STARTTLS offered on the same port when a certificate is given; no implicit-TLS port;
- IDLE, APPEND, UIDPLUS, multiple users: pymap's maildir backend.

Mail from the SMTP relay arrives by IMAP APPEND (`mail.devrelay --imap HOST:PORT`), so pymap's
own code sees every new message and tells IDLE clients.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from typing import Any

from pymap.backend.maildir import Config, FilterSet, Identity, Login, MaildirBackend, Session
from pymap.backend.maildir.mailbox import MailboxSet
from pymap.concurrent import Subsystem
from pymap.exceptions import AuthorizationFailure, InvalidAuth
from pymap.imap import IMAPService
from pymap.user import UserMetadata
from pysasl import SASLAuth
from pysasl.creds.server import ServerCredentials
from pysasl.hashing import Cleartext

from mail.devconf import load_users

log = logging.getLogger("circle-devimap")
# pymap keeps only the keywords a Maildir declares (Dovecot's `dovecot-keywords` file).
KEYWORDS = ("$CircleProcessed",)


class DemoConfig(Config):
    """pymap's maildir config, letting clients log in before STARTTLS (loopback only)."""

    @property
    def initial_auth(self) -> SASLAuth:
        """Offer LOGIN/PLAIN on the plain connection too (Dovecot: disable_plaintext_auth=no)."""
        return self.tls_auth


def _safe(name: str) -> str:
    """`name` as a mailbox directory name; InvalidAuth for anything that is not an address."""
    name = name.strip().lower()
    if not name or "/" in name or "\0" in name or name.startswith("."):
        raise InvalidAuth()
    return name


class CatchallIdentity(Identity):
    """A user whose Maildir is `<base>/<address>/Maildir`, created at first login."""

    @contextlib.asynccontextmanager
    async def new_session(self) -> AsyncIterator[Session]:
        """A session on this user's Maildir (as Dovecot's `mail_location = maildir:~/Maildir`)."""
        os.makedirs(os.path.join(self.config.base_dir, self.name), exist_ok=True)
        maildir, layout = self._load_maildir(os.path.join(self.name, "Maildir"))
        keywords = os.path.join(maildir._path, "dovecot-keywords")
        if not os.path.exists(keywords):
            with open(keywords, "w", encoding="ascii") as fh:
                fh.writelines(f"{i} {k}\n" for i, k in enumerate(KEYWORDS))
        yield Session(self.name, self.config, MailboxSet(maildir, layout), FilterSet(layout.path))

    async def get(self) -> UserMetadata:
        """The user's metadata (no stored password: the login checks it)."""
        return UserMetadata(self.config, self.name, roles=self.roles)


class CatchallLogin(Login):
    """Passwords from the passwd-file (re-read at each login), else the catch-all password."""

    def __init__(self, config: Config, users_file: str, catchall_password: str) -> None:
        super().__init__(config)
        self.users_file = users_file
        self.catchall_password = catchall_password

    async def authenticate(self, credentials: ServerCredentials) -> CatchallIdentity:
        """Check one login attempt; InvalidAuth when the password is wrong."""
        name = _safe(credentials.authcid)
        known = load_users(self.users_file)
        password = known.get(name, self.catchall_password)
        user = UserMetadata(self.config, name, password=password or None)
        if not password or not await self._passwords.check_password(user, credentials):
            raise InvalidAuth()
        return CatchallIdentity(self.config, self.tokens, name, None, set())

    async def authorize(self, authenticated: Any, authzid: str) -> CatchallIdentity:
        """Only as oneself (no admin roles here)."""
        if _safe(authzid) != authenticated.name:
            raise AuthorizationFailure()
        return CatchallIdentity(self.config, self.tokens, authenticated.name, None, set())


def build(args: argparse.Namespace) -> tuple[MaildirBackend, DemoConfig]:
    """The backend and config for `args` (see `main`)."""
    ns = argparse.Namespace(inherited_sockets=None, passlib_cfg=None, proxy_protocol=None,
                            debug=False)
    config = DemoConfig(
        ns, host=args.host, port=args.port, base_dir=os.path.abspath(args.base), layout="++",
        colon=None, cert_file=args.cert, key_file=args.key, tls_enabled=bool(args.cert),
        hash_context=Cleartext(), invalid_user_sleep=0.0, reject_dnsbl=False,
        subsystem=Subsystem.for_executor(ThreadPoolExecutor(4)),
        cpu_subsystem=Subsystem.for_asyncio())
    os.makedirs(config.base_dir, exist_ok=True)
    login = CatchallLogin(config, args.users, args.catchall_password)
    return MaildirBackend(login, config), config


async def serve(args: argparse.Namespace) -> None:
    """Listen on `args.host:args.port` until SIGTERM/SIGINT."""
    loop = asyncio.get_running_loop()
    backend, config = build(args)
    config.apply_context()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        await backend.start(stack)
        await IMAPService(backend, config).start(stack)
        if args.pidfile:
            with open(args.pidfile + ".tmp", "w", encoding="ascii") as fh:
                fh.write(f"{os.getpid()}\n")
            os.replace(args.pidfile + ".tmp", args.pidfile)
        log.info("pymap IMAP listening on %s:%s (mail in %s)", args.host, args.port,
                 config.base_dir)
        await stop.wait()
    if args.pidfile and os.path.exists(args.pidfile):
        os.unlink(args.pidfile)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point of the embedded IMAP server."""
    p = argparse.ArgumentParser(description="Loopback IMAP server (pymap) for the demo.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--base", required=True, help="mail directory: BASE/<address>/Maildir")
    p.add_argument("--users", default="", help="Dovecot-style passwd-file with {PLAIN} passwords")
    p.add_argument("--catchall-password", default="")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--pidfile")
    args = p.parse_args(argv)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        p.error("the embedded IMAP server listens on the loopback interface only")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
