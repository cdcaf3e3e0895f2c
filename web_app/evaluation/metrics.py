"""Pure numeric helpers of the evaluation: marginal TVD, Cramér's V and attribute-set sampling on integer codes.

All functions take ``n × d`` int64 code arrays and the domain sizes. A marginal's TVD is
``½ Σ |p − q|`` over its cells, where ``p`` and ``q`` are the two tables' normalised counts, so it always lies
in ``[0, 1]``. Dense ``bincount`` is used while the marginal has at most :data:`DENSE_CELLS` cells, a sort
over the observed cells beyond that, so no marginal allocates its full (possibly huge) cell space.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

DENSE_CELLS = 2_000_000


def cell_keys(codes: np.ndarray, attrs: tuple[int, ...], sizes: tuple[int, ...]) -> np.ndarray:
    """One int64 key per row for the cell of ``attrs`` (row-major over their sizes)."""
    shape = tuple(sizes[a] for a in attrs)
    if math.prod(shape) < 2**62:
        keys = codes[:, attrs[0]].astype(np.int64, copy=True)
        for a in attrs[1:]:
            keys *= sizes[a]
            keys += codes[:, a]
        return keys
    _, keys = np.unique(codes[:, list(attrs)], axis=0, return_inverse=True)  # pragma: no cover (huge domains)
    return keys.astype(np.int64)


def marginal_tvd(real: np.ndarray, synth: np.ndarray, attrs: tuple[int, ...], sizes: tuple[int, ...]) -> float:
    """TVD of the ``attrs`` marginal between two code tables.

    >>> real = np.array([[0, 0], [1, 1]]); synth = np.array([[0, 1], [0, 1]])
    >>> marginal_tvd(real, synth, (0,), (2, 2)), marginal_tvd(real, synth, (0, 1), (2, 2))
    (0.5, 1.0)
    """
    cells = math.prod(sizes[a] for a in attrs)
    if cells <= DENSE_CELLS:
        p = np.bincount(cell_keys(real, attrs, sizes), minlength=cells) / len(real)
        q = np.bincount(cell_keys(synth, attrs, sizes), minlength=cells) / len(synth)
        return float(min(1.0, 0.5 * np.abs(p - q).sum()))
    keys = np.concatenate([cell_keys(real, attrs, sizes), cell_keys(synth, attrs, sizes)])
    weights = np.concatenate([np.full(len(real), 1 / len(real)), np.full(len(synth), -1 / len(synth))])
    _, inverse = np.unique(keys, return_inverse=True)
    return float(min(1.0, 0.5 * np.abs(np.bincount(inverse, weights=weights)).sum()))


def one_way(codes: np.ndarray, j: int, size: int) -> np.ndarray:
    """The normalised 1-way marginal of attribute ``j``."""
    return np.bincount(codes[:, j], minlength=size) / max(len(codes), 1)


def cramers_v(codes: np.ndarray, a: int, b: int, sizes: tuple[int, ...]) -> float:
    """Cramér's V of attributes ``a`` and ``b`` (0 = independent, 1 = one determines the other).

    >>> codes = np.array([[0, 0], [1, 1], [0, 0], [1, 1]])
    >>> round(cramers_v(codes, 0, 1, (2, 2)), 6)
    1.0
    """
    if sizes[a] * sizes[b] > DENSE_CELLS:
        return float("nan")
    table = np.bincount(codes[:, a] * sizes[b] + codes[:, b], minlength=sizes[a] * sizes[b]).reshape(sizes[a], sizes[b])
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0].astype(float)
    if min(table.shape) < 2:
        return 0.0
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / (n * (min(table.shape) - 1)))


def attribute_sets(d: int, k: int, limit: int, rng: np.random.Generator) -> tuple[list[tuple[int, ...]], bool]:
    """All ``k``-subsets of ``range(d)`` if there are at most ``limit``, else ``limit`` distinct random ones.

    Returns:
        The sets (each sorted) and whether they were sampled.
    """
    total = math.comb(d, k)
    if total <= limit:
        return list(combinations(range(d), k)), False
    chosen: dict[tuple[int, ...], None] = {}
    while len(chosen) < limit:
        for row in np.sort(np.argsort(rng.random((limit, d)), axis=1)[:, :k], axis=1):
            chosen.setdefault(tuple(int(x) for x in row), None)
            if len(chosen) == limit:
                break
    return list(chosen), True


def dense_marginal(codes: np.ndarray, attrs: tuple[int, ...], sizes: tuple[int, ...]) -> np.ndarray | None:
    """The normalised ``attrs`` marginal as a dense vector (``None`` beyond :data:`DENSE_CELLS` cells)."""
    cells = math.prod(sizes[a] for a in attrs)
    if cells > DENSE_CELLS:
        return None
    return np.bincount(cell_keys(codes, attrs, sizes), minlength=cells) / max(len(codes), 1)


def tvd_against(p: np.ndarray | None, real: np.ndarray, synth: np.ndarray, attrs: tuple[int, ...],
                sizes: tuple[int, ...]) -> float:
    """:func:`marginal_tvd` with the real marginal ``p`` already counted (``None``: too many cells)."""
    if p is None:
        return marginal_tvd(real, synth, attrs, sizes)
    q = np.bincount(cell_keys(synth, attrs, sizes), minlength=len(p)) / len(synth)
    return float(min(1.0, 0.5 * np.abs(p - q).sum()))


def ks_wasserstein(x_sorted: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The two-sample Kolmogorov–Smirnov statistic and the Wasserstein-1 distance of two samples (``x_sorted``
    sorted), from one pass over their empirical CDFs.

    >>> ks_wasserstein(np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    (0.5, 1.0)
    """
    y = np.sort(y)
    points = np.sort(np.concatenate([x_sorted, y]))
    f = np.searchsorted(x_sorted, points, side="right") / len(x_sorted)
    g = np.searchsorted(y, points, side="right") / len(y)
    gap = np.abs(f - g)
    return float(gap.max()), float((gap[:-1] * np.diff(points)).sum())
