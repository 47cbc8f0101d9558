"""Raw inbound mail kept as content-addressed files next to the database."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from circle.errors import StoreError
from data.jsonfile import atomic_write_bytes

DIR_MODE = 0o700


class RawArchive:
    """Files `raw/<aa>/<sha256>.eml`; saving the same bytes twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha: str) -> Path:
        """Where the bytes with this digest live."""
        return self.root / sha[:2] / f"{sha}.eml"

    def save(self, raw: bytes) -> str:
        """Store the bytes durably; return their sha256 hex digest."""
        sha = hashlib.sha256(raw).hexdigest()
        path = self.path_for(sha)
        if path.exists() and path.stat().st_size == len(raw):
            return sha
        try:
            self._make_dir(path.parent)
            atomic_write_bytes(path, raw)
        except OSError as exc:
            raise StoreError(f"could not archive a message in {path.parent}: "
                             f"{exc.strerror or exc}. Nothing was acknowledged on the server; "
                             "free disk space and run again.") from exc
        return sha

    def save_many(self, raws: list[bytes]) -> list[str]:
        """Store several messages; one filesystem sync makes the whole lot durable."""
        shas: list[str] = []
        try:
            for raw in raws:
                sha = hashlib.sha256(raw).hexdigest()
                path = self.path_for(sha)
                shas.append(sha)
                if path.exists() and path.stat().st_size == len(raw):
                    continue
                self._make_dir(path.parent)
                atomic_write_bytes(path, raw, durable=False)
            os.sync()  # one sync instead of an fsync per file and per directory
        except OSError as exc:
            raise StoreError(f"could not archive messages in {self.root}: "
                             f"{exc.strerror or exc}. Nothing was acknowledged on the server; "
                             "free disk space and run again.") from exc
        return shas

    def _make_dir(self, folder: Path) -> None:
        """`raw/<aa>/`, both owner-only (mkdir's `parents` would make `raw/` 0755)."""
        if not folder.is_dir():
            ensure_private_dir(self.root)
            folder.mkdir(mode=DIR_MODE, exist_ok=True)

    def load(self, sha: str) -> bytes:
        """The bytes saved under this digest."""
        try:
            return self.path_for(sha).read_bytes()
        except OSError as exc:
            raise StoreError(f"raw message {sha} missing from {self.root}: {exc}") from exc

    def __contains__(self, sha: str) -> bool:
        return self.path_for(sha).exists()

    def count(self) -> int:
        """How many raw messages are archived."""
        return sum(1 for _ in self.root.glob("*/*.eml")) if self.root.exists() else 0


def ensure_private_dir(path: Path) -> None:
    """Create a directory readable only by its owner (0700)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
