"""In-memory sessions with a time to live: the fast path in front of the persisted previews and results.

The predecessor kept everything here and lost it on restart; now every entry is also persisted (preview
bundles, job artifacts), and a miss here just means "read it from storage". The cache is bounded by
bytes (``PRIVSYN_SESSION_CACHE_MB``, each value measured once by ``size_of`` when it is stored) as well as
by entries: a new value evicts the entries closest to expiry until it fits, and a value larger than the
whole budget is not cached at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import pandas as pd

T = TypeVar("T")


def frame_bytes(*frames: pd.DataFrame) -> int:
    """What these tables take in memory (object columns measured deeply)."""
    return sum(int(frame.memory_usage(index=True, deep=True).sum()) for frame in frames)


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    value: T
    owner: str
    expires_at: float
    size: int


class SessionStore(Generic[T]):
    """A thread-safe dict of owner-tagged values that expire ``ttl_seconds`` after they were stored, holding
    at most ``max_entries`` values and ``max_bytes`` bytes of them."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic, max_entries: int = 64,
                 max_bytes: int | None = None, size_of: Callable[[T], int] = lambda _: 0) -> None:
        self._ttl, self._clock, self._max, self._max_bytes, self._size_of = (
            ttl_seconds, clock, max_entries, max_bytes, size_of)
        self._entries: dict[str, _Entry[T]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """What the cached values take, as measured when they were stored."""
        return self._bytes

    def put(self, key: str, owner: str, value: T) -> None:
        size = self._size_of(value)
        with self._lock:
            self._purge()
            self._drop(key)
            if self._max_bytes is not None and size > self._max_bytes:
                return  # larger than the whole cache: it is read from storage each time
            while self._entries and (len(self._entries) >= self._max or
                                     (self._max_bytes is not None and self._bytes + size > self._max_bytes)):
                self._drop(min(self._entries, key=lambda k: self._entries[k].expires_at))
            self._entries[key] = _Entry(value, owner, self._clock() + self._ttl, size)
            self._bytes += size

    def get(self, key: str, owner: str | None) -> T | None:
        """The value, if present, not expired and owned by ``owner`` (``None`` = any owner, for admins)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires_at <= self._clock():
                self._drop(key)
                return None
            return entry.value if owner is None or entry.owner == owner else None

    def discard(self, key: str) -> None:
        """Forget ``key`` (its data was deleted)."""
        with self._lock:
            self._drop(key)

    def __contains__(self, key: str) -> bool:
        return self.get(key, None) is not None

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def _purge(self) -> None:
        now = self._clock()
        for key in [k for k, e in self._entries.items() if e.expires_at <= now]:
            self._drop(key)
