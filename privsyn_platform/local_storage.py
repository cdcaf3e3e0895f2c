"""Object storage in a local directory (``PRIVSYN_STORAGE_BACKEND=local``, the laptop default).

Owns :class:`LocalObjectStorage`. A key maps to ``<root>/<key>`` only after :func:`validate_key` and a
check that the resolved path stays under the root (so a symlink planted inside the root cannot lead
out). Writes go to a temporary file in ``<root>/.tmp`` (same filesystem), are fsynced and then renamed
over the target, so a reader sees either the old object or the whole new one. ``.tmp`` can never be a
key: key segments start with a letter or digit.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar

from privsyn_platform.errors import ConfigurationError, InvalidKeyError, NotFoundError, UnavailableError
from privsyn_platform.object_storage_base import (
    StoredObject,
    copy_file,
    copy_hashing,
    validate_key,
    validate_prefix,
)
from privsyn_platform.settings import Settings

_TMP_DIR = ".tmp"


class LocalObjectStorage:
    """Keys are files under ``root``; see the module docstring for the safety rules."""

    name: ClassVar[str] = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        try:
            (self.root / _TMP_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigurationError(f"refusing to start: the object storage directory {self.root} cannot be "
                                     f"created or written ({e.strerror}); make PRIVSYN_STATE_ROOT (or "
                                     "PRIVSYN_STORAGE_ROOT) a writable directory") from None

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalObjectStorage:
        """Build the storage at ``settings.effective_storage_root``."""
        return cls(settings.effective_storage_root)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        return self.put_stream(key, io.BytesIO(data))

    def put_stream(self, key: str, stream: BinaryIO) -> StoredObject:
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.root / _TMP_DIR, prefix="put-")
        except OSError as e:
            raise UnavailableError(f"object storage cannot be written right now ({e.strerror})") from e
        try:
            with os.fdopen(fd, "wb") as tmp:
                size, sha256 = copy_hashing(stream, tmp)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=size, sha256=sha256)

    def put_file(self, key: str, path: Path) -> StoredObject:
        with Path(path).open("rb") as source:
            return self.put_stream(key, source)

    def open_stream(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            raise NotFoundError(f"no object stored under key {key!r}") from e

    def get_bytes(self, key: str) -> bytes:
        with self.open_stream(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise NotFoundError(f"no object stored under key {key!r}")
        return path.stat().st_size

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_file():
            path.unlink(missing_ok=True)

    def list_keys(self, prefix: str = "") -> list[str]:
        validate_prefix(prefix)
        start = self.root / prefix.rpartition("/")[0] if "/" in prefix else self.root
        return sorted(key for key in self._walk(start) if key.startswith(prefix))

    def materialize(self, key: str, destination: Path) -> Path:
        source = self._path(key)
        if not source.is_file():
            raise NotFoundError(f"no object stored under key {key!r}")
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
        os.close(fd)
        try:
            copy_file(source, Path(tmp_name))
            os.replace(tmp_name, destination)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return destination

    def check(self) -> None:
        probe = self.root / _TMP_DIR
        if not (probe.is_dir() and os.access(probe, os.W_OK)):
            raise ConfigurationError(f"local object storage root {self.root} is not a writable directory "
                                     "(PRIVSYN_STORAGE_ROOT)")

    def _path(self, key: str) -> Path:
        path = self.root / validate_key(key)
        if not path.resolve().is_relative_to(self.root):
            raise InvalidKeyError(f"invalid object key {key!r}: resolves outside the storage root")
        return path

    def _walk(self, start: Path) -> Iterator[str]:
        if not start.resolve().is_relative_to(self.root) or not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            here = Path(dirpath)
            if here == self.root:
                dirnames[:] = [name for name in dirnames if name != _TMP_DIR]
            for filename in filenames:
                yield (here / filename).relative_to(self.root).as_posix()
