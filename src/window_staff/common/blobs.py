"""Content-addressed file storage: ``<root>/ab/cd/<sha256>``, written atomically, each content stored once.

Blocking file I/O (fsync); services call it through ``asyncio.to_thread``. Callers never see a path:
the API hands out hashes, and only this module turns a hash into a file name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    """Files named by the SHA-256 of their content under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        # The hash is the only thing that becomes a path: a strict pattern rules out traversal.
        if not _SHA256.fullmatch(digest):
            raise ValueError("not a lowercase hex SHA-256")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        """Store ``data`` (once per content) and return its SHA-256; durable when this returns."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.is_file() and path.stat().st_size == len(data):
            # Refresh the mtime: the garbage collector's grace period must cover this new reference.
            os.utime(path)
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o640)
            # rename is atomic: readers see the whole file or none; a concurrent writer of the same
            # content replaces it with identical bytes.
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)
        return digest

    def get(self, digest: str) -> bytes | None:
        """The stored bytes, or None when no such blob exists."""
        try:
            return self._path(digest).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, digest: str) -> bool:
        """True when the blob is stored."""
        return self._path(digest).is_file()

    def digests(self) -> Iterator[tuple[str, float]]:
        """Every stored hash with its file's mtime (temporary files excluded)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/??/*"):
            if _SHA256.fullmatch(path.name) and path.is_file():
                yield path.name, path.stat().st_mtime

    def delete(self, digest: str) -> bool:
        """Remove a blob; False when it was not there."""
        try:
            self._path(digest).unlink()
        except FileNotFoundError:
            return False
        return True

    def sweep(self, *, keep: set[str], older_than_seconds: float) -> int:
        """Delete blobs not in ``keep`` whose file is older than the grace period; returns how many."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for digest, _ in list(self.digests()):
            if digest in keep:
                continue
            try:
                # Stat again right before deleting: an upload of the same content refreshes the mtime.
                if self._path(digest).stat().st_mtime >= cutoff:
                    continue
            except FileNotFoundError:
                continue
            if self.delete(digest):
                removed += 1
        return removed


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
