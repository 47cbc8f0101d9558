"""The mail loop: archive raw mail first, ingest and store, then advance sync state and flag."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from circle.app.ingest import InboundMail, IngestReport, ingest_batch
from circle.config import Config
from circle.errors import CircleError, MailConfigError, MailError
from circle.model import Event, SyncState
from circle.ports import Clock, MailSource, RawArchive, Store

log = logging.getLogger("circle.mail.loop")
BATCH_SIZE = 500  # bounded memory; each batch is one store write, so fewer is faster
MAX_BATCHES = 200  # per pass: bounded, the next pass continues where this one stopped


def fetch_once(source: MailSource, store: Store, archive: RawArchive, config: Config,  # noqa: PLR0917
               secret: bytes, now: datetime, *, batch_size: int = BATCH_SIZE,
               max_batches: int = MAX_BATCHES) -> IngestReport:
    """One pass over the folder; safe to interrupt at any line (never loses nor duplicates).

    Order per batch: raw bytes saved to the archive → records + SyncState (with the UIDs still
    to flag) in one transaction → flag/move on the server → pending flags cleared.
    """
    folder = config.imap.folder
    report = IngestReport()
    state = store.get(SyncState, folder) or SyncState(folder=folder)
    try:
        uidvalidity = source.uidvalidity()
        if state.pending_ack and state.uidvalidity == uidvalidity:
            source.acknowledge(state.pending_ack)  # a crash came between store and flag
            state = _save(store, replace(state, pending_ack=[]))
        if state.uidvalidity and state.uidvalidity != uidvalidity:
            report.rescanned = True
            store.put(Event(id=f"e-uidvalidity-{folder}-{uidvalidity}", at=now, kind="rescan",
                            text=f"the mail server renumbered {folder} (UIDVALIDITY "
                                 f"{state.uidvalidity} → {uidvalidity}); rescanning it, "
                                 "known messages are skipped by Message-ID"))
            state = _save(store, replace(state, uidvalidity=uidvalidity, last_uid=0,
                                         pending_ack=[]))
        elif not state.uidvalidity:
            state = replace(state, uidvalidity=uidvalidity)
        for _ in range(max_batches):
            fetched = source.fetch_since(state.last_uid, batch_size)
            if not fetched:
                break
            shas = archive.save_many([m.raw for m in fetched])  # durable before anything else
            mails = [InboundMail(raw=m.raw, raw_sha=sha, uid=m.uid, uidvalidity=uidvalidity,
                                 folder=folder) for m, sha in zip(fetched, shas, strict=True)]
            uids = [m.uid for m in fetched]
            with store.transaction():
                report.merge(ingest_batch(store, mails, config=config, secret=secret, now=now,
                                          deep_dedupe=report.rescanned))
                state = _save(store, replace(state, last_uid=max(state.last_uid, *uids),
                                             last_fetch_at=now, last_error="",
                                             pending_ack=uids))
            source.acknowledge(uids)
            # pending_ack is cleared by the next batch's transaction or once after the pass:
            # re-flagging after a crash here is harmless, an extra write per batch is not.
            if len(fetched) < batch_size:
                break
        if state.pending_ack:
            state = _save(store, replace(state, pending_ack=[]))
    except MailError as exc:
        store.put(replace(state, last_error=str(exc)))
        raise
    if state.last_error or store.get(SyncState, folder) is None:
        _save(store, replace(state, last_error="", last_fetch_at=now))
    return report


def _save(store: Store, state: SyncState) -> SyncState:
    store.put(state)
    return state


MAX_CONFIG_FAILURES = 3
"""`run_forever` gives up after this many passes in a row failed with a MailConfigError
(refused login, certificate that does not verify): providers lock accounts after repeated
failed logins, and a service manager should see the daemon fail, not look healthy."""


class _Errors:
    """Reports each distinct error once (and once more when it is gone), counts config errors."""

    def __init__(self, on_error: Callable[[CircleError], object] | None) -> None:
        self.on_error = on_error
        self.shown: set[str] = set()
        self.config_failures = 0
        self.config_this_pass = False

    def __call__(self, what: str, exc: CircleError) -> None:
        if isinstance(exc, MailConfigError):
            self.config_this_pass = True
        if str(exc) in self.shown:
            return  # logged once; it is still failing
        self.shown.add(str(exc))
        if self.on_error is not None:
            self.on_error(exc)  # the caller reports it (not also logged: one line per error)
        else:
            log.warning("%s failed: %s", what, exc)

    def end_pass(self, *, fetched: bool) -> None:
        """Count a pass that hit a config error; a clean pass clears the memory."""
        if self.config_this_pass:
            self.config_failures += 1
        elif fetched:
            self.config_failures = 0
        self.config_this_pass = False

    def clean(self) -> None:
        """Everything worked: a new failure is worth reporting again."""
        if self.shown:
            log.info("mail works again")
        self.shown.clear()


def run_forever(source: MailSource, store: Store, archive: RawArchive, config: Config,  # noqa: PLR0917
                secret: bytes, clock: Clock, stop_event: threading.Event, *,
                after_fetch: Sequence[Callable[[], object]] = (),
                on_report: Callable[[IngestReport], object] | None = None,
                on_error: Callable[[CircleError], object] | None = None,
                idle_timeout: float = 300.0, error_backoff: float = 5.0,
                max_error_backoff: float = 300.0,
                max_config_failures: int = MAX_CONFIG_FAILURES) -> None:
    """Fetch, run the hooks, wait for the server's IDLE wake-up; repeat until `stop_event`.

    Mail errors are reported through `on_error` (each distinct one once, until everything
    works again) and retried with a growing pause; other errors propagate. After
    `max_config_failures` passes in a row with a MailConfigError (IMAP or SMTP login
    refused, certificate not verified) the last one is raised: the daemon exits non-zero.
    """
    backoff = error_backoff
    errors = _Errors(on_error)
    while not stop_event.is_set():
        try:
            report = fetch_once(source, store, archive, config, secret, clock.now())
            backoff = error_backoff
            if on_report is not None:
                on_report(report)
        except MailError as exc:
            errors("fetch", exc)
            errors.end_pass(fetched=False)
            if isinstance(exc, MailConfigError) and errors.config_failures >= max_config_failures:
                raise
            stop_event.wait(backoff)
            backoff = min(backoff * 2, max_error_backoff)
            continue
        failed: CircleError | None = None
        for hook in after_fetch:
            try:
                hook()
            except CircleError as exc:
                errors("after-fetch step", exc)
                failed = exc
        errors.end_pass(fetched=True)
        if isinstance(failed, MailConfigError) and errors.config_failures >= max_config_failures:
            raise failed
        if failed is None:
            errors.clean()
        if stop_event.is_set():
            break
        try:
            source.wait(idle_timeout)
        except MailError as exc:
            errors("waiting for mail", exc)
            stop_event.wait(backoff)
