"""Background work for the TUI: store reads/writes, polling, mail; results arrive as messages."""

from __future__ import annotations

import asyncio
import queue
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from textual.message import Message

from circle.config import Config
from circle.errors import CircleError
from circle.model import Member, OutboxItem, Round
from tui.messages import (
    DataLoaded,
    DigestComposed,
    DigestProgress,
    DigestSent,
    RecordsSaved,
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
    """One thread that writes batches of records in order, so the UI never waits for a disk."""

    def __init__(self, store: Any, post: Post) -> None:
        self.store = store
        self.post = post
        self._queue: queue.Queue[tuple[list[Any], str] | None] = queue.Queue()

    def submit(self, records: Sequence[Any], what: str) -> None:
        """Queue records to be stored; `what` names the change for an error message."""
        self._queue.put((list(records), what))

    def stop(self) -> None:
        """Ask the writer thread to finish after what is queued."""
        self._queue.put(None)

    def idle(self) -> bool:
        """True when nothing is waiting to be written."""
        return self._queue.unfinished_tasks == 0

    def wait(self) -> None:
        """Block until every queued batch is written (tests and shutdown)."""
        self._queue.join()

    def run(self) -> None:
        """The thread worker's body: write each batch, report failures as messages."""
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                records, what = job
                try:
                    self.store.put_many(records)
                except Exception as exc:
                    self.post(WorkFailed(f"Could not save {what}", describe_error(exc)))
                else:
                    self.post(RecordsSaved(len(records)))
            finally:
                self._queue.task_done()


def load_data(store: Any, post: Post) -> None:
    """Read a snapshot of the store (thread worker) and post it."""
    started = time.perf_counter()
    try:
        data = load_snapshot(store)
    except Exception as exc:
        post(WorkFailed("Could not read the circle", describe_error(exc)))
        return
    post(DataLoaded(data, time.perf_counter() - started))


def poll_store(store: Any, post: Post) -> None:
    """Cheap check whether another process wrote (thread worker); posts StoreChanged if so."""
    try:
        changed = store.refresh()
    except Exception as exc:
        post(WorkFailed("Could not check the store", describe_error(exc)))
        return
    if changed:
        post(StoreChanged())


SENDING_LOCK = "sending.lock"  # the same lock as `circle send-due` (tui/commands/mailout.py)


def _templates(store: Any) -> dict[str, str] | None:
    data_dir = getattr(store, "data_dir", None)
    if data_dir is None:
        return None
    from data.templates import load_templates

    return load_templates(data_dir)


def compose_preview(store: Any, config: Config, secret: bytes, now: datetime, round_id: str,
                    *, post: Post) -> None:
    """Compose the digest preview (thread worker): plain text, and the HTML part as text."""
    from circle.parsing.html_text import html_to_text
    from circle.rounds_due import preview_digest

    try:
        templates = _templates(store)
        plain = preview_digest(store, now, config, secret, round_id=round_id,
                               templates=templates)
        html = preview_digest(store, now, config, secret, round_id=round_id, html=True,
                              templates=templates)
    except Exception as exc:
        post(DigestComposed(round_id, "", "", describe_error(exc)))
        return
    post(DigestComposed(round_id, plain, html_to_text(html)))


def queue_test(store: Any, config: Config, secret: bytes, now: datetime,
               round_id: str) -> list[OutboxItem]:
    """Queue one copy of the digest to the steward's own address (thread)."""
    from circle.compose import digest_mail
    from circle.outbox import new_item
    from circle.rounds_due import digest_round, load_digest, mail_setting

    members = store.all(Member)
    rnd = digest_round(store.all(Round), round_id)
    ms = mail_setting(config, secret, now, members, _templates(store))
    me = Member(id="steward", name="Steward", email=config.steward_email, joined=now.date())
    item = new_item(digest_mail(ms, me, load_digest(store, rnd, config, force=True)), now)
    item = replace(item, id=f"{item.id}-test-{now:%Y%m%d%H%M%S}", kind="test")
    store.put(item)
    return [item]


def queue_all(store: Any, config: Config, secret: bytes, now: datetime,
              round_id: str) -> list[OutboxItem]:
    """Approve the round's digest and queue one copy per member who receives mail (thread)."""
    from circle.rounds_due import approve_digest, queue_digest

    approve_digest(store, round_id)
    items: list[OutboxItem] = queue_digest(store, now, config, secret, round_id=round_id,
                                           templates=_templates(store))
    return items


async def send_due(prepare: Callable[[], list[OutboxItem]], *, store: Any, sink: Any,
                   now: Callable[[], datetime], sender: str, post: Post, kind: str) -> None:
    """Queue (in a thread), then send every due item holding the sending lock (async worker)."""
    from filelock import FileLock, Timeout

    from mail.send import send_outbox

    try:
        await asyncio.to_thread(prepare)
    except Exception as exc:
        post(WorkFailed(f"Cannot queue the {kind}", describe_error(exc)))
        post(DigestSent(0, 0, kind))
        return
    data_dir = getattr(store, "data_dir", None)
    lock = FileLock(str(data_dir / SENDING_LOCK), timeout=0, mode=0o600) if data_dir else None
    try:
        if lock is not None:
            lock.acquire()
    except Timeout:
        post(WorkFailed("Queued, not sent yet", "another Circle process is sending right "
                        "now; it will send these too"))
        post(DigestSent(0, 0, kind))
        return

    def progress(done: int, total: int, _item: OutboxItem) -> None:
        post(DigestProgress(done, total))

    try:
        report = await send_outbox(store, sink, now, sender=sender, progress=progress)
    except Exception as exc:
        post(WorkFailed("Sending stopped", describe_error(exc)))
        post(DigestSent(0, 0, kind))
        return
    finally:
        if lock is not None:
            lock.release()
    post(DigestSent(report.sent, report.failed_temporary + report.failed_permanent, kind))
