"""In-memory sessions with a time to live: the fast path in front of the persisted previews and results.

The predecessor kept everything here and lost it on restart; now every entry is also persisted (preview
bundles, job artifacts), and a miss here just means "read it from storage".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    value: T
    owner: str
    expires_at: float


class SessionStore(Generic[T]):
    """A thread-safe dict of owner-tagged values that expire ``ttl_seconds`` after they were stored."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic, max_entries: int = 64) -> None:
        self._ttl, self._clock, self._max = ttl_seconds, clock, max_entries
        self._entries: dict[str, _Entry[T]] = {}
        self._lock = threading.Lock()

    def put(self, key: str, owner: str, value: T) -> None:
        with self._lock:
            self._purge()
            if len(self._entries) >= self._max:  # drop the entry closest to expiry
                del self._entries[min(self._entries, key=lambda k: self._entries[k].expires_at)]
            self._entries[key] = _Entry(value, owner, self._clock() + self._ttl)

    def get(self, key: str, owner: str | None) -> T | None:
        """The value, if present, not expired and owned by ``owner`` (``None`` = any owner, for admins)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires_at <= self._clock():
                self._entries.pop(key, None)
                return None
            return entry.value if owner is None or entry.owner == owner else None

    def __contains__(self, key: str) -> bool:
        return self.get(key, None) is not None

    def _purge(self) -> None:
        now = self._clock()
        for key in [k for k, e in self._entries.items() if e.expires_at <= now]:
            del self._entries[key]
