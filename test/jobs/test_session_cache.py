"""The in-memory preview/result cache is bounded by bytes, not only by entries (issue #19, High 4: 64 entries of
60–170 MB each grew a server to 2.5 GB)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from web_app.sessions import SessionStore, frame_bytes


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(rows, dtype=np.int64), "s": ["category"] * rows})


def test_the_session_cache_evicts_by_bytes_and_skips_a_value_larger_than_itself() -> None:
    one = frame_bytes(_frame(10_000))
    cache: SessionStore[pd.DataFrame] = SessionStore(3600, max_bytes=int(2.5 * one), size_of=frame_bytes)
    for key in "abc":
        cache.put(key, "alice", _frame(10_000))
    assert cache.get("a", "alice") is None  # the oldest went to make room
    assert cache.get("b", "alice") is not None and cache.get("c", "alice") is not None
    assert cache.bytes == 2 * one <= 2.5 * one
    cache.put("huge", "alice", _frame(30_000))
    assert cache.get("huge", "alice") is None and cache.bytes == 2 * one  # read from storage instead
    cache.discard("b")
    assert cache.bytes == one and "b" not in cache
