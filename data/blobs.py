"""Large immutable texts (composed mail, long stories) as content-addressed files beside the DB.

The TinyDB files hold a small reference `{"$blob": "<sha256>"}` instead of the text, so a
write rewrites kilobytes, not megabytes. Blobs are written before the database that refers
to them, made durable with one sync for the lot, and never changed or deleted.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from circle.errors import StoreError
from data.archive import DIR_MODE, ensure_private_dir
from data.jsonfile import atomic_write_bytes

BLOB_MIN = 4096
"""Strings at least this long (in characters) are kept as blob files, not inline."""
BODY_MIN = 256
"""A record's declared body fields (`BLOB_FIELDS`, e.g. composed mail) move out from this size."""
REF = "$blob"


class BlobStore:
    """Files `blobs/<aa>/<sha256>.txt` holding UTF-8 text; saving the same text twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._unsynced = False

    def path_for(self, sha: str) -> Path:
        """Where the text with this digest lives."""
        return self.root / sha[:2] / f"{sha}.txt"

    def save(self, text: str) -> str:
        """Write the text (not yet durable: call `sync()` before committing a reference)."""
        payload = text.encode("utf-8", "surrogatepass")
        sha = hashlib.sha256(payload).hexdigest()
        path = self.path_for(sha)
        if path.exists() and path.stat().st_size == len(payload):
            return sha
        try:
            if not path.parent.is_dir():
                ensure_private_dir(self.root)
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
            atomic_write_bytes(path, payload, durable=False)
        except OSError as exc:
            raise StoreError(f"could not write {path}: {exc.strerror or exc}. Nothing was "
                             "changed; free disk space and try again.") from exc
        self._unsynced = True
        return sha

    def sync(self) -> None:
        """Make every blob written since the last sync durable (one sync for the lot)."""
        if self._unsynced:
            os.sync()
            self._unsynced = False

    def load(self, sha: str) -> str:
        """The text saved under this digest."""
        try:
            return self.path_for(sha).read_bytes().decode("utf-8", "surrogatepass")
        except OSError as exc:
            raise StoreError(f"the stored text {sha} is missing from {self.root} ({exc}); "
                             "restore the data directory from a backup") from exc

    def externalize(self, doc: dict[str, Any], bodies: tuple[str, ...] = ()) -> dict[str, Any]:
        """The document with long strings (and the `bodies` fields) as blob references."""
        out = doc
        for name, value in doc.items():
            if isinstance(value, str) and len(value) >= (BODY_MIN if name in bodies
                                                         else BLOB_MIN):
                if out is doc:
                    out = dict(doc)
                out[name] = {REF: self.save(value)}
        return out

    def materialize(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The document with blob references replaced by their text."""
        out = doc
        for name, value in doc.items():
            if isinstance(value, dict) and REF in value:
                if out is doc:
                    out = dict(doc)
                out[name] = self.load(value[REF])
        return out

    def resolve(self, value: Any) -> Any:
        """One stored field value, with a blob reference replaced by its text."""
        if isinstance(value, dict) and REF in value:
            return self.load(value[REF])
        return value
