"""Bin edges for numeric columns, and the two operations every numeric codec needs on them.

This module owns the *edge convention* shared by the numeric codecs and the DP binnings:

* a continuous column on ``[lower, upper]`` has float edges ``e_0 = lower < e_1 < … < e_k = upper``;
  bin ``i`` is ``[e_i, e_{i+1})`` and the last bin is closed (a constant column, ``lower == upper``,
  is the one exception: edges ``[lower, lower]``, one bin);
* an integer column on ``lo..hi`` has integer edges ``e_0 = lo < … < e_k = hi + 1``; bin ``i`` holds the
  integers ``e_i .. e_{i+1} - 1``, so every bin holds at least one integer.

Public binnings (:func:`uniform_edges`, :func:`exponential_edges`) depend only on the bounds, and
:func:`explicit_edges` brings a user's own edges to the convention; the DP binnings (``privtree``, ``dawa``)
choose a subset of the :func:`uniform_edges` fine grid.
"""

from __future__ import annotations

import math

import numpy as np

from method.api.errors import InvalidMetadataError


def integer_range(lower: float, upper: float, *, column: str = "") -> tuple[int, int]:
    """The integers ``lo..hi`` inside ``[lower, upper]``.

    >>> integer_range(0.5, 3.0)
    (1, 3)
    """
    lo, hi = math.ceil(lower), math.floor(upper)
    if lo > hi:
        raise InvalidMetadataError(f"column {column!r}: no integer lies in [{lower}, {upper}]")
    return lo, hi


def _floor_round(x: np.ndarray) -> np.ndarray:
    # Round half up: monotone, so grid points at least 1 apart stay distinct after rounding.
    return np.floor(x + 0.5).astype(np.int64)


def uniform_edges(lower: float, upper: float, bins: int, *, integer: bool) -> np.ndarray:
    """Equal-width edges; integer columns get one bin per integer when the range has ``<= bins`` of them.

    >>> uniform_edges(0.0, 1.0, 4, integer=False).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> uniform_edges(1, 3, 8, integer=True).tolist()
    [1, 2, 3, 4]
    >>> uniform_edges(0, 9, 4, integer=True).tolist()
    [0, 3, 5, 8, 10]
    """
    if integer:
        lo, hi = integer_range(lower, upper)
        span = hi - lo + 1
        k = min(bins, span)
        offsets = _floor_round(np.linspace(0.0, float(span), k + 1))
        offsets[0], offsets[-1] = 0, span
        return lo + np.unique(offsets)
    if lower == upper:
        return np.array([float(lower), float(upper)])
    edges = np.linspace(float(lower), float(upper), bins + 1)
    edges[-1] = float(upper)
    return edges


def exponential_edges(lower: float, upper: float, bins: int, *, integer: bool) -> np.ndarray:
    """Geometrically growing widths, finest near ``lower`` (for right-skewed columns such as incomes).

    With ``lower > 0`` the edges are geometric between the bounds. Otherwise the range is shifted so its
    lower end sits at ``1`` (integer columns) or at ``span / bins²`` (continuous columns). Integer edges
    are rounded and de-duplicated, so the narrowest bins may merge and fewer than ``bins`` remain.

    >>> exponential_edges(1.0, 16.0, 4, integer=False).round(6).tolist()
    [1.0, 2.0, 4.0, 8.0, 16.0]
    >>> exponential_edges(0, 14, 4, integer=True).tolist()
    [0, 1, 3, 7, 15]
    """
    if integer:
        lo, hi = integer_range(lower, upper)
        span = hi - lo + 1
        if span <= bins:
            return uniform_edges(lo, hi, bins, integer=True)
        offsets = _floor_round(np.geomspace(1.0, span + 1.0, bins + 1) - 1.0)
        offsets[0], offsets[-1] = 0, span
        return lo + np.unique(offsets)
    if lower == upper:
        return uniform_edges(lower, upper, 1, integer=False)
    if lower > 0:
        edges = np.geomspace(float(lower), float(upper), bins + 1)
    else:
        span = float(upper) - float(lower)
        base = span / bins**2
        edges = np.geomspace(base, base + span, bins + 1) - base + float(lower)
    edges[0], edges[-1] = float(lower), float(upper)
    return np.maximum.accumulate(edges)


def explicit_edges(edges: tuple[float, ...], *, integer: bool, column: str = "") -> np.ndarray:
    """A user's edges ``e_0 < … < e_k`` (last bin closed) in the module's convention: unchanged for a
    continuous column; for an integer column each interior edge rounds up to a whole number and the last
    becomes ``floor(e_k) + 1``, and a bin that would hold no integer is an error.

    >>> explicit_edges((0.0, 18.0, 64.5, 99.0), integer=True).tolist()
    [0, 18, 65, 100]
    """
    if not integer:
        return np.asarray(edges, dtype=float)
    rounded = [math.ceil(edge) for edge in edges[:-1]] + [math.floor(edges[-1]) + 1]
    for i, (left, right) in enumerate(zip(rounded, rounded[1:], strict=False)):
        if right <= left:
            raise InvalidMetadataError(
                f"column {column!r}: the bin [{edges[i]:g}, {edges[i + 1]:g}) holds no whole number"
            )
    return np.asarray(rounded, dtype=np.int64)


def assign_bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index of each value (values already clipped to the bounds), by the module's edge convention.

    >>> assign_bins(np.array([0.0, 0.3, 1.0]), np.array([0.0, 0.5, 1.0])).tolist()
    [0, 0, 1]
    >>> assign_bins(np.array([1, 2, 3]), np.array([1, 3, 4])).tolist()
    [0, 0, 1]
    """
    codes = np.searchsorted(edges, values, side="right") - 1
    return np.clip(codes, 0, len(edges) - 2).astype(np.int64)


def sample_in_bins(
    codes: np.ndarray, edges: np.ndarray, *, integer: bool, rng: np.random.Generator
) -> np.ndarray:
    """A value drawn uniformly inside each code's bin (a uniform integer for integer edges).

    >>> rng = np.random.default_rng(0)
    >>> values = sample_in_bins(np.array([0, 1, 1]), np.array([0, 2, 5]), integer=True, rng=rng)
    >>> bool(values[0] in (0, 1) and 2 <= values[1] <= 4)
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    low, high = edges[codes], edges[codes + 1]
    if integer:
        return rng.integers(low, high) if codes.size else np.empty(0, dtype=np.int64)
    values = low + rng.random(codes.size) * (high - low)
    return np.clip(values, edges[0], edges[-1])


def cell_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The histogram of ``values`` over the bins of ``edges`` (the input to a DP binning).

    >>> cell_counts(np.array([0.1, 0.2, 0.9]), np.array([0.0, 0.5, 1.0])).tolist()
    [2, 1]
    """
    return np.bincount(assign_bins(values, edges), minlength=len(edges) - 1).astype(np.int64)
