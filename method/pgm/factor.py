"""Factors: numpy arrays whose axes are named by attribute positions (Private-PGM, McKenna et al. 2019).

A *clique* is a sorted tuple of attribute positions in a :class:`~method.api.Domain`. A factor's axes are
always in that sorted order, so two factors line up by reshaping alone (no transposes): a factor on
``(0, 2)`` broadcasts against one on ``(0, 1, 2)`` as shape ``(k0, 1, k2)``. The free functions
(:func:`expand`, :func:`sum_to`, :func:`logsumexp_to`) are what the hot loops use; :class:`Factor` wraps
them for readable code and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from method.api.errors import InvalidParameterError

Clique = tuple[int, ...]


def as_clique(attrs: Sequence[int]) -> Clique:
    """Canonical form of a set of attribute positions.

    >>> as_clique([3, 1, 3])
    (1, 3)
    """
    return tuple(sorted({int(a) for a in attrs}))


def broadcast_shape(attrs: Clique, target: Clique, sizes: Sequence[int]) -> tuple[int, ...]:
    """Shape that lines a factor on ``attrs`` up with one on ``target`` (``attrs`` ⊆ ``target``).

    >>> broadcast_shape((0, 2), (0, 1, 2), (2, 3, 4))
    (2, 1, 4)
    """
    present = set(attrs)
    return tuple(sizes[a] if a in present else 1 for a in target)


def expand(values: np.ndarray, attrs: Clique, target: Clique, sizes: Sequence[int]) -> np.ndarray:
    """View of ``values`` (axes ``attrs``) reshaped to broadcast against axes ``target``."""
    return values.reshape(broadcast_shape(attrs, target, sizes))


def summed_axes(attrs: Clique, keep: Clique) -> tuple[int, ...]:
    """Axes of a factor on ``attrs`` that are summed out to keep ``keep``.

    >>> summed_axes((0, 1, 2), (1,))
    (0, 2)
    """
    kept = set(keep)
    return tuple(i for i, a in enumerate(attrs) if a not in kept)


def sum_to(values: np.ndarray, attrs: Clique, keep: Clique) -> np.ndarray:
    """Marginalise a (linear-space) factor on ``attrs`` onto ``keep`` ⊆ ``attrs``."""
    axes = summed_axes(attrs, keep)
    return _sum_out(values, axes) if axes else values


def _sum_out(values: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``values.sum(axis=axes)``, as an einsum: numpy's multi-axis ``sum`` over axes that are not the trailing
    ones runs 5–20× slower on large cliques (it dominated AIM's estimation at ε = 10)."""
    kept = [i for i in range(values.ndim) if i not in axes]
    return np.einsum(values, list(range(values.ndim)), kept)


def _max_out(values: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``values.max(axis=axes, keepdims=True)``, one axis at a time, largest first (same reason)."""
    for axis in sorted(axes, key=lambda a: -values.shape[a]):
        values = values.max(axis=axis, keepdims=True)
    return values


def logsumexp_to(values: np.ndarray, attrs: Clique, keep: Clique) -> np.ndarray:
    """Marginalise a log-space factor on ``attrs`` onto ``keep``: log Σ exp over the other axes.

    >>> import numpy as np
    >>> np.round(logsumexp_to(np.log(np.array([[1.0, 3.0], [2.0, 2.0]])), (0, 1), (0,)), 6)
    array([1.386294, 1.386294])
    """
    axes = summed_axes(attrs, keep)
    if not axes:
        return values
    shift = _max_out(values, axes)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    kept_shape = [values.shape[i] for i in range(values.ndim) if i not in axes]
    return np.log(_sum_out(np.exp(values - shift), axes)) + shift.reshape(kept_shape)


@dataclass(frozen=True, slots=True)
class Factor:
    """A table over the attributes ``attrs`` (sorted positions), values of shape ``sizes[attrs]``.

    >>> import numpy as np
    >>> f = Factor((0, 1), np.arange(6.0).reshape(2, 3))
    >>> f.marginalize((1,)).values
    array([3., 5., 7.])
    >>> (f * Factor((1,), np.ones(3))).attrs
    (0, 1)
    """

    attrs: Clique
    values: np.ndarray

    def __post_init__(self) -> None:
        if tuple(self.attrs) != as_clique(self.attrs):
            raise InvalidParameterError(f"factor attributes must be sorted and distinct, got {self.attrs!r}")
        if np.ndim(self.values) != len(self.attrs):
            raise InvalidParameterError(
                f"factor on {self.attrs!r} needs {len(self.attrs)} axes, got shape {np.shape(self.values)}"
            )

    @property
    def sizes(self) -> dict[int, int]:
        return dict(zip(self.attrs, self.values.shape, strict=True))

    def _lined_up(self, other: Factor) -> tuple[Clique, np.ndarray, np.ndarray]:
        sizes = {**self.sizes, **other.sizes}
        union = as_clique(self.attrs + other.attrs)
        table = [sizes.get(a, 1) for a in range(max(union, default=-1) + 1)]
        return (
            union,
            expand(self.values, self.attrs, union, table),
            expand(other.values, other.attrs, union, table),
        )

    def __mul__(self, other: Factor) -> Factor:
        union, a, b = self._lined_up(other)
        return Factor(union, a * b)

    def __add__(self, other: Factor) -> Factor:
        union, a, b = self._lined_up(other)
        return Factor(union, a + b)

    def marginalize(self, keep: Sequence[int]) -> Factor:
        """Sum out every attribute not in ``keep``."""
        kept = as_clique(keep)
        return Factor(kept, sum_to(self.values, self.attrs, kept))

    def log_marginalize(self, keep: Sequence[int]) -> Factor:
        """Log-space marginal: log Σ exp over the attributes not in ``keep``."""
        kept = as_clique(keep)
        return Factor(kept, logsumexp_to(self.values, self.attrs, kept))

    def exp(self) -> Factor:
        return Factor(self.attrs, np.exp(self.values))

    def log(self) -> Factor:
        with np.errstate(divide="ignore"):
            return Factor(self.attrs, np.log(self.values))

    def total(self) -> float:
        return float(self.values.sum())
