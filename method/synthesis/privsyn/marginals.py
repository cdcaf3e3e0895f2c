"""Marginal tables on integer-coded data: the unit PrivSyn measures, makes consistent and fits GUM to.

A :class:`Marginal` is a count table over a sorted tuple of attribute indices, with the ρ it was measured
with (the weight consistency gives it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class Marginal:
    """Counts over ``attrs`` (sorted attribute indices); ``counts.shape`` is their sizes."""

    attrs: tuple[int, ...]
    counts: np.ndarray
    rho: float

    @property
    def cells(self) -> int:
        return int(self.counts.size)

    def project(self, attrs: tuple[int, ...]) -> np.ndarray:
        """Sum out every attribute not in ``attrs`` (a subset of ``self.attrs``, kept in order)."""
        axes = tuple(i for i, a in enumerate(self.attrs) if a not in attrs)
        return self.counts.sum(axis=axes)


def cell_index(data: np.ndarray, attrs: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Flat cell index of each record in the marginal over ``attrs`` (C order).

    >>> cell_index(np.array([[1, 2], [0, 1]]), (0, 1), (2, 3)).tolist()
    [5, 1]
    """
    index = np.zeros(data.shape[0], dtype=np.int64)
    for attr, size in zip(attrs, shape, strict=True):
        index *= size
        index += data[:, attr]
    return index


def marginal_counts(data: np.ndarray, attrs: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Exact counts of the marginal over ``attrs``.

    >>> marginal_counts(np.array([[1, 2], [0, 1], [1, 2]]), (0, 1), (2, 3)).tolist()
    [[0, 1, 0], [0, 0, 2]]
    """
    size = int(np.prod(shape)) if shape else 1
    return np.bincount(cell_index(data, attrs, shape), minlength=size).reshape(shape)
