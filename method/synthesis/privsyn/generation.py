"""Record generation around GUM (PrivSyn §5.3, ALGORITHMS.md §2.8): independent initialisation from
1-way marginals, *attribute appending* for attributes that hang off the marginal graph by one pair, and
*separate and join* (one GUM per connected component).

All functions here are post-processing of consistent noisy marginals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from method.synthesis.privsyn.gum import GUMSchedule, Target, run_gum
from method.synthesis.privsyn.marginals import Marginal


def allocate(distribution: np.ndarray, n: int) -> np.ndarray:
    """Split ``n`` records over values by deterministic rounding of cumulative counts.

    >>> allocate(np.array([0.5, 0.25, 0.25]), 6).tolist()
    [3, 1, 2]
    """
    if n == 0:
        return np.zeros(distribution.size, dtype=np.int64)
    cumulative = np.rint(np.cumsum(distribution) / distribution.sum() * n).astype(np.int64)
    return np.diff(np.concatenate(([0], cumulative)))


def normalise(counts: np.ndarray) -> np.ndarray:
    """Non-negative counts as a distribution (uniform when everything is zero)."""
    counts = np.clip(np.asarray(counts, dtype=float), 0, None)
    total = counts.sum()
    return counts / total if total > 0 else np.full(counts.shape, 1.0 / counts.size)


def independent_column(distribution: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` values matching ``distribution`` (rounded allocation), in random order."""
    return rng.permutation(np.repeat(np.arange(distribution.size), allocate(distribution, n)))


@dataclass(frozen=True, slots=True)
class Appended:
    """An attribute filled after GUM from P(attribute | anchor), given by one pair marginal."""

    attr: int
    anchor: int
    conditional: np.ndarray  # shape (anchor size, attr size); rows are distributions


def peel_attributes(marginals: list[Marginal]) -> tuple[list[Marginal], list[Appended]]:
    """Repeatedly remove attributes that occur in exactly one multi-way marginal, a pair.

    Returns the marginals left for GUM and the peeled attributes in peeling order.

    >>> ms = [Marginal((0, 1), np.ones((2, 2)), 1.0), Marginal((1, 2), np.ones((2, 3)), 1.0)]
    >>> core, peeled = peel_attributes(ms)
    >>> core, [(p.attr, p.anchor) for p in peeled]
    ([], [(0, 1), (1, 2)])
    """
    core = [m for m in marginals if len(m.attrs) >= 2]
    peeled: list[Appended] = []
    while True:
        occurrences: dict[int, list[Marginal]] = {}
        for m in core:
            for a in m.attrs:
                occurrences.setdefault(a, []).append(m)
        leaf = next(
            ((a, ms[0]) for a, ms in sorted(occurrences.items()) if len(ms) == 1 and len(ms[0].attrs) == 2),
            None,
        )
        if leaf is None:
            return core, peeled
        attr, marginal = leaf
        anchor = marginal.attrs[0] if marginal.attrs[1] == attr else marginal.attrs[1]
        joint = marginal.counts if marginal.attrs == (anchor, attr) else marginal.counts.T
        conditional = np.array([normalise(row) for row in joint])
        peeled.append(Appended(attr, anchor, conditional))
        core = [m for m in core if m is not marginal]


def append_attribute(records: np.ndarray, appended: Appended, rng: np.random.Generator) -> None:
    """Fill ``records[:, attr]`` from P(attr | anchor) with rounded allocation inside each anchor group."""
    anchor_values = records[:, appended.anchor]
    order = np.argsort(anchor_values, kind="stable")
    bounds = np.searchsorted(anchor_values[order], np.arange(appended.conditional.shape[0] + 1))
    column = np.empty(records.shape[0], dtype=records.dtype)
    for value in range(appended.conditional.shape[0]):
        rows = order[bounds[value] : bounds[value + 1]]
        if rows.size:
            column[rows] = independent_column(appended.conditional[value], rows.size, rng)
    records[:, appended.attr] = column


def components(attrs: list[int], marginals: list[Marginal]) -> list[list[int]]:
    """Connected components of the graph joining attributes that share a marginal.

    >>> components([0, 1, 2, 3], [Marginal((0, 2), np.ones((1, 1)), 1.0)])
    [[0, 2], [1], [3]]
    """
    parent = {a: a for a in attrs}

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for m in marginals:
        for a in m.attrs[1:]:
            parent[root(a)] = root(m.attrs[0])
    groups: dict[int, list[int]] = {}
    for a in attrs:
        groups.setdefault(root(a), []).append(a)
    return sorted(groups.values())


def generate(
    n: int,
    sizes: tuple[int, ...],
    one_way: list[np.ndarray],
    marginals: list[Marginal],
    schedule: GUMSchedule,
    rng: np.random.Generator,
    *,
    append: bool = True,
    separate: bool = False,
    on_iteration: Callable[[int, float], None] | None = None,
    out_of_time: Callable[[], bool] = lambda: False,
) -> tuple[np.ndarray, list[float]]:
    """Synthesize ``n`` records in the (compressed) domain ``sizes`` from consistent marginals.

    Returns the records and GUM's error history (mean L1 per round over the GUM marginals).
    """
    d = len(sizes)
    records = np.empty((n, d), dtype=np.int64)
    for a in range(d):
        records[:, a] = independent_column(normalise(one_way[a]), n, rng)
    core, peeled = peel_attributes(marginals) if append else ([m for m in marginals if len(m.attrs) >= 2], [])
    # Only attributes of GUM's marginals take part: whole-record duplication would make the distribution
    # of any other column drift at random, and those columns are already drawn from their 1-way marginal.
    in_gum = sorted({a for m in core for a in m.attrs})
    groups = components(in_gum, core) if separate else [in_gum]
    history: list[float] = []
    for columns in groups:
        local = {a: i for i, a in enumerate(columns)}
        targets = [
            Target(tuple(local[a] for a in m.attrs), m.counts.shape, normalise(m.counts).ravel())
            for m in core
            if m.attrs[0] in local
        ]
        if targets and columns:
            block = np.asfortranarray(records[:, columns])  # column-major: a column is contiguous, and GUM
            # reads whole columns (each cell index) far more often than it copies rows (20× faster indices)
            history = run_gum(block, targets, schedule, rng, on_iteration, out_of_time)
            records[:, columns] = block
    for appended in reversed(peeled):
        append_attribute(records, appended, rng)
    return rng.permutation(records), history
