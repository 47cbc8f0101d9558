"""The SMTP mail sink (aiosmtplib): verified TLS, a pool of reused connections, a rate limit."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import aiosmtplib

from circle.config import SmtpSettings, transport_problem
from circle.errors import MailError
from circle.ports import SendResult
from mail.passwords import resolve
from mail.send import ProgressFn, SendReport, send_outbox

__all__ = ["ProgressFn", "SendReport", "SmtpSink", "send_outbox", "smtp_password"]

_IDLE_CHECK_SECONDS = 15.0  # a connection idle longer than this is probed with NOOP first


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
                 timeout: float = 60.0) -> None:
        problem = transport_problem("smtp", settings.security, settings.host, settings.port)
        if problem:
            raise MailError(problem)
        self.settings = settings
        self.password = password
        self.timeout = timeout
        self._slots = asyncio.Semaphore(max(1, settings.connections))
        self._idle: list[_Conn] = []
        self._rate = _RateLimit(settings.per_minute)
        self.connects = 0  # how many connections were opened (for tests and the bench)

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file or None)

    async def _connect(self) -> _Conn:
        s = self.settings
        tls = s.security != "plain"
        client = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=self.timeout,
            use_tls=s.security == "tls", start_tls=s.security == "starttls",
            validate_certs=tls, tls_context=self._tls_context() if tls else None)
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, self.password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise MailError(f"[smtp] {s.host} refused the login for {s.username}: {exc} — "
                            f"check the password in ${s.password_env}") from exc
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
