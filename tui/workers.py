"""Background work for the TUI: store reads/writes, polling, mail; results arrive as messages."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.message import Message

from circle.app import Intent, apply
from circle.config import Config
from circle.errors import CircleError
from circle.model import OutboxItem
from circle.ports import Clock, MailSink, Store
from tui.messages import (
    DataLoaded,
    DigestComposed,
    DigestProgress,
    DigestSent,
    IntentApplied,
    IntentFailed,
    OutboxItemRead,
    StoreChanged,
    WorkFailed,
)
from tui.snapshot import load_snapshot

Post = Callable[[Message], Any]


def describe_error(exc: BaseException) -> str:
    """The one place a worker's exception becomes words for a notification."""
    if isinstance(exc, CircleError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "the server did not answer in time; check the network and try again"
    if isinstance(exc, ConnectionError | OSError):
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return f"could not reach the server or the disk: {reason}"
    return f"{type(exc).__name__}: {exc}"


class StoreWriter:
    """One dedicated thread that applies the steward's intents in order (never on the UI loop).

    Each intent goes through `circle.app.apply`: re-read, rules, one transaction. The result
    comes back as `IntentApplied` (records as written, or the refusal) or `IntentFailed`.
    """

    def __init__(self, store: Store, clock: Clock, post: Post) -> None:
        self.store = store
        self.clock = clock
        self.post = post
        self._queue: queue.Queue[tuple[Intent, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, intent: Intent, what: str) -> None:
        """Queue an intent; `what` names the change for messages."""
        self._queue.put((intent, what))

    def start(self) -> None:
        """Start the writer's own thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="circle-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the writer thread to finish after what is queued."""
        self._queue.put(None)

    def idle(self) -> bool:
        """True when nothing is waiting to be written."""
        return self._queue.unfinished_tasks == 0

    def wait(self) -> None:
        """Block until every queued intent is applied (tests and shutdown)."""
        self._queue.join()

    def run(self) -> None:
        """The thread's body: apply each intent, report the outcome as a message."""
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                intent, what = job
                try:
                    outcome = apply(self.store, intent, self.clock.now())
                except Exception as exc:
                    self.post(IntentFailed(what, describe_error(exc)))
                else:
                    self.post(IntentApplied(what, outcome))
            finally:
                self._queue.task_done()


def load_data(store: Store, post: Post, generation: int = 0) -> None:
    """Read one consistent snapshot of the store (thread worker) and post it."""
    started = time.perf_counter()
    try:
        data = load_snapshot(store)
    except Exception as exc:
        post(WorkFailed("Could not read the circle", describe_error(exc)))
        return
    post(DataLoaded(data, time.perf_counter() - started, generation))


def poll_store(store: Store, post: Post) -> None:
    """Cheap check whether another process wrote (thread worker); posts StoreChanged if so."""
    try:
        changed = store.refresh()
    except Exception as exc:
        post(WorkFailed("Could not check the store", describe_error(exc)))
        return
    if changed:
        post(StoreChanged())


def _templates(store: Store) -> dict[str, str] | None:
    data_dir = getattr(store, "data_dir", None)
    if data_dir is None:
        return None
    from data.templates import load_templates

    return load_templates(data_dir)


def compose_preview(store: Store, config: Config, secret: bytes, now: datetime, round_id: str,
                    *, post: Post, member_id: str | None = None) -> None:
    """Compose the digest preview (thread worker): plain text, and the HTML part as text.

    With `member_id`, that member's own copy (their reply links), as it will be sent.
    """
    from circle.app.rounds import preview_digest
    from circle.parsing.html_text import html_to_text

    try:
        templates = _templates(store)
        plain = preview_digest(store, now, config, secret, round_id=round_id,
                               templates=templates, member_id=member_id)
        html = preview_digest(store, now, config, secret, round_id=round_id, html=True,
                              templates=templates, member_id=member_id)
    except Exception as exc:
        post(DigestComposed(round_id, "", "", describe_error(exc), member_id or ""))
        return
    post(DigestComposed(round_id, plain, html_to_text(html), member_id=member_id or ""))


def read_outbox_item(store: Store, item_id: str, purpose: str, *, post: Post) -> None:
    """Read one outbox item's message from its blob and decode it (thread worker)."""
    from email import message_from_string
    from email import policy as email_policy

    try:
        item = store.get(OutboxItem, item_id)
        if item is None:
            raise CircleError(f"outbox item {item_id} is gone (sent and archived meanwhile?)")
        msg = message_from_string(item.raw, policy=email_policy.default)
        headline = f"To: {msg.get('To', item.recipient)}\nSubject: {msg.get('Subject', '')}"
        body = msg.get_body(("plain", "html")) if hasattr(msg, "get_body") else None
        text = str(body.get_content()) if body is not None else item.raw
    except Exception as exc:
        post(OutboxItemRead(item_id, "", "", purpose, describe_error(exc)))
        return
    post(OutboxItemRead(item_id, headline, text, purpose))


def queue_test(store: Store, config: Config, secret: bytes, now: datetime,
               round_id: str) -> list[OutboxItem]:
    """Queue one copy of the digest to the steward's own address (thread)."""
    from circle.app.rounds import queue_test_digest

    return [queue_test_digest(store, now, config, secret, round_id=round_id,
                              templates=_templates(store))]


def queue_all(store: Store, config: Config, secret: bytes, now: datetime,
              round_id: str) -> list[OutboxItem]:
    """Queue one copy of the approved digest per member who receives mail (thread).

    Like `circle digest send`, it refuses a digest the steward has not approved.
    """
    from circle.app.rounds import queue_digest

    items: list[OutboxItem] = queue_digest(store, now, config, secret, round_id=round_id,
                                           templates=_templates(store))
    return items


async def send_due(prepare: Callable[[], list[OutboxItem]], *, store: Store, sink: MailSink,
                   now: Callable[[], datetime], sender: str, data_dir: Path | None,
                   post: Post, kind: str) -> None:
    """Queue (in a thread), then send every due item through the one sending path (async).

    Failures here are reported as messages; anything unexpected propagates to the app's
    `Worker.StateChanged` handler, which restores `sending` and says what happened.
    """
    from data.locks import sending_lock
    from mail.send import send_due_now

    try:
        await asyncio.to_thread(prepare)
    except CircleError as exc:
        post(WorkFailed(f"Cannot queue the {kind}", describe_error(exc)))
        post(DigestSent(0, 0, kind))
        return

    def progress(done: int, total: int, _item: OutboxItem) -> None:
        post(DigestProgress(done, total))

    if data_dir is None:
        raise CircleError("no data directory: cannot take the sending lock")
    try:
        report = await send_due_now(store, sink, now, sender=sender,
                                    lock=sending_lock(data_dir), progress=progress)
    except CircleError as exc:
        post(WorkFailed("Sending stopped", describe_error(exc)))
        post(DigestSent(0, 0, kind))
        return
    if report.busy:
        post(WorkFailed("Queued, not sent yet", report.problems[0]))
    post(DigestSent(report.sent, report.failed_temporary + report.failed_permanent, kind))
