"""Schema versions of the store and the ordered migrations between them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from circle.errors import StoreError

SCHEMA_VERSION = 2
META_TABLE = "_meta"
APP = "circle"

Migration = Callable[[dict[str, Any]], dict[str, Any]]


class Externalizer(Protocol):
    """What schema 2 needs to move long texts out of the JSON file (data.blobs.BlobStore)."""

    def externalize(self, doc: dict[str, Any], bodies: tuple[str, ...] = ()) -> dict[str, Any]:
        """The document with long strings (and the `bodies` fields) as blob references."""
        ...

    def sync(self) -> None:
        """Make the blobs durable."""
        ...


def v1_to_v2(blobs: Externalizer, bodies: dict[str, tuple[str, ...]]) -> Migration:
    """Schema 1 → 2: long texts (composed mail above all) move to blob files.

    Records gain a `version` (absent means 0, so nothing else changes). Archiving closed
    rounds is not a migration: the maintenance use-case does it on its own schedule.
    """
    def step(data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, table in data.items():
            if name == META_TABLE or not isinstance(table, dict):
                out[name] = table
                continue
            fields = bodies.get(name, ())
            out[name] = {key: blobs.externalize(doc, fields) if isinstance(doc, dict) else doc
                         for key, doc in table.items()}
        blobs.sync()
        return out
    return step


# MIGRATIONS[n] turns a schema-n database into schema n+1. Append only; never edit a shipped one.
MIGRATIONS: dict[int, Migration] = {}


def migrations_for(blobs: Externalizer,
                   bodies: dict[str, tuple[str, ...]]) -> dict[int, Migration]:
    """Every migration, with the blob store (and body fields) the ones that move texts need."""
    return {**MIGRATIONS, 1: v1_to_v2(blobs, bodies)}


def read_meta(data: dict[str, Any]) -> dict[str, Any] | None:
    """The store's meta document, or None for a file without one."""
    table = data.get(META_TABLE)
    if not isinstance(table, dict) or not table:
        return None
    meta = next(iter(table.values()))
    return meta if isinstance(meta, dict) else None


def new_meta(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The meta table for a fresh store."""
    return {"meta": {"app": APP, "schema": version}}


def migrate(data: dict[str, Any], path: str,
            migrations: dict[int, Migration] | None = None,
            target: int = SCHEMA_VERSION) -> tuple[dict[str, Any], bool]:
    """Bring a loaded database up to `target`; return it and whether anything changed.

    Refuses foreign files and files written by a newer Circle, naming the file.
    """
    steps = MIGRATIONS if migrations is None else migrations
    meta = read_meta(data)
    if meta is None or meta.get("app") != APP:
        raise StoreError(f"{path} is not a Circle store (no Circle header). It was not changed; "
                         "point data_dir at another folder or move the file away.")
    version = meta.get("schema")
    if not isinstance(version, int) or version < 1:
        raise StoreError(f"{path} has an invalid schema version {version!r}; restore a backup.")
    if version > target:
        raise StoreError(f"{path} was written by a newer Circle (schema {version}, this one "
                         f"knows {target}). Upgrade Circle; the file was not changed.")
    changed = False
    while version < target:
        step = steps.get(version)
        if step is None:
            raise StoreError(f"no migration from schema {version} for {path}; upgrade Circle.")
        data = step(data)
        version += 1
        data[META_TABLE] = {"meta": {"app": APP, "schema": version}}
        changed = True
    return data, changed
