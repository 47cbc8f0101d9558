"""The ports the domain needs, implemented by `data/` and `mail/` (and fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

R = TypeVar("R")


class Clock(Protocol):
    """Tells the time; the domain never reads the real clock itself."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class Store(Protocol):
    """Durable storage of domain records, keyed by each record's `key`.

    The hot part holds the open circle; closed rounds and old mail records live in per-year
    archives (docs/architecture.md). Writes are compare-and-set on each record's `version`:
    re-read inside `transaction()`, never write back a copy read earlier.
    """

    @property
    def archive(self) -> RawArchive:
        """The raw inbound mail kept beside the records."""
        ...

    def get(self, cls: type[R], key: str, *, archived: bool = True) -> R | None:
        """The record of type `cls` with this key (hot, then archived unless told not), or None."""
        ...

    def all(self, cls: type[R], *, bodies: bool = True) -> list[R]:
        """Every hot record of type `cls` (the open part of the circle); `bodies=False` skips
        reading composed mail bodies (left "", kept as stored if the record is written back)."""
        ...

    def archived(self, cls: type[R], years: Iterable[int] | None = None) -> list[R]:
        """Every archived record of type `cls` (optionally of some years only)."""
        ...

    def project_archived(self, cls: type[Any], *fields: str) -> list[tuple[Any, ...]]:
        """The named fields of every archived record of `cls`, undecoded (search, history)."""
        ...

    def search_rows(self, cls: type[Any]) -> list[tuple[list[str], str]]:
        """Hot and archived records of a type with SEARCH_FIELDS: their cells (as text) and
        the case-folded line to match words on. Fast at ten years (derived index files)."""
        ...

    def years(self) -> list[int]:
        """The years that have an archive."""
        ...

    def move_to_archive(self, year: int, records: Iterable[Any]) -> int:
        """Move hot records into the archive of `year`; how many moved."""
        ...

    def project(self, cls: type[Any], *fields: str) -> list[tuple[Any, ...]]:
        """The named fields of every record of `cls`, as stored (JSON values), undecoded.

        Cheap enough to call per batch on 10,000 records; use it for counts and indexes.
        """
        ...

    def put(self, record: Any) -> None:
        """Insert or replace one record (by its key); ConflictError if it is a stale copy."""
        ...

    def put_many(self, records: Iterable[Any]) -> None:
        """Insert or replace several records in one write."""
        ...

    def delete(self, cls: type[Any], key: str) -> None:
        """Remove one record (only for records Circle itself made, never member mail)."""
        ...

    def refresh(self) -> bool:
        """Reload if another process wrote meanwhile; True if it did."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes: lock, reload if another process wrote, write once at the end."""
        ...


class RawArchive(Protocol):
    """Content-addressed raw bytes of inbound mail, kept so parsing can be redone."""

    def save(self, raw: bytes) -> str:
        """Store the bytes durably; return their sha256 hex digest."""
        ...

    def save_many(self, raws: list[bytes]) -> list[str]:
        """Store several messages, durable when it returns (one sync for the lot)."""
        ...

    def load(self, sha: str) -> bytes:
        """The bytes saved under this digest."""
        ...


@dataclass(frozen=True)
class FetchedMessage:
    """One message as fetched from the mail source."""

    uid: int
    raw: bytes


class MailSource(Protocol):
    """Where inbound mail comes from (IMAP in production)."""

    def uidvalidity(self) -> int:
        """The folder's UIDVALIDITY."""
        ...

    def fetch_since(self, last_uid: int, limit: int) -> list[FetchedMessage]:
        """Messages with UID > last_uid, oldest first, at most `limit`."""
        ...

    def acknowledge(self, uids: list[int]) -> None:
        """Mark messages as processed on the server (after they are safely stored)."""
        ...

    def wait(self, timeout: float) -> bool:
        """Block until new mail may have arrived (IDLE) or timeout; True if woken by the server."""
        ...


@dataclass(frozen=True)
class SendResult:
    """The outcome of handing one message to the relay."""

    ok: bool
    permanent: bool = False
    detail: str = ""


class MailSink(Protocol):
    """Where outgoing mail goes (SMTP in production)."""

    async def send(self, sender: str, recipient: str, raw: bytes) -> SendResult:
        """Send one message to one recipient."""
        ...




@dataclass(frozen=True)
class JournalEntry:
    """One outbox transition in the send journal: `start` (handed to the relay next), or the
    relay's answer (`sent`, `failed`) for an item."""

    item_id: str
    event: str  # start | sent | failed
    detail: str = ""
    permanent: bool = False


@runtime_checkable
class SendJournal(Protocol):
    """An append-only, durable log of outbox transitions between two store writes.

    The sender appends `start` before a message goes to the relay and its answer right after;
    each `append` is durable when it returns. The log is folded into the store per batch and
    replayed after a crash (`circle.outbox.replay`), then `clear`ed.
    """

    def append(self, entries: list[JournalEntry]) -> None:
        """Write the entries durably (one sync)."""
        ...

    def entries(self) -> list[JournalEntry]:
        """Every entry since the last `clear`, oldest first (a torn last line is ignored)."""
        ...

    def clear(self) -> None:
        """Forget every entry (after the store holds their effect)."""
        ...
