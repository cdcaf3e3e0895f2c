"""Non-negativity post-processing of noisy counts (PrivSyn §4.3): ``norm_sub`` and ``norm_cut``.

Both keep the total and return non-negative counts; they read only noisy counts (no budget).
"""

from __future__ import annotations

import numpy as np


def norm_sub(counts: np.ndarray) -> np.ndarray:
    """Shift all cells down by one δ and clip at 0, with δ chosen so the total is kept.

    δ is exact: with the k largest cells kept, δ = (their sum − total)/k, for the k where it falls between
    the k-th and (k+1)-th largest value.

    >>> norm_sub(np.array([5.0, 3.0, -2.0])).round(6).tolist()
    [4.0, 2.0, 0.0]
    >>> norm_sub(np.array([[3.0, -3.0], [1.0, 5.0]])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    values = np.asarray(counts, dtype=float)
    total = values.sum()
    if total <= 0:
        return np.zeros_like(values)
    descending = np.sort(values.ravel())[::-1]
    k = np.arange(1, descending.size + 1)
    deltas = (np.cumsum(descending) - total) / k
    following = np.append(descending[1:], -np.inf)
    valid = (descending > deltas) & (deltas >= following)
    delta = deltas[np.argmax(valid)] if valid.any() else deltas[-1]
    return np.clip(values - delta, 0, None)


def norm_cut(counts: np.ndarray) -> np.ndarray:
    """Zero the negative cells, then zero the smallest positive cells until the removed positive mass
    reaches the negative mass (trimming the last one partially).

    >>> norm_cut(np.array([5.0, 1.0, 2.0, -2.0])).tolist()
    [5.0, 0.0, 1.0, 0.0]
    """
    flat = np.asarray(counts, dtype=float).ravel().copy()
    negative_mass = -flat[flat < 0].sum()
    flat[flat < 0] = 0.0
    if negative_mass <= 0:
        return flat.reshape(np.shape(counts))
    order = np.argsort(flat, kind="stable")
    cumulative = np.cumsum(flat[order])
    emptied = np.searchsorted(cumulative, negative_mass)  # cells order[:emptied] are zeroed entirely
    if emptied >= flat.size:
        return np.zeros(np.shape(counts))
    flat[order[emptied]] -= negative_mass - (cumulative[emptied - 1] if emptied else 0.0)
    flat[order[:emptied]] = 0.0
    return flat.reshape(np.shape(counts))
