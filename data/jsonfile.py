"""A TinyDB storage that writes atomically and durably and re-reads only when the file changed."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from circle.errors import StoreError

FILE_MODE = 0o600


def atomic_write_bytes(path: Path, payload: bytes, *, durable: bool = True) -> None:
    """Write `payload` to `path` so a crash leaves the old or the new file, never a torn one.

    Temp file in the same directory, fsync, rename over the target, fsync the directory.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if not durable:
        return  # the caller syncs (e.g. once for a batch of files)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class AtomicJSONStorage(Storage):
    """JSON file storage: atomic writes, a cache keyed on the file's identity, deferred flushes.

    `defer()` / `flush()` let the store group many TinyDB operations into one write.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._data: dict[str, Any] | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._deferred = 0
        self._dirty = False

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def stamp(self) -> tuple[int, int, int] | None:
        """The file's identity now (inode, mtime, size), or None if it does not exist."""
        return self._file_stamp()

    @property
    def dirty(self) -> bool:
        """Whether there are changes not yet written."""
        return self._dirty

    def changed_on_disk(self) -> bool:
        """True if another process replaced the file since we last read or wrote it."""
        return self._file_stamp() != self._stamp

    def read(self) -> dict[str, Any] | None:
        """The whole database as a dict (cached while the file is unchanged)."""
        if self._data is not None and (self._deferred or not self.changed_on_disk()):
            return self._data
        stamp = self._file_stamp()
        if stamp is None:
            self._data, self._stamp = None, None
            return None
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read the store {self.path}: {exc.strerror}. "
                             "Check the file's permissions.") from exc
        if not raw.strip():
            raise StoreError(f"the store {self.path} is empty. Restore it from a backup, "
                             "or move it away to start a new circle.")
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"the store {self.path} is corrupt ({exc}). It was not changed; "
                             "restore it from a backup, or move it away to start anew.") from exc
        if not isinstance(data, dict):
            raise StoreError(f"{self.path} is not a Circle store (not a JSON object). "
                             "Point data_dir elsewhere or move the file away.")
        self._data, self._stamp = data, stamp
        return data

    def write(self, data: dict[str, Any]) -> None:
        """Replace the database; written now, or at `flush()` while deferred."""
        self._data = data
        self._dirty = True
        if not self._deferred:
            self.flush()

    def defer(self) -> None:
        """Start grouping writes (nestable)."""
        self._deferred += 1

    def undefer(self, *, commit: bool) -> None:
        """End one level of grouping; the outermost level flushes (or discards on error)."""
        self._deferred -= 1
        if self._deferred:
            return
        if commit:
            self.flush()
        else:
            self.invalidate()

    def invalidate(self) -> None:
        """Forget the cache so the next read comes from disk (after a failed write)."""
        self._data, self._stamp, self._dirty = None, None, False

    def flush(self) -> None:
        """Write pending changes atomically and durably."""
        if not self._dirty or self._data is None:
            return
        payload = json.dumps(self._data, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as exc:
            self.invalidate()
            raise StoreError(f"could not write the store {self.path}: {exc.strerror or exc}. "
                             "The previous state is intact; free disk space or fix "
                             "permissions and try again.") from exc
        self._dirty = False
        self._stamp = self._file_stamp()

    def close(self) -> None:
        """Nothing to release: files are opened per operation."""
