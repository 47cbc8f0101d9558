"""The circle's durable store: TinyDB on disk, atomic writes, a cross-process writer lock."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.table import Table

from circle.codec import from_dict, to_dict
from circle.errors import LockedError, StoreError
from data.archive import RawArchive, ensure_private_dir
from data.jsonfile import AtomicJSONStorage
from data.migrations import META_TABLE, migrate, new_meta

R = TypeVar("R")
DB_NAME = "circle.json"
LOCK_NAME = "circle.lock"


class _KeyedTable(Table):
    """A TinyDB table whose document ids are the records' own string keys."""

    document_id_class = str  # type: ignore[assignment]


class _KeyedDB(TinyDB):
    table_class = _KeyedTable


class TinyStore:
    """Implements `circle.ports.Store` over one JSON file in `data_dir`.

    Every write takes the lock file (so the TUI and `circle run` can both be alive), reloads if
    another process wrote meanwhile, and replaces the file atomically. `transaction()` groups
    writes into one. Records handed out are fresh objects; change them and `put` them back.
    """

    def __init__(self, data_dir: Path, *, lock_timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        ensure_private_dir(self.data_dir)
        self.path = self.data_dir / DB_NAME
        self.archive = RawArchive(self.data_dir / "raw")
        self._lock = FileLock(str(self.data_dir / LOCK_NAME), timeout=lock_timeout, mode=0o600,
                              thread_local=False)
        self._mutex = threading.RLock()
        self._storage = AtomicJSONStorage(self.path)
        self._db = _KeyedDB(storage=lambda: self._storage)
        self._depth = 0
        self._open()

    def _open(self) -> None:
        with self._locked():
            data = self._storage.read()
            if data is None:
                self._storage.write(new_meta_tables())
                return
            migrated, changed = migrate(data, str(self.path))
            if changed:
                self._storage.write(migrated)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._mutex:
            try:
                self._lock.acquire()
            except Timeout as exc:
                raise LockedError(f"the store {self.path} is locked by another Circle process "
                                  f"(lock file {self._lock.lock_file}); try again shortly") from exc
            try:
                yield
            finally:
                self._lock.release()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Lock, start from the newest state on disk, and write everything once at the end."""
        with self._locked():
            self._depth += 1
            if self._depth == 1:
                self._check_fresh()
            self._storage.defer()
            ok = False
            try:
                yield
                ok = True
            finally:
                self._depth -= 1
                self._storage.undefer(commit=ok)
                if not ok:
                    self._db.clear_cache()

    def _check_fresh(self) -> None:
        if self._storage.changed_on_disk():
            self._storage.invalidate()
            self._db.clear_cache()
            data = self._storage.read()
            if data is not None:
                migrate(data, str(self.path))

    def refresh(self) -> bool:
        """Reload if another process changed the file; True if it did."""
        with self._mutex:
            if not self._storage.changed_on_disk():
                return False
            self._check_fresh()
            return True

    def _table(self, cls: type[Any]) -> Table:
        return self._db.table(cls.TABLE)

    def get(self, cls: type[R], key: str) -> R | None:
        """The record of type `cls` with this key, or None."""
        with self._mutex:
            data = self._storage.read() or {}
            doc = (data.get(cls.TABLE) or {}).get(key)  # type: ignore[attr-defined]
        return None if doc is None else from_dict(cls, doc)

    def all(self, cls: type[R]) -> list[R]:
        """Every record of type `cls`, in insertion order."""
        with self._mutex:
            data = self._storage.read() or {}
            rows = list((data.get(cls.TABLE) or {}).values())  # type: ignore[attr-defined]
        return [from_dict(cls, row) for row in rows]

    def project(self, cls: type[Any], *fields: str) -> list[tuple[Any, ...]]:
        """The named fields of every record of `cls`, as stored (JSON values), undecoded."""
        with self._mutex:
            data = self._storage.read() or {}
            rows = (data.get(cls.TABLE) or {}).values()
            return [tuple(row.get(f) for f in fields) for row in rows]

    def count(self, cls: type[Any]) -> int:
        """How many records of type `cls` there are."""
        with self._mutex:
            data = self._storage.read() or {}
            return len(data.get(cls.TABLE) or {})

    def put(self, record: Any) -> None:
        """Insert or replace one record by its key."""
        self.put_many([record])

    def put_many(self, records: Iterable[Any]) -> None:
        """Insert or replace records in one locked, atomic write."""
        with self.transaction():
            data = self._storage.read() or new_meta_tables()
            for record in records:
                data.setdefault(type(record).TABLE, {})[record.key] = to_dict(record)
            # Straight into TinyDB's table layout: its per-document upsert rebuilds the whole
            # table each time (O(n) per record), far too slow for a 10,000-story circle.
            self._storage.write(data)
            self._db.clear_cache()

    def delete(self, cls: type[Any], key: str) -> None:
        """Remove one record if present."""
        with self.transaction():
            data = self._storage.read() or new_meta_tables()
            if data.get(cls.TABLE, {}).pop(key, None) is not None:
                self._storage.write(data)
                self._db.clear_cache()

    def close(self) -> None:
        """Flush nothing pending (writes are immediate) and release resources."""
        self._db.close()


def new_meta_tables() -> dict[str, Any]:
    """The initial content of a new store: just its header."""
    return {META_TABLE: new_meta()}


def open_store(data_dir: Path) -> TinyStore:
    """Open (or create) the store in `data_dir`, with a clear error if it cannot be used."""
    try:
        return TinyStore(data_dir)
    except OSError as exc:
        raise StoreError(f"cannot open the data directory {data_dir}: {exc.strerror or exc}. "
                         "Check data_dir in the config and its permissions.") from exc
