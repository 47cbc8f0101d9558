"""The circle's durable store: a small hot TinyDB, per-year archives, blobs, one writer lock.

Files in the data directory (docs/architecture.md, "The store's files"):

    circle.json        hot database: members, schedule, sync state, open rounds, unsent outbox
    archive/<year>.json closed rounds with their stories, responses, appreciations
    archive/<year>-mail.json  the mail records of that year (outbox, inbound, notices, ...)
    archive/<year>.search.tsv  derived: the SEARCH_FIELDS of that year's stories and responses
    blobs/             long texts (composed mail, long stories), content-addressed
    raw/               inbound mail, byte-exact, content-addressed (data.archive)
    backup/            the file as it was before a schema migration

Every record carries a `version`. `put_many` is compare-and-set: writing a record whose
version is not the stored one raises ConflictError (unless it changes nothing), so a copy of a
record read earlier can never overwrite a newer one. Use-cases re-read inside `transaction()`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.table import Table

from circle.codec import from_dict, to_dict
from circle.errors import ConflictError, LockedError, StoreError
from data.archive import RawArchive, ensure_private_dir
from data.blobs import BlobStore
from data.jsonfile import AtomicJSONStorage, atomic_write_bytes
from data.migrations import META_TABLE, migrate, migrations_for, new_meta, read_meta

R = TypeVar("R")
DB_NAME = "circle.json"
LOCK_NAME = "circle.lock"
ARCHIVE_DIR = "archive"
HOT = "hot"
MAIL_TABLES = frozenset({"outbox", "inbound", "notices", "events", "quarantine"})
"""Archived apart from the stories: search and history never parse them, dedupe only them."""


def _part(table: str) -> str:
    return "-mail" if table in MAIL_TABLES else ""


def _searchable() -> tuple[type[Any], ...]:
    from circle.model import RECORD_TYPES

    return tuple(cls for cls in RECORD_TYPES if getattr(cls, "SEARCH_FIELDS", ()))


_SEARCHABLE = _searchable()
_UNIT = "\x1f"  # between list items (themes) in one cell


def _cell(value: Any) -> str:
    """One value as a cell: whitespace folded to single spaces (the index is for finding,
    not for reading: a hit opens the record itself), lists joined by a unit separator."""
    if isinstance(value, list):
        return _UNIT.join(" ".join(str(v).split()) for v in value)
    return "" if value is None else " ".join(str(value).split())


def _row(blobs: BlobStore, doc: dict[str, Any], fields: tuple[str, ...]
         ) -> tuple[list[str], str]:
    """A record as search cells and its case-folded line (when no index file serves)."""
    cells = [_cell(blobs.resolve(doc.get(f))) for f in fields]
    return cells, "\t".join(cells).casefold()


class _KeyedTable(Table):
    """A TinyDB table whose document ids are the records' own string keys."""

    document_id_class = str  # type: ignore[assignment]

    def upsert_docs(self, docs: Mapping[str, dict[str, Any]]) -> None:
        """Insert or replace many documents by key in one table update (O(table + docs)).

        TinyDB's own `upsert` rebuilds the table per document; this is the same update
        machinery, once per batch.
        """
        if docs:
            self._update_table(lambda table: table.update(docs))  # type: ignore[arg-type]


class _KeyedDB(TinyDB):
    table_class = _KeyedTable


@dataclass
class _Db:
    """One TinyDB file with its storage."""

    name: str
    storage: AtomicJSONStorage
    db: _KeyedDB

    def tables(self) -> dict[str, Any]:
        """The raw tables, as TinyDB keeps them (cached until the file changes)."""
        return self.storage.read() or {}

    def table(self, name: str) -> _KeyedTable:
        """A TinyDB table of this database."""
        return self.db.table(name)  # type: ignore[return-value]


