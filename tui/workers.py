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

from circle.errors import CircleError
from circle.model import OutboxItem, OutboxState
from tui.messages import (
    DataLoaded,
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


def _after_send(item: OutboxItem, ok: bool, permanent: bool, detail: str,
                now: datetime) -> OutboxItem:
    """The outbox item after one attempt (fallback until circle/outbox.py is wired in)."""
    if ok:
        state = OutboxState.SENT
    else:
        state = OutboxState.FAILED_PERMANENT if permanent else OutboxState.FAILED_TEMPORARY
    line = f"{now.isoformat(timespec='seconds')} {state.value} {detail}".strip()
    return replace(item, state=state, attempts=item.attempts + 1, last_error="" if ok else detail,
                   sent_at=now if ok else item.sent_at, history=[*item.history, line])


async def send_items(items: Sequence[OutboxItem], *, sink: Any, store: Any, sender: str,
                     now: Callable[[], datetime], post: Post, kind: str = "digest") -> None:
    """Hand outbox items to the relay one by one (async worker), recording each state."""
    total, sent, failed = len(items), 0, 0
    post(DigestProgress(0, total))
    for done, item in enumerate(items, start=1):
        sending = replace(item, state=OutboxState.SENDING)
        await asyncio.to_thread(store.put, sending)
        try:
            result = await sink.send(sender, item.recipient, item.raw.encode("ascii", "replace"))
            ok, permanent, detail = result.ok, result.permanent, result.detail
        except Exception as exc:
            ok, permanent, detail = False, False, describe_error(exc)
        after = _after_send(sending, ok, permanent, detail, now())
        await asyncio.to_thread(store.put, after)
        sent, failed = sent + ok, failed + (not ok)
        post(DigestProgress(done, total))
    post(DigestSent(sent, failed, kind))
