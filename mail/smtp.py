"""The SMTP mail sink (aiosmtplib): verified TLS, a pool of reused connections, a rate limit."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import aiosmtplib

from circle.config import SmtpSettings, transport_problem
from circle.errors import MailConfigError, MailError, MailUnreachable
from circle.ports import SendResult
from mail.passwords import resolve
from mail.send import ProgressFn, SendReport, send_outbox

__all__ = ["ProgressFn", "SendReport", "SmtpSink", "check_smtp", "connect_failure",
           "send_outbox", "smtp_password"]

_IDLE_CHECK_SECONDS = 15.0  # a connection idle longer than this is probed with NOOP first
CONNECT_TIMEOUT = 10.0
"""Default seconds for TCP connect, banner, EHLO, STARTTLS and AUTH (`[smtp]
connect_timeout`): a relay that accepts the connection but does not answer (a blackhole)
opens the circuit after this, not after the per-message timeout."""


def smtp_password(settings: SmtpSettings) -> str | None:
    """The relay password from the environment variable, else the password command's first
    line (mail.passwords, shared with IMAP), else None. It never comes from the config file."""
    return resolve("smtp", settings.password_env, settings.password_command)


class _RateLimit:
    """Spaces message starts evenly: at most `per_minute` per minute (0 = no limit)."""

    def __init__(self, per_minute: int) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            loop = asyncio.get_running_loop()
            delay = self._next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(loop.time(), self._next) + self.interval


@dataclass
class _Conn:
    client: aiosmtplib.SMTP
    last_used: float


class SmtpSink:
    """Implements `circle.ports.MailSink` over SMTP.

    At most `settings.connections` connections, each reused for many messages; TLS verified
    (implicit "tls" or "starttls"); "plain" only to localhost. 4xx answers and lost connections
    are temporary failures, 5xx permanent. Use as `async with SmtpSink(...) as sink:`.
    """

    def __init__(self, settings: SmtpSettings, *, password: str | None = None,
                 timeout: float = 60.0, connect_timeout: float | None = None) -> None:
        problem = transport_problem("smtp", settings.security, settings.host, settings.port)
        if problem:
            raise MailError(problem)
        self.settings = settings
        self.password = password
        self.timeout = timeout  # per message, once connected
        self.connect_timeout = float(connect_timeout or settings.connect_timeout
                                     or CONNECT_TIMEOUT)
        self._slots = asyncio.Semaphore(max(1, settings.connections))
        self._idle: list[_Conn] = []
        self._rate = _RateLimit(settings.per_minute)
        self.connects = 0  # how many connections were opened (for tests and the bench)

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file or None)

    def _client(self, *, start_tls: bool) -> aiosmtplib.SMTP:
        s = self.settings
        tls = s.security != "plain"
        return aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=self.connect_timeout,
            use_tls=s.security == "tls", start_tls=start_tls and s.security == "starttls",
            validate_certs=tls, tls_context=self._tls_context() if tls else None)

    async def _connect(self) -> _Conn:
        """A logged-in connection; MailUnreachable (circuit) or MailConfigError (no retry)
        if that fails: either way no message was handed over."""
        s = self.settings
        client = self._client(start_tls=True)
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, self.password or "")
        except Exception as exc:
            client.close()
            failure = connect_failure(s, exc)
            if failure is None:
                raise
            raise failure from exc
        client.timeout = self.timeout  # from now on the per-message timeout applies
        self.connects += 1
        return _Conn(client, asyncio.get_running_loop().time())

    async def _checkout(self) -> _Conn:
        while self._idle:
            conn = self._idle.pop()
            if not conn.client.is_connected:
                continue
            if asyncio.get_running_loop().time() - conn.last_used > _IDLE_CHECK_SECONDS:
                try:
                    await conn.client.noop()
                except (aiosmtplib.SMTPException, OSError):
                    await _close(conn)
                    continue
            return conn
        return await self._connect()

    async def send(self, sender: str, recipient: str, raw: bytes) -> SendResult:
        """Send one message to one recipient over a pooled connection."""
        async with self._slots:
            await self._rate.wait()
            conn: _Conn | None = None
            try:
                conn = await self._checkout()
                _errors, reply = await conn.client.sendmail(sender, [recipient], raw)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                first = exc.recipients[0]
                return await self._refused(conn, first.code, first.message)
            except aiosmtplib.SMTPResponseException as exc:
                return await self._refused(conn, exc.code, exc.message)
            except MailError:
                raise  # from _connect: nothing was handed over
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                if conn is not None:
                    await _close(conn)
                return SendResult(ok=False, permanent=False,
                                  detail=f"connection to {self.settings.host} lost: "
                                         f"{exc or type(exc).__name__}")
            conn.last_used = asyncio.get_running_loop().time()
            self._idle.append(conn)
            return SendResult(ok=True, detail=reply)

    async def _refused(self, conn: _Conn | None, code: int, message: str) -> SendResult:
        """A 4xx/5xx answer: reset the transaction and keep the connection if it still works."""
        if conn is not None:
            try:
                await conn.client.rset()
                conn.last_used = asyncio.get_running_loop().time()
                self._idle.append(conn)
            except (aiosmtplib.SMTPException, OSError):
                await _close(conn)
        return SendResult(ok=False, permanent=500 <= code < 600, detail=f"{code} {message}")

    async def close(self) -> None:
        """Say QUIT on every pooled connection."""
        idle, self._idle = self._idle, []
        for conn in idle:
            await _close(conn)

    async def __aenter__(self) -> SmtpSink:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def _close(conn: _Conn) -> None:
    try:
        if conn.client.is_connected:
            await conn.client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        conn.client.close()


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        if isinstance(found, ssl.SSLError):
            return found
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return None


def connect_failure(settings: SmtpSettings, exc: BaseException) -> MailError | None:
    """The failure class of an error while connecting or logging in (None: not a mail error).

    Certificate, TLS handshake and login failures are configuration errors (MailConfigError:
    not retried); a timeout, a refused or dropped connection and a 4xx greeting are
    MailUnreachable (the circuit breaker: the pass stops, the items stay queued).
    """
    s = settings
    where = f"{s.host}:{s.port}"
    tls = _tls_failure(exc)
    if tls is not None and not isinstance(tls, (ssl.SSLCertVerificationError, ssl.SSLEOFError,
                                                ssl.SSLZeroReturnError)):
        return MailConfigError(f"the TLS handshake with the SMTP server {where} failed ({tls}); "
                               "check [smtp] security and port (465 for tls, 587 for "
                               "starttls). Nothing was sent")
    if isinstance(tls, ssl.SSLCertVerificationError):
        return MailConfigError(
            f"the SMTP server {where} presented a certificate that does not verify "
            f"({tls.verify_message or tls}); fix [smtp] host to the name on its certificate, "
            "or set [smtp] ca_file to the CA that signed it. Nothing was sent")
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return MailConfigError(
            f"[smtp] {where} refused the login for {s.username}: {exc.code} {exc.message} — "
            f"check [smtp] username and the password in ${s.password_env} or "
            "password_command. Nothing was sent")
    if isinstance(exc, TimeoutError):
        return MailUnreachable(
            f"the SMTP server {where} did not answer within the connect timeout (connect, "
            "greeting or login); nothing was sent, every item stays queued and is tried again "
            "later. Check [smtp] host, port and security")
    if isinstance(exc, aiosmtplib.SMTPResponseException) and 400 <= exc.code < 500:
        return MailUnreachable(f"the SMTP server {where} is not accepting mail now "
                               f"({exc.code} {exc.message}); every item stays queued")
    if isinstance(exc, (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected,
                        OSError)):
        return MailUnreachable(
            f"cannot reach the SMTP server {where} ({exc or type(exc).__name__}); nothing was "
            "sent, every item stays queued and is tried again later. Check that it runs and "
            "[smtp] host, port and security")
    if isinstance(exc, aiosmtplib.SMTPException):
        return MailConfigError(f"the SMTP server {where} refused the session: {exc} — check "
                               "[smtp] port and security. Nothing was sent")
    return None


async def check_smtp(settings: SmtpSettings, password: str | None,
                     report: Callable[[str], object], *,
                     timeout: float | None = None) -> None:
    """Log into the relay step by step (connect + greeting, EHLO, STARTTLS, AUTH; no mail
    sent), calling `report` with a line per step done; raises the failing step's MailError."""
    s = settings
    client = SmtpSink(s, password=password, connect_timeout=timeout)._client(start_tls=False)
    step = "connect"
    try:
        greeting = await client.connect()
        first = greeting.message.splitlines()[0] if greeting.message else ""
        report(f"connect {s.host}:{s.port} ({s.security}): {greeting.code} {first}".rstrip())
        step = "EHLO"
        await client.ehlo()
        report("EHLO: OK")
        if s.security == "starttls":
            step = "STARTTLS"
            await client.starttls()
            report("STARTTLS: OK, certificate verified")
        elif s.security == "tls":
            report("TLS: certificate verified")
        if s.username:
            step = "AUTH"
            await client.login(s.username, password or "")
            report(f"AUTH as {s.username}: OK")
        else:
            report("AUTH: skipped (no [smtp] username)")
        await client.quit()
    except Exception as exc:
        client.close()
        failure = connect_failure(s, exc)
        if failure is None:
            raise
        raise type(failure)(f"SMTP {step} failed: {failure}") from exc
