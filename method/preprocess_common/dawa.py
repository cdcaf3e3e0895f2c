"""DAWA's first stage on one numeric attribute: an ε-DP least-cost partition of a fine histogram.

Li, Hay, Miklau, Wang, "A Data- and Workload-Aware Algorithm for Range Queries Under Differential
Privacy", VLDB 2014, §3 (private partitioning). The cost of a bucket is its L1 deviation from uniform,
``dev(I) = Σ_{i∈I} |x_i − mean(x_I)|``, plus a per-bucket charge standing for the noise the bucket's
count will later receive; the partition minimising the summed cost is found by dynamic programming on
*noisy* deviations.

Candidate buckets are the aligned dyadic intervals ``[j·2^k, (j+1)·2^k)`` (cut at the end of the grid),
so each cell lies in exactly one candidate per level. One record changes a cell by 1 and each
deviation by less than 2, so the vector of all deviations has L1 sensitivity below ``2·L`` for ``L``
levels of length ≥ 2 (single cells have deviation 0 and need no noise): adding ``Lap(2L/ε)`` to each
makes the released costs, and the partition computed from them, ε-DP. This module never charges a
ledger; the caller charges ρ = ε²/2 first.

The noise is *discrete* Laplace, exact (:func:`method.api.noise.discrete_laplace`), on the lattice
ℤ/K, K = 2^16: each deviation is rounded to the lattice, which moves a changed deviation by at most
one more unit, so the rounded vector has L1 sensitivity at most L·(2K + 1) units, and the noise
scale is L·(2K + 1)/ε units — pure ε-DP exactly, as for the continuous mechanism (2L/ε·(1 +
1/(2K))).
"""

from __future__ import annotations

import math

import numpy as np

from method.api.errors import InvalidParameterError
from method.api.noise import discrete_laplace

LATTICE = 2**16  # noise resolution: 1/K of a record


def dyadic_levels(cells: int) -> int:
    """Number of dyadic levels with intervals of two or more cells over ``cells`` cells.

    >>> dyadic_levels(1), dyadic_levels(2), dyadic_levels(5), dyadic_levels(8)
    (0, 1, 3, 3)
    """
    return max(math.ceil(math.log2(cells)), 0) if cells > 1 else 0


def l1_deviation(x: np.ndarray) -> float:
    """L1 distance of ``x`` from its mean, DAWA's ``dev``.

    >>> l1_deviation(np.array([1.0, 3.0])), l1_deviation(np.array([2.0, 2.0, 2.0]))
    (2.0, 0.0)
    """
    return float(np.abs(x - x.mean()).sum()) if x.size else 0.0


def noisy_deviations(
    counts: np.ndarray, epsilon: float, rng: np.random.Generator
) -> dict[tuple[int, int], float]:
    """``dev`` of every aligned dyadic interval of two or more cells, plus discrete ``Lap(2L/ε)``
    noise on the lattice ℤ/K (module docstring)."""
    levels = dyadic_levels(len(counts))
    intervals = [
        (start, min(start + 2**level, len(counts)))
        for level in range(1, levels + 1)
        for start in range(0, len(counts), 2**level)
        if min(start + 2**level, len(counts)) - start >= 2
    ]
    if not intervals:
        return {}
    scale = levels * (2 * LATTICE + 1) / epsilon
    noise = discrete_laplace(scale, len(intervals), rng)
    units = [round(l1_deviation(counts[a:b]) * LATTICE) for a, b in intervals]
    return {iv: (u + int(z)) / LATTICE for iv, u, z in zip(intervals, units, noise, strict=True)}


def dawa_partition(
    counts: np.ndarray,
    epsilon: float,
    rng: np.random.Generator,
    *,
    bucket_cost: float | None = None,
) -> np.ndarray:
    """Least noisy-cost partition of a fine histogram into dyadic buckets (DAWA §3).

    Args:
        counts: record count of each fine cell, in order.
        epsilon: the pure-DP budget of the partition.
        rng: the noise generator of this mechanism call (discrete Laplace, integer draws only).
        bucket_cost: cost added per bucket. DAWA prices a bucket at the Laplace noise its count gets in
            the second stage (``1/ε₂``). Here there is no second stage: a bucket's later price is a larger
            marginal domain for the synthesizer, and a price below the noise on the costs would let that
            noise alone split flat runs. The default is therefore the noise scale ``2L/ε`` itself.

    Returns:
        Increasing cell indices ``0 = b_0 < … < b_m = len(counts)`` bounding the buckets.

    >>> rng = np.random.default_rng(0)
    >>> dawa_partition(np.array([100, 100, 100, 100, 0, 0, 900, 10]), 5.0, rng).tolist()
    [0, 4, 6, 7, 8]
    """
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise InvalidParameterError(f"DAWA needs a finite epsilon > 0, got {epsilon!r}")
    counts = np.asarray(counts, dtype=float)
    penalty = 2.0 * dyadic_levels(len(counts)) / epsilon if bucket_cost is None else float(bucket_cost)
    costs = noisy_deviations(counts, epsilon, rng)
    cells = len(counts)
    best = np.full(cells + 1, np.inf)
    best[0] = 0.0
    previous = np.zeros(cells + 1, dtype=np.int64)
    ending_at: dict[int, list[tuple[int, float]]] = {}
    for (start, stop), cost in costs.items():
        ending_at.setdefault(stop, []).append((start, cost))
    for stop in range(1, cells + 1):
        for start, cost in [(stop - 1, 0.0), *ending_at.get(stop, [])]:
            total = best[start] + cost + penalty
            if total < best[stop]:
                best[stop], previous[stop] = total, start
    cuts = [cells]
    while cuts[-1] > 0:
        cuts.append(int(previous[cuts[-1]]))
    return np.array(cuts[::-1], dtype=np.int64)
