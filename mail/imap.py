"""IMAP adapter (imapclient) implementing `circle.ports.MailSource`: fetch, flag/move, IDLE."""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from circle.config import ImapSettings, transport_problem
from circle.errors import MailConfigError, MailError, MailUnreachable
from circle.ports import FetchedMessage
from mail.passwords import resolve

T = TypeVar("T")
PROCESSED = b"$CircleProcessed"
SEEN = b"\\Seen"
FETCH_BATCH = 50
TRANSIENT: tuple[type[BaseException], ...] = (OSError, IMAPClientAbortError)


def resolve_password(settings: ImapSettings, env: Mapping[str, str] | None = None) -> str:
    """The IMAP password: from the env var named in the config, else the password command's
    first line (mail.passwords, shared with SMTP)."""
    found = resolve("imap", settings.password_env, settings.password_command, env=env)
    if found is None:
        raise MailError(f"no IMAP password for {settings.username}@{settings.host}: set the "
                        f"environment variable {settings.password_env} or "
                        "[imap] password_command")
    return found


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying TLS client context (trusting `ca_file` when given, else the system CAs)."""
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except OSError as exc:
        raise MailError(f"cannot read the CA file {ca_file}: {exc.strerror or exc}; "
                        "fix [imap] ca_file") from exc


class ImapSource:
    """A `MailSource` over one IMAP folder, reconnecting with bounded exponential backoff.

    Use as a context manager or call `close()`. `stop_event` (optional) makes `wait()` return
    early when set, so a loop can be stopped while idling.
    """

    def __init__(self, settings: ImapSettings, *, password: str | None = None,
                 timeout: float = 30.0, attempts: int = 5, backoff: float = 0.5,
                 max_backoff: float = 30.0, stop_event: threading.Event | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 connect_timeout: float = 10.0) -> None:
        problem = transport_problem("imap", settings.security, settings.host, settings.port)
        if problem:
            raise MailError(problem)
        self.settings = settings
        self._password = password
        self.timeout = timeout  # per command, once connected
        self.connect_timeout = connect_timeout  # TCP connect and the server's greeting
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stop_event = stop_event
        self._sleep = sleep
        self._client: IMAPClient | None = None
        self._uidvalidity = 0
        self._uidnext = 0
        self.reconnects = 0

    @property
    def where(self) -> str:
        """`host:port` for messages."""
        return f"{self.settings.host}:{self.settings.port}"

    def __enter__(self) -> ImapSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ connection
    def connect(self, report: Callable[[str], object] | None = None) -> IMAPClient:
        """Connect, log in and select the folder (once; reused until it breaks).

        `report` (for `circle check --connect`) hears a line per step done. A server that
        does not speak IMAP, a certificate that does not verify and a refused login are
        MailConfigError (retrying cannot help); a missing folder names the folder.
        """
        if self._client is not None:
            return self._client
        s = self.settings
        say = report or (lambda _line: None)
        password = self._password if self._password is not None else resolve_password(s)
        ctx = tls_context(s.ca_file) if s.security != "plain" else None
        step = "connect"
        try:
            try:
                client = IMAPClient(s.host, port=s.port, ssl=s.security == "tls",
                                    ssl_context=ctx, timeout=SocketTimeout(
                                        connect=self.connect_timeout, read=self.timeout))
            except IMAPClientError as exc:
                wrong = self._not_imap(exc)
                if wrong is None:
                    raise  # transient (abort) or a refusal, handled below
                raise wrong from exc
            say(f"connect {self.where} ({s.security}): "
                f"{_text_bytes(client.welcome) or 'greeting OK'}")
            if s.security == "starttls":
                step = "STARTTLS"
                client.starttls(ctx)
                say("STARTTLS: OK, certificate verified")
            elif s.security == "tls":
                say("TLS: certificate verified")
            step = "LOGIN"
            client.login(s.username, password)
            say(f"LOGIN as {s.username}: OK")
            step = "SELECT"
            info = client.select_folder(s.folder)
            say(f"SELECT {s.folder}: OK ({int(info.get(b'EXISTS', 0) or 0)} messages)")
        except TimeoutError as exc:  # a server that accepts but never answers: no retries
            raise MailUnreachable(f"the IMAP server {self.where} did not answer ({step}) in "
                                  "time; check [imap] host, port and security") from exc
        except LoginError as exc:
            raise MailConfigError(f"IMAP login as {s.username} at {self.where} was refused: "
                                  f"{_text(exc)}; check [imap] username and the password in "
                                  f"${s.password_env} or password_command") from exc
        except ssl.SSLCertVerificationError as exc:
            raise MailConfigError(
                f"the IMAP server {self.where} presented a certificate that does not verify "
                f"({exc.verify_message}); set [imap] ca_file to its CA, or fix [imap] host to "
                "the name on its certificate") from exc
        except IMAPClientAbortError:
            raise  # the connection broke: transient, retried by _call
        except IMAPClientError as exc:
            if step == "SELECT":
                raise MailConfigError(f"IMAP server {self.where} refused folder {s.folder!r}: "
                                      f"{_text(exc)}; check [imap] folder") from exc
            raise MailConfigError(f"IMAP server {self.where} refused {step}: {_text(exc)}; "
                                  "check [imap] security and port") from exc
        self._client = client
        self._note_status(info)
        return client

    def check(self, report: Callable[[str], object]) -> None:
        """`circle check --connect`: connect, log in and select once (no retries), reporting
        each step; every failure is a MailError (never a bare socket error)."""
        try:
            self.connect(report)
        except ssl.SSLError as exc:
            raise MailConfigError(f"the TLS handshake with the IMAP server {self.where} failed "
                                  f"({exc}); check [imap] security and port") from exc
        except TRANSIENT as exc:
            raise MailUnreachable(f"cannot reach the IMAP server {self.where} ({_text(exc)}); "
                                  "check that it runs and [imap] host, port and "
                                  "security") from exc
        finally:
            self.close()

    def _not_imap(self, exc: BaseException) -> MailConfigError | None:
        """A greeting that is not IMAP's is a wrong port, not a passing fault."""
        text = _text(exc)
        if "unexpected response" not in text:
            return None
        hint = "993 for security = 'tls', 143 for 'starttls'"
        greeted = text.split(":", 1)[-1].strip()
        smtp = " — that is an SMTP server" if greeted.strip("b'\"").startswith("220") else ""
        return MailConfigError(f"{self.where} does not speak IMAP (it greeted with "
                               f"{greeted}{smtp}); check [imap] port ({hint}) and host")

    def _note_status(self, info: dict[bytes, Any]) -> None:
        self._uidvalidity = int(info.get(b"UIDVALIDITY", 0) or 0)
        self._uidnext = int(info.get(b"UIDNEXT", 0) or 0)

    def close(self) -> None:
        """Log out (best effort) and forget the connection."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except (*TRANSIENT, IMAPClientError):
                with contextlib.suppress(*TRANSIENT, IMAPClientError):
                    client.shutdown()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(*TRANSIENT, IMAPClientError):
                client.shutdown()

    def _call(self, what: str, fn: Callable[[IMAPClient], T]) -> T:
        """Run `fn` on a live connection, reconnecting with backoff on connection failures."""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return fn(self.connect())
            except TRANSIENT as exc:
                self._drop()
                if attempt == self.attempts:
                    raise MailError(f"IMAP server {self.where} unreachable while trying to "
                                    f"{what} ({_text(exc)}) after {attempt} attempts; check "
                                    "that it runs and [imap] host/port/security") from exc
                self.reconnects += 1
                self._sleep(delay)
                delay = min(delay * 2, self.max_backoff)
            except IMAPClientError as exc:
                if isinstance(exc, IMAPClientAbortError):  # pragma: no cover - caught above
                    raise
                raise MailError(f"IMAP server {self.where} refused to {what}: "
                                f"{_text(exc)}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ MailSource
    def uidvalidity(self) -> int:
        """The folder's UIDVALIDITY (re-selected, so a change is seen)."""
        def run(c: IMAPClient) -> int:
            self._note_status(c.select_folder(self.settings.folder))
            return self._uidvalidity
        return self._call("select the folder", run)

    def fetch_since(self, last_uid: int, limit: int) -> list[FetchedMessage]:
        """Messages with UID > last_uid, oldest first, at most `limit` (one FETCH per batch)."""
        def run(c: IMAPClient) -> list[FetchedMessage]:
            self._note_status(c.select_folder(self.settings.folder))
            uids = sorted(u for u in c.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
            out: list[FetchedMessage] = []
            for start in range(0, min(len(uids), limit), FETCH_BATCH):
                batch = uids[start:min(start + FETCH_BATCH, limit)]
                data = c.fetch(batch, [b"BODY.PEEK[]"])
                out.extend(FetchedMessage(uid, bytes(data[uid][b"BODY[]"]))
                           for uid in batch if uid in data and b"BODY[]" in data[uid])
            return out
        return self._call(f"fetch new mail after UID {last_uid}", run)

    def acknowledge(self, uids: list[int]) -> None:
        """Flag `$CircleProcessed` + \\Seen, then move to processed_folder if configured."""
        if not uids:
            return
        target = self.settings.processed_folder

        def run(c: IMAPClient) -> None:
            c.add_flags(uids, [PROCESSED, SEEN], silent=True)
            if not target:
                return
            if not c.folder_exists(target):
                c.create_folder(target)
            if c.has_capability("MOVE"):
                c.move(uids, target)
            else:
                c.copy(uids, target)
                c.delete_messages(uids, silent=True)
                c.uid_expunge(uids) if c.has_capability("UIDPLUS") else c.expunge()
        self._call("flag processed mail", run)

    def wait(self, timeout: float) -> bool:
        """Block until new mail may have arrived (IDLE, else polling) or timeout.

        True if woken because the folder changed; returns early if `stop_event` is set.
        """
        deadline = time.monotonic() + timeout
        before = self._uidnext  # here, not in run: a reconnect's SELECT updates _uidnext

        def run(c: IMAPClient) -> bool:
            self._note_status(c.select_folder(self.settings.folder))
            if before and self._uidnext > before:
                return True  # arrived between our last fetch and now
            if not c.has_capability("IDLE"):
                return self._poll(c, deadline, before)
            c.idle()
            alive = True
            try:
                while (left := deadline - time.monotonic()) > 0:
                    if self.stop_event is not None and self.stop_event.is_set():
                        return False
                    alive = False  # until _idle_step returns: it raises on a dead connection
                    changed = _idle_step(c, min(left, 0.5))
                    alive = True
                    if changed:
                        return True
                return False
            finally:
                if alive:
                    c.idle_done()
        return self._call("wait for new mail (IDLE)", run)

    def _poll(self, c: IMAPClient, deadline: float, before: int) -> bool:
        interval = max(0.5, float(self.settings.poll_seconds))
        while (left := deadline - time.monotonic()) > 0:
            if self.stop_event is not None and self.stop_event.wait(min(left, interval)):
                return False
            if self.stop_event is None:
                self._sleep(min(left, interval))
            self._note_status(c.select_folder(self.settings.folder))
            if self._uidnext > before:
                return True
        return False


def _idle_step(c: IMAPClient, timeout: float) -> bool:
    """One idle_check: True if the folder changed; raise if the connection is gone.

    imapclient swallows end-of-file during IDLE and returns at once, so a server that said BYE
    (restart, shutdown) or vanished would make the wait spin until its timeout instead of
    reconnecting. An empty answer long before the timeout means end-of-file (or, rarely, half a
    line: then the reconnect is merely unneeded).
    """
    asked = time.monotonic()
    responses = c.idle_check(timeout=timeout)
    for resp in responses:
        if len(resp) >= 2 and resp[1] in (b"EXISTS", b"RECENT"):
            return True
        if resp and resp[0] == b"BYE":
            said = b" ".join(r for r in resp[1:] if isinstance(r, bytes)).decode(errors="replace")
            raise IMAPClientAbortError(f"the server ended the connection: {said}")
    if not responses and timeout > 0.05 and time.monotonic() - asked < timeout / 10:
        raise IMAPClientAbortError("the connection closed during IDLE")
    return False


def _text_bytes(data: object) -> str:
    raw = data if isinstance(data, bytes) else str(data or "").encode()
    return raw.decode("utf-8", "replace").strip()


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text.removeprefix("b'").removesuffix("'") or type(exc).__name__
