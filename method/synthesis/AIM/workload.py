"""AIM's workload and candidates (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022, §4; ALGORITHMS.md §3.1).

The workload W is every ``degree``-way marginal with at most ``max_cells`` cells (optionally a random
subset of ``num_marginals`` of them), each with weight c_s = 1. The candidates are its downward closure
W⁺ (every non-empty subset of a workload marginal), weighted by w_r = Σ_{s∈W} c_s·|r ∩ s|. The workload
is built from public information only (the domain), so it costs no budget.

Wide tables: all 3-ways of d attributes are O(d³) (1.3 million at d = 200), and W⁺, its answers and every
round's scores grow with them. Without ``num_marginals`` the workload is therefore capped at
:data:`WORKLOAD_CAP` marginals drawn uniformly at random (the AIM paper's "skewed" workload is likewise 256
random 3-ways); when the k-subsets are too many to list, they are drawn by rejection (uniform k-subsets,
kept if within ``max_cells`` and new), so neither time nor memory is O(d³).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from method.api.errors import InvalidParameterError
from method.pgm.factor import Clique

WORKLOAD_CAP = 1000  # workload marginals kept when num_marginals is not given (Adult's 455 3-ways all fit)
_ENUMERATE_LIMIT = 200_000  # list the k-subsets below this many; draw them by rejection above


def build_workload(
    sizes: Sequence[int],
    *,
    degree: int,
    max_cells: int,
    num_marginals: int | None,
    rng: np.random.Generator,
) -> list[Clique]:
    """All ``min(degree, d)``-way cliques with ≤ ``max_cells`` cells, or a uniformly random ``num_marginals``
    (default: at most :data:`WORKLOAD_CAP`) of them.

    >>> build_workload((2, 3, 50), degree=2, max_cells=100, num_marginals=None, rng=None)
    [(0, 1), (0, 2)]
    """
    if degree < 1:
        raise InvalidParameterError(f"degree must be >= 1, got {degree!r}")
    d = len(sizes)
    k = min(degree, d)
    limit = WORKLOAD_CAP if num_marginals is None else num_marginals
    if math.comb(d, k) > _ENUMERATE_LIMIT:
        return _drawn_workload(sizes, k, max_cells, limit, rng)
    workload = [c for c in itertools.combinations(range(d), k) if math.prod(sizes[a] for a in c) <= max_cells]
    if limit < len(workload):
        # a uniform subset, by integer draws only
        chosen = rng.permutation(len(workload))[:limit]
        workload = [workload[i] for i in sorted(chosen)]
    return workload


def _drawn_workload(
    sizes: Sequence[int], k: int, max_cells: int, limit: int, rng: np.random.Generator
) -> list[Clique]:
    """Up to ``limit`` distinct k-subsets within ``max_cells``, uniform among those, by rejection."""
    found: set[Clique] = set()
    for _ in range(50 * limit):
        if len(found) >= limit:
            break
        clique = tuple(sorted(int(a) for a in rng.choice(len(sizes), size=k, replace=False)))
        if math.prod(sizes[a] for a in clique) <= max_cells:
            found.add(clique)
    return sorted(found)


def workload_note(workload: Sequence[Clique], sizes: Sequence[int], degree: int, num_marginals: int | None) -> str:
    """What the workload is, for the progress and the report (says so when it was capped or sampled)."""
    d = len(sizes)
    k = min(degree, d)
    if num_marginals is None and len(workload) >= WORKLOAD_CAP:
        return (f"workload: {len(workload)} random {k}-way marginals (capped at {WORKLOAD_CAP} of "
                f"C({d},{k}) = {math.comb(d, k):,})")
    if num_marginals is not None:
        return f"workload: {len(workload)} random {k}-way marginals (num_marginals = {num_marginals})"
    return f"workload: all {len(workload)} {k}-way marginals within max_cells"


def candidate_weights(workload: Sequence[Clique], attributes: int) -> dict[Clique, float]:
    """W⁺ with weights w_r = Σ_s |r ∩ s|; every 1-way is a candidate (weight 0 if no marginal holds it).

    >>> candidate_weights([(0, 1), (1, 2)], 3)
    {(0,): 1.0, (1,): 2.0, (2,): 1.0, (0, 1): 3.0, (1, 2): 3.0}
    """
    closure = {(a,) for a in range(attributes)}
    for clique in workload:
        for k in range(2, len(clique) + 1):
            closure.update(itertools.combinations(clique, k))
    ordered = sorted(closure, key=lambda r: (len(r), r))
    holding = [0] * attributes  # Σ_s |r ∩ s| = Σ_{a ∈ r} #{s ∋ a}: O(|W⁺|) instead of O(|W⁺|·|W|)
    for clique in workload:
        for a in clique:
            holding[a] += 1
    return {r: float(sum(holding[a] for a in r)) for r in ordered}
