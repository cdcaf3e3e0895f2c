"""AIM's workload and candidates (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022, §4; ALGORITHMS.md §3.1).

The workload W is every ``degree``-way marginal with at most ``max_cells`` cells (optionally a random
subset of ``num_marginals`` of them), each with weight c_s = 1. The candidates are its downward closure
W⁺ (every non-empty subset of a workload marginal), weighted by w_r = Σ_{s∈W} c_s·|r ∩ s|. The workload
is built from public information only (the domain), so it costs no budget.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from method.api.errors import InvalidParameterError
from method.pgm.factor import Clique


def build_workload(
    sizes: Sequence[int],
    *,
    degree: int,
    max_cells: int,
    num_marginals: int | None,
    rng: np.random.Generator,
) -> list[Clique]:
    """All ``min(degree, d)``-way cliques with ≤ ``max_cells`` cells, or a random ``num_marginals`` of them.

    >>> build_workload((2, 3, 50), degree=2, max_cells=100, num_marginals=None, rng=None)
    [(0, 1), (0, 2)]
    """
    if degree < 1:
        raise InvalidParameterError(f"degree must be >= 1, got {degree!r}")
    k = min(degree, len(sizes))
    workload = [
        c for c in itertools.combinations(range(len(sizes)), k) if math.prod(sizes[a] for a in c) <= max_cells
    ]
    if num_marginals is not None and num_marginals < len(workload):
        # a uniform subset, by integer draws only
        chosen = rng.permutation(len(workload))[:num_marginals]
        workload = [workload[i] for i in sorted(chosen)]
    return workload


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
    return {r: float(sum(len(set(r) & set(s)) for s in workload)) for r in ordered}
