"""A real aiosmtpd server on 127.0.0.1 whose answers the test scripts (4xx, 5xx, dropped)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt: list[str]
    raw: bytes

    @property
    def message(self) -> Message:
        return message_from_bytes(self.raw)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip("<>")


@dataclass
class ScriptedHandler:
    """Records every accepted message; `script[stage]` lists answers for the next calls at RCPT
    or DATA: "451 ...", "550 ...", "drop" (close the connection), or None (accept)."""

    received: list[Received] = field(default_factory=list)
    script: dict[str, list[str | None]] = field(default_factory=dict)
    refuse: dict[str, str] = field(default_factory=dict)  # rcpt address -> answer, every time
    delay: float = 0.0
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _next(self, stage: str) -> str | None:
        with self.lock:
            answers = self.script.get(stage) or []
            return answers.pop(0) if answers else None

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        with self.lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        answer = self.refuse.get(address) or self._next("RCPT")
        if answer == "drop":
            server.transport.close()
            return "421 closing"
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self._next("DATA")
        if answer == "drop":
            server.transport.close()
            return "421 closing"
        if answer:
            return answer
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted"

    def ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]


@dataclass
class SmtpServer:
    handler: ScriptedHandler
    host: str
    port: int


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh aiosmtpd server on 127.0.0.1 for one test."""
    handler = ScriptedHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler, "127.0.0.1", port)
    finally:
        controller.stop()
