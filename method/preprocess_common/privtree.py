"""PrivTree on one numeric attribute: an ε-DP partition of a fine histogram into intervals.

Zhang, Xiao, Xie, "PrivTree: A Differentially Private Algorithm for Hierarchical Decompositions",
SIGMOD 2016, Algorithm 2 with fanout β. A node is split while its *biased* noisy count exceeds the
threshold θ:

    b(v) = max(c(v) − depth(v)·δ, θ − δ),   split v  iff  b(v) + Lap(λ) > θ,

with λ = (2β − 1)/(β − 1) · 1/ε and δ = λ·ln β (the paper's Theorem 3.2: the whole tree is ε-DP,
independently of its depth). The 1-D domain is the ``len(counts)`` cells of a fine grid; a node of one
cell is a leaf (a data-independent resolution limit, so no noise is drawn for it). Only the partition is
released: the leaf counts are left to the synthesizer. This module draws noise but never charges a
ledger; the caller charges ρ = ε²/2 first.

The noise is *discrete* Laplace, exact (:func:`method.api.noise.discrete_laplace`), on the lattice
ℤ/K, K = 2^16: counts become c·K (sensitivity K), the depth bias becomes ⌈δK⌉ per level (≥ δK, so
the geometric decay of the privacy loss down a path, e^{−δ/λ} = 1/β per level, is kept or faster),
and the scale is λK·(1 + 2^-10). The proof of Thm 3.2 uses only the noise's likelihood ratio under a
shift of one record (≤ e^{1/λ}, exact for the discrete Laplace at multiples of K) and its tails,
which on a lattice this fine differ from the continuous ones by a factor 1 + O(1/(λK)) < 1 + 2^-14;
the 2^-10 raise of the scale covers it. ``bench.audit`` checks the result empirically.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator

import numpy as np

from method.api.errors import InvalidParameterError
from method.api.noise import discrete_laplace

LATTICE = 2**16  # noise resolution: 1/K of a record
SCALE_SLACK = 1 + 2.0**-10
_DRAW_BATCH = 256  # noise values drawn at a time


def privtree_parameters(epsilon: float, fanout: int = 2) -> tuple[float, float]:
    """The Laplace scale λ and the depth decay δ that make PrivTree ε-DP (SIGMOD 2016, Thm 3.2).

    >>> lam, delta = privtree_parameters(1.0)
    >>> lam, round(delta, 4)
    (3.0, 2.0794)
    """
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise InvalidParameterError(f"PrivTree needs a finite epsilon > 0, got {epsilon!r}")
    if not (isinstance(fanout, int) and fanout >= 2):
        raise InvalidParameterError(f"PrivTree fanout must be an integer >= 2, got {fanout!r}")
    lam = (2 * fanout - 1) / ((fanout - 1) * epsilon)
    return lam, lam * math.log(fanout)


def split_cells(start: int, stop: int, fanout: int) -> list[int]:
    """Boundaries that cut the cells ``start..stop-1`` into at most ``fanout`` near-equal children.

    >>> split_cells(0, 5, 2)
    [0, 2, 5]
    """
    cuts = np.floor(np.linspace(start, stop, fanout + 1)).astype(int)
    return sorted(set(cuts.tolist()))


def privtree_partition(
    counts: np.ndarray,
    epsilon: float,
    rng: np.random.Generator,
    *,
    theta: float = 0.0,
    fanout: int = 2,
) -> np.ndarray:
    """Run PrivTree on a fine histogram and return the leaf boundaries as cell indices.

    Args:
        counts: record count of each fine cell, in order.
        epsilon: the pure-DP budget of the whole tree.
        rng: the noise generator of this mechanism call (discrete Laplace, integer draws only).
        theta: split threshold θ (the paper uses 0).
        fanout: β, the number of children of a split node.

    Returns:
        Increasing cell indices ``0 = b_0 < b_1 < … < b_m = len(counts)``; leaf ``j`` is the cells
        ``b_j .. b_{j+1} - 1``.

    >>> rng = np.random.default_rng(0)
    >>> cuts = privtree_partition(np.array([0, 0, 0, 0, 500, 500, 0, 0]), 1.0, rng)
    >>> int(cuts[0]), int(cuts[-1]), 4 in cuts.tolist() and 6 in cuts.tolist()
    (0, 8, True)
    """
    lam, delta = privtree_parameters(epsilon, fanout)
    counts = np.asarray(counts)
    if not np.array_equal(counts, np.rint(counts)):
        raise InvalidParameterError("PrivTree needs integer record counts")
    prefix = np.concatenate([[0], np.cumsum(counts.astype(np.int64))]) * LATTICE
    step, threshold = math.ceil(delta * LATTICE), math.floor(theta * LATTICE)
    # each tested node (two or more cells) draws one fresh value: i.i.d. draws, made in batches as the
    # tree grows (a tree over N cells tests at most N − 1 nodes, but usually far fewer)
    scale = lam * LATTICE * SCALE_SLACK

    def fresh_draws() -> Iterator[int]:
        while True:
            yield from discrete_laplace(scale, _DRAW_BATCH, rng).tolist()

    pool = fresh_draws()
    boundaries = {0, len(counts)}
    queue: deque[tuple[int, int, int]] = deque([(0, len(counts), 0)])
    while queue:
        start, stop, depth = queue.popleft()
        if stop - start < 2:
            continue
        biased = max(int(prefix[stop] - prefix[start]) - depth * step, threshold - step)
        if biased + next(pool) > threshold:
            children = split_cells(start, stop, fanout)
            boundaries.update(children)
            queue.extend((a, b, depth + 1) for a, b in zip(children[:-1], children[1:], strict=True))
    return np.array(sorted(boundaries), dtype=np.int64)