class TinyStore:
    """Implements `circle.ports.Store` over the hot database and the per-year archives.

    Every write takes the lock file (so the TUI and `circle run` can both be alive), reloads if
    another process wrote meanwhile, and replaces the files atomically. `transaction()` groups
    writes into one per file. Records handed out are fresh objects.
    """

    def __init__(self, data_dir: Path, *, lock_timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        ensure_private_dir(self.data_dir)
        self.path = self.data_dir / DB_NAME
        self.archive = RawArchive(self.data_dir / "raw")
        self.blobs = BlobStore(self.data_dir / "blobs")
        self.archive_dir = self.data_dir / ARCHIVE_DIR
        self._lock = FileLock(str(self.data_dir / LOCK_NAME), timeout=lock_timeout, mode=0o600,
                              thread_local=False)
        self._mutex = threading.RLock()
        self._dbs: dict[str, _Db] = {}
        self._origin: dict[tuple[str, str], str] = {}  # archived record → its year file
        self._search_cache: dict[str, tuple[Any, dict[str, list[tuple[list[str], str]]]]] = {}
        self._depth = 0
        self._hot = self._db(HOT, self.path)
        self._open()

    # -- files -----------------------------------------------------------------------------
    def _db(self, name: str, path: Path) -> _Db:
        found = self._dbs.get(name)
        if found is None:
            storage = AtomicJSONStorage(path)
            found = _Db(name, storage, _KeyedDB(storage=lambda: storage))
            if self._depth:
                storage.defer()
            self._dbs[name] = found
        return found

    def _open(self) -> None:
        with self._locked():
            data = self._hot.storage.read()
            if data is None:
                self._hot.storage.write({META_TABLE: new_meta()})
                return
            meta = read_meta(data) or {}
            migrated, changed = migrate(data, str(self.path),
                                        migrations_for(self.blobs, body_fields()))
            if changed:
                self._backup(meta.get("schema"))
                self._hot.storage.write(migrated)

    def _backup(self, schema: object) -> None:
        """Keep the file as it was before a migration (once; an interrupted run reuses it)."""
        folder = self.data_dir / "backup"
        target = folder / f"circle.schema{schema}.json"
        if target.exists():
            return
        ensure_private_dir(folder)
        atomic_write_bytes(target, self.path.read_bytes())

    def years(self) -> list[int]:
        """The years that have an archive file, oldest first."""
        if not self.archive_dir.is_dir():
            return []
        stems = {p.stem.removesuffix("-mail") for p in self.archive_dir.glob("*.json")}
        return sorted(int(stem) for stem in stems if stem.isdigit())

    def _archive(self, name: str) -> _Db:
        """The archive database `<year>` or `<year>-mail`, created empty for a write."""
        db = self._db(name, self.archive_dir / f"{name}.json")
        data = db.storage.read()
        if data is None:
            ensure_private_dir(self.archive_dir)
            db.storage.write({META_TABLE: new_meta()})
        else:
            migrate(data, str(db.storage.path))
        return db

    def _existing_archive(self, name: str) -> _Db | None:
        """The archive database `name` if its file exists (reads never create files)."""
        if name not in self._dbs and not (self.archive_dir / f"{name}.json").exists():
            return None
        db = self._db(name, self.archive_dir / f"{name}.json")
        data = db.storage.read()
        if data is None:
            return None
        migrate(data, str(db.storage.path))
        return db

    def _archives(self, table: str) -> Iterator[_Db]:
        """The archives that may hold `table`, newest year first (the likeliest)."""
        for year in reversed(self.years()):
            db = self._existing_archive(f"{year}{_part(table)}")
            if db is not None:
                yield db

    # -- locking and transactions -----------------------------------------------------------
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
        """Lock, start from the newest state on disk, and write each file once at the end."""
        with self._locked():
            self._depth += 1
            if self._depth == 1:
                self._check_fresh()
                for db in self._dbs.values():
                    db.storage.defer()
            ok = False
            try:
                yield
                ok = True
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._commit(ok)

    def _commit(self, ok: bool) -> None:
        if ok:
            self.blobs.sync()  # blobs are durable before any file refers to them
        # archives first, the hot file last: a crash between leaves a moved record in both
        # places (reads prefer the hot copy; the next archive pass finishes the move).
        order = [db for name, db in self._dbs.items() if name != HOT] + [self._hot]
        failure: BaseException | None = None
        written = []
        for db in order:
            dirty = db.storage.dirty
            try:
                db.storage.undefer(commit=ok and failure is None)
            except BaseException as exc:
                failure = failure or exc
            else:
                if dirty and ok and failure is None and db.name != HOT:
                    written.append(db)
            db.db.clear_cache()
        if failure is not None:
            raise failure
        for db in written:
            self._write_search_index(db)

    def _check_fresh(self) -> None:
        for db in self._dbs.values():
            if db.storage.changed_on_disk():
                db.storage.invalidate()
                db.db.clear_cache()
                data = db.storage.read()
                if data is not None:
                    migrate(data, str(db.storage.path))

    def refresh(self) -> bool:
        """Reload if another process changed the hot file; True if it did."""
        with self._mutex:
            if not self._hot.storage.changed_on_disk():
                return False
            self._check_fresh()
            return True

    # -- reads ------------------------------------------------------------------------------
    def _decode(self, cls: type[R], doc: dict[str, Any], bodies: bool = True) -> R:
        if not bodies:  # leave composed bodies on disk: "" means "not loaded"
            skip = getattr(cls, "BLOB_FIELDS", ())
            doc = {k: ("" if k in skip and isinstance(v, dict) else v) for k, v in doc.items()}
        return from_dict(cls, self.blobs.materialize(doc))

    def get(self, cls: type[R], key: str, *, archived: bool = True) -> R | None:
        """The record of type `cls` with this key (hot first, then the archives), or None."""
        table: str = cls.TABLE  # type: ignore[attr-defined]
        with self._mutex:
            doc = (self._hot.tables().get(table) or {}).get(key)
            if doc is not None:
                return self._decode(cls, doc)
            if not archived:
                return None
            for db in self._archives(table):
                doc = (db.tables().get(table) or {}).get(key)
                if doc is not None:
                    self._origin[(table, key)] = db.name
                    return self._decode(cls, doc)
        return None

    def all(self, cls: type[R], *, bodies: bool = True) -> list[R]:
        """Every hot record of type `cls` (the open part of the circle), in insertion order.

        `bodies=False` leaves the record type's BLOB_FIELDS (composed mail) empty instead of
        reading them from disk: for lists and decisions. Writing such a record back keeps
        its stored body (bodies never change once composed).
        """
        with self._mutex:
            table = self._hot.table(cls.TABLE)  # type: ignore[attr-defined]
            docs = table.all()
        return [self._decode(cls, doc, bodies) for doc in docs]

    def archived(self, cls: type[R], years: Iterable[int] | None = None) -> list[R]:
        """Every archived record of type `cls` (oldest year first), for history and search."""
        wanted = set(years) if years is not None else None
        table: str = cls.TABLE  # type: ignore[attr-defined]
        out: list[R] = []
        with self._mutex:
            for year in self.years():
                if wanted is not None and year not in wanted:
                    continue
                db = self._existing_archive(f"{year}{_part(table)}")
                if db is None:
                    continue
                for key, doc in (db.tables().get(table) or {}).items():
                    self._origin[(table, key)] = db.name
                    out.append(self._decode(cls, doc))
        return out

    def _search_path(self, db: _Db) -> Path:
        return self.archive_dir / f"{db.name}.search.tsv"

    def _write_search_index(self, db: _Db) -> None:
        """The derived search file of an archive, stamped with the archive file it reflects.

        Tab-separated lines (`table`, then the record type's SEARCH_FIELDS, whitespace
        folded): reading ten years of them is a split, not a JSON parse. Written after the
        archive itself; if a crash comes between, the stamp no longer matches and readers
        fall back to the archive (slower, never wrong).
        """
        tables = db.tables()
        lines = ["#stamp " + " ".join(str(n) for n in db.storage.stamp() or ())]
        for cls in _SEARCHABLE:
            fields: tuple[str, ...] = cls.SEARCH_FIELDS
            for doc in (tables.get(cls.TABLE) or {}).values():
                values = [self.blobs.resolve(doc.get(f)) for f in fields]
                lines.append("\t".join([cls.TABLE, *(_cell(v) for v in values)]))
        if len(lines) > 1:
            atomic_write_bytes(self._search_path(db), "\n".join(lines).encode(
                "utf-8", "surrogatepass"), durable=False)

    def _search_table(self, db: _Db) -> dict[str, list[tuple[list[str], str]]] | None:
        """The archive's search file as (cells, case-folded line) by table, if current."""
        stamp = db.storage.stamp()
        cached = self._search_cache.get(db.name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            text = self._search_path(db).read_bytes().decode("utf-8", "surrogatepass")
        except OSError:
            return None
        head, _, body = text.partition("\n")
        if head != "#stamp " + " ".join(str(n) for n in stamp or ()):
            return None
        lines = body.split("\n") if body else []
        folded = body.casefold().split("\n") if body else []  # one C-speed pass for all rows
        rows: dict[str, list[tuple[list[str], str]]] = {}
        for line, low in zip(lines, folded, strict=True):
            cells = line.split("\t")
            rows.setdefault(cells[0], []).append((cells[1:], low))
        self._search_cache[db.name] = (stamp, rows)
        return rows

    def search_rows(self, cls: type[Any]) -> list[tuple[list[str], str]]:
        """Every record of a searchable type, hot and archived, as its SEARCH_FIELDS cells
        (whitespace folded; lists joined by U+001F) with the case-folded line to match on."""
        fields: tuple[str, ...] = cls.SEARCH_FIELDS
        table: str = cls.TABLE
        out: list[tuple[list[str], str]] = []
        with self._mutex:
            for year in self.years():
                name = str(year)
                if not (self.archive_dir / f"{name}.json").exists():
                    continue
                fast = self._search_table(self._db(name, self.archive_dir / f"{name}.json"))
                if fast is not None:  # the index answers without parsing the archive
                    out.extend(fast.get(table, ()))
                    continue
                db = self._existing_archive(name)
                if db is None:
                    continue
                out.extend(_row(self.blobs, doc, fields)
                           for doc in (db.tables().get(table) or {}).values())
            out.extend(_row(self.blobs, doc, fields)
                       for doc in (self._hot.tables().get(table) or {}).values())
        return out

    def project_archived(self, cls: type[Any], *fields: str) -> list[tuple[Any, ...]]:
        """The named fields of every archived record of `cls`, undecoded (history, export)."""
        table: str = cls.TABLE
        with self._mutex:
            out: list[tuple[Any, ...]] = []
            for year in self.years():
                db = self._existing_archive(f"{year}{_part(table)}")
                rows = (db.tables().get(table) or {}) if db is not None else {}
                out.extend(tuple(self.blobs.resolve(row.get(f)) for f in fields)
                           for row in rows.values())
            return out

    def project(self, cls: type[Any], *fields: str) -> list[tuple[Any, ...]]:
        """The named fields of every hot record of `cls`, as stored (JSON values), undecoded."""
        with self._mutex:
            rows = (self._hot.tables().get(cls.TABLE) or {}).values()
            return [tuple(self.blobs.resolve(row.get(f)) for f in fields) for row in rows]

    def count(self, cls: type[Any]) -> int:
        """How many hot records of type `cls` there are."""
        with self._mutex:
            return len(self._hot.tables().get(cls.TABLE) or {})

    # -- writes -----------------------------------------------------------------------------
    def put(self, record: Any) -> None:
        """Insert or replace one record by its key (compare-and-set on its version)."""
        self.put_many([record])

    def put_many(self, records: Iterable[Any]) -> None:
        """Insert or replace records in one locked, atomic write; refuse stale copies.

        A record goes back where it was read from (hot or an archive year); new ones go hot.
        Each written record's `version` is bumped, on the caller's object too.
        """
        with self.transaction():
            pending: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
            for record in records:
                table: str = type(record).TABLE
                where = self._origin.get((table, record.key), HOT)
                db = self._hot if where == HOT else self._archive(where)
                doc = self._prepare(db, table, record)
                if doc is not None:
                    pending.setdefault((where, table), {})[record.key] = doc
            for (where, table), docs in pending.items():
                db = self._hot if where == HOT else self._archive(where)
                db.table(table).upsert_docs(docs)

    def _prepare(self, db: _Db, table: str, record: Any) -> dict[str, Any] | None:
        """The document to write for `record`, None if it changes nothing; ConflictError if
        it was made from an older version than the stored one."""
        bodies: tuple[str, ...] = getattr(type(record), "BLOB_FIELDS", ())
        doc = self.blobs.externalize(to_dict(record), bodies)
        current = (db.tables().get(table) or {}).get(record.key)
        if current is not None:  # an unloaded body ("") keeps the stored one
            for name in bodies:
                if doc.get(name) == "" and isinstance(current.get(name), dict):
                    doc[name] = current[name]
        if current is None:
            version = int(doc.get("version") or 0)
        else:
            version = int(current.get("version") or 0)
            same = {k: v for k, v in current.items() if k != "version"} == \
                {k: v for k, v in doc.items() if k != "version"}
            if same:
                record.version = version
                return None
            if int(doc.get("version") or 0) != version:
                raise ConflictError(
                    f"{table} {record.key} changed since it was read (version "
                    f"{doc.get('version') or 0}, stored {version}); read it again and retry")
        record.version = version + 1
        doc["version"] = version + 1
        return doc

    def move_to_archive(self, year: int, records: Iterable[Any]) -> int:
        """Move hot records into the archive of `year` (idempotent, crash-safe); how many."""
        moved = 0
        with self.transaction():
            by_table: dict[str, dict[str, dict[str, Any]]] = {}
            for record in records:
                table: str = type(record).TABLE
                stored = (self._hot.tables().get(table) or {}).get(record.key)
                if stored is None:
                    continue
                by_table.setdefault(table, {})[record.key] = stored
            for table, docs in by_table.items():
                db = self._archive(f"{year}{_part(table)}")
                db.table(table).upsert_docs(docs)
                self._hot.table(table).remove(doc_ids=list(docs))  # type: ignore[arg-type]
                for key in docs:
                    self._origin[(table, key)] = db.name
                moved += len(docs)
        return moved

    def delete(self, cls: type[Any], key: str) -> None:
        """Remove one hot record if present (only records Circle itself made)."""
        with self.transaction():
            table = self._hot.table(cls.TABLE)
            if table.contains(doc_id=key):  # type: ignore[arg-type]
                table.remove(doc_ids=[key])  # type: ignore[list-item]

    def close(self) -> None:
        """Release resources (writes are immediate)."""
        for db in self._dbs.values():
            db.db.close()

    def file_sizes(self) -> dict[str, int]:
        """Bytes on disk: the hot file, the archives, the blobs (for `circle status`, bench)."""
        def size(folder: Path, pattern: str) -> int:
            return sum(p.stat().st_size for p in folder.glob(pattern)) if folder.is_dir() else 0
        return {"hot": self.path.stat().st_size if self.path.exists() else 0,
                "archive": size(self.archive_dir, "*.json"),
                "blobs": size(self.blobs.root, "*/*.txt"),
                "raw": size(self.archive.root, "*/*.eml")}


def body_fields() -> dict[str, tuple[str, ...]]:
    """Per table, the fields kept as blobs (the records' `BLOB_FIELDS`)."""
    from circle.model import RECORD_TYPES

    return {getattr(cls, "TABLE", ""): getattr(cls, "BLOB_FIELDS", ()) for cls in RECORD_TYPES}


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


__all__ = ["DB_NAME", "TinyStore", "new_meta_tables", "open_store"]
