"""Synthetic data from a junction-tree model (Private-PGM §5; AIM §3.5 "round" generation).

Columns are generated in reverse elimination order; column ``v`` is conditioned on its elimination
neighbours (all generated before it, and together with ``v`` inside one maximal clique). Within every
group of rows that share the parents' values, the expected counts ``n_g · p(v | g)`` are rounded by
systematic randomised rounding (each count is its floor or ceiling, unbiased, summing to ``n_g``), and
the resulting values are dealt to the group's rows in an independent uniformly random order.

That random order is the fix of mbi#145: mbi 1.x dealt values to rows in a deterministic rank order
inside each group, so two columns conditioned on the same parents (siblings) were dealt in the same row
order and came out strongly correlated although the model says they are conditionally independent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from method.api.errors import InvalidParameterError
from method.pgm.factor import as_clique
from method.pgm.inference import clique_marginal
from method.pgm.junction_tree import JunctionTree


def synthetic_data(
    tree: JunctionTree, marginals: Sequence[np.ndarray], rows: int, rng: np.random.Generator
) -> np.ndarray:
    """``rows × d`` integer codes drawn from the calibrated model ``marginals`` on ``tree``."""
    if not (isinstance(rows, int | np.integer) and rows >= 0):
        raise InvalidParameterError(f"rows must be an integer >= 0, got {rows!r}")
    sizes = tree.sizes
    data = np.zeros((int(rows), len(sizes)), dtype=np.int64)
    for column, *parents in reversed(tree.order):
        clique = as_clique((column, *parents))
        joint = np.moveaxis(clique_marginal(tree, marginals, clique), clique.index(column), -1)
        parent_shape = tuple(sizes[a] for a in sorted(parents))
        groups = math.prod(parent_shape)
        table = joint.reshape(groups, sizes[column])
        if parents:
            group = np.ravel_multi_index(tuple(data[:, a] for a in sorted(parents)), parent_shape)
        else:
            group = np.zeros(int(rows), dtype=np.int64)
        data[:, column] = _deal(table, group, rng)
    return data


def _deal(table: np.ndarray, group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Values for every row: rounded counts per group from ``table`` (groups × k), randomly ordered."""
    groups, k = table.shape
    group_rows = np.bincount(group, minlength=groups)
    counts = rounded_counts(_conditional(table), group_rows, rng)
    values = np.repeat(np.tile(np.arange(k), groups), counts.ravel())
    order = np.lexsort((rng.random(group.size), group))
    out = np.empty(group.size, dtype=np.int64)
    out[order] = values
    return out


def _conditional(table: np.ndarray) -> np.ndarray:
    """Rows normalised to p(v | g); a group the model gives no mass falls back to v's marginal."""
    table = np.clip(table, 0.0, None)
    mass = table.sum(axis=1, keepdims=True)
    fallback = table.sum(axis=0)
    fallback = (
        fallback / fallback.sum() if fallback.sum() > 0 else np.full(table.shape[1], 1.0 / table.shape[1])
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = np.where(mass > 0, table / mass, fallback)
    return conditional


def rounded_counts(probabilities: np.ndarray, totals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic randomised rounding of ``totals[g] · probabilities[g]``, row by row.

    Each count is the floor or the ceiling of its expectation, its mean is the expectation, and each row
    sums exactly to ``totals[g]``.

    >>> import numpy as np
    >>> counts = rounded_counts(np.array([[0.5, 0.25, 0.25]]), np.array([4]), np.random.default_rng(0))
    >>> counts.tolist()
    [[2, 1, 1]]
    """
    expected = probabilities * totals[:, None]
    cumulative = np.cumsum(expected, axis=1)
    cumulative[:, -1] = totals
    offset = rng.random((expected.shape[0], 1))
    edges = np.minimum(np.floor(cumulative + offset), totals[:, None])
    edges[:, -1] = totals
    return np.diff(edges, axis=1, prepend=0.0).astype(np.int64)
