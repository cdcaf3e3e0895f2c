"""Non-negativity post-processing of noisy counts (PrivSyn §4.3): ``norm_sub`` and ``norm_cut``.

Both keep the total and return non-negative counts; they read only noisy counts (no budget).
"""

from __future__ import annotations

import numpy as np


def norm_sub(counts: np.ndarray) -> np.ndarray:
    """Shift all cells down by δ and clip at 0, with δ found by bisection so the total is kept.

    >>> norm_sub(np.array([5.0, 3.0, -2.0])).round(6).tolist()
    [4.0, 2.0, 0.0]
    """
    total = counts.sum()
    if total <= 0:
        return np.zeros_like(counts, dtype=float)
    lo, hi = counts.min() - total, counts.max()
    for _ in range(100):
        mid = (lo + hi) / 2
        if np.clip(counts - mid, 0, None).sum() > total:
            lo = mid
        else:
            hi = mid
    return np.clip(counts - (lo + hi) / 2, 0, None)


def norm_cut(counts: np.ndarray) -> np.ndarray:
    """Zero the negative cells, then zero the smallest positive cells until the removed positive mass
    reaches the negative mass (trimming the last one partially).

    >>> norm_cut(np.array([5.0, 1.0, 2.0, -2.0])).tolist()
    [5.0, 0.0, 1.0, 0.0]
    """
    flat = counts.ravel().astype(float)
    negative_mass = -flat[flat < 0].sum()
    flat[flat < 0] = 0.0
    for i in np.argsort(flat, kind="stable"):
        if negative_mass <= 0:
            break
        if flat[i] <= 0:
            continue
        taken = min(flat[i], negative_mass)
        flat[i] -= taken
        negative_mass -= taken
    return flat.reshape(counts.shape)
