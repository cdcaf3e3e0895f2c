"""PrivSyn's marginal selection: InDif dependency scores, DenseMarg greedy choice, clique combination.

Zhang et al., "PrivSyn: Differentially Private Data Synthesis", USENIX Security 2021:
§4.1 InDif (sensitivity 4, Lemma 4), Algorithm 1 DenseMarg (with the paper's stopping rule: stop when
adding a marginal no longer lowers the estimated total error), Algorithm 2 (combine selected pairs into
cliques below a cell cap γ). See ALGORITHMS.md §2.3–2.5.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from method.synthesis.privsyn.marginals import marginal_counts

INDIF_SENSITIVITY = 4.0


def all_pairs(d: int) -> list[tuple[int, int]]:
    return list(combinations(range(d), 2))


def indif_scores(data: np.ndarray, sizes: tuple[int, ...], pairs: list[tuple[int, int]]) -> np.ndarray:
    """InDif_ab = Σ_ij |M_ab[i,j] − M_a[i]·M_b[j]/n| for each pair, in counts (range [0, 2n]).

    >>> data = np.array([[0, 0], [1, 1], [0, 0], [1, 1]])
    >>> indif_scores(data, (2, 2), [(0, 1)]).tolist()   # perfectly dependent: n · ‖p_ab − p_a⊗p_b‖₁
    [4.0]
    """
    n = data.shape[0]
    one_way = [np.bincount(data[:, a], minlength=sizes[a]) for a in range(len(sizes))]
    scores = np.empty(len(pairs))
    for i, (a, b) in enumerate(pairs):
        joint = marginal_counts(data, (a, b), (sizes[a], sizes[b]))
        expected = np.outer(one_way[a], one_way[b]) / max(n, 1)
        scores[i] = np.abs(joint - expected).sum()
    return scores


def dense_marg(noisy_indif: np.ndarray, cells: np.ndarray, rho: float) -> list[int]:
    """Algorithm 1 (DenseMarg): greedily pick pairs while the estimated total error decreases.

    The error of a selection S is Noise(S) + Σ_{i∉S} InDif_i, where Noise(S) = (Σ_S c_i^{2/3})^{3/2}/√(πρ)
    is the expected L1 noise when ρ is split optimally (ρ_i ∝ c_i^{2/3}) over the selected marginals.

    >>> dense_marg(np.array([5000.0, 10.0, 3000.0]), np.array([4, 4, 4]), rho=0.01)
    [0, 2]
    """
    phi = np.asarray(noisy_indif, dtype=float)
    weight = np.asarray(cells, dtype=float) ** (2.0 / 3.0)
    scale = 1.0 / math.sqrt(math.pi * rho)
    selected: list[int] = []
    available = np.ones(phi.size, dtype=bool)
    weight_sum, unselected_phi = 0.0, float(phi.sum())
    error = unselected_phi
    while available.any():
        candidate_error = (weight_sum + weight) ** 1.5 * scale + (unselected_phi - phi)
        candidate_error[~available] = np.inf
        best = int(np.argmin(candidate_error))
        if candidate_error[best] >= error:
            break
        selected.append(best)
        available[best] = False
        weight_sum += weight[best]
        unselected_phi -= phi[best]
        error = float(candidate_error[best])
    return selected


def combine_marginals(
    pairs: list[tuple[int, int]], sizes: tuple[int, ...], max_cells: int
) -> list[tuple[int, ...]]:
    """Algorithm 2: merge selected pairs into cliques of ≥ 3 attributes under the cell cap γ.

    Cliques of the pair graph are visited from largest to smallest; a clique is accepted when it shares at
    most two attributes with the cliques accepted before and has fewer than ``max_cells`` cells. Pairs inside
    an accepted clique are dropped. Returns the accepted cliques followed by the remaining pairs.

    >>> combine_marginals([(0, 1), (1, 2), (0, 2), (2, 3)], (2, 2, 2, 2), max_cells=5000)
    [(0, 1, 2), (2, 3)]
    """
    neighbours: dict[int, set[int]] = {a: set() for a in range(len(sizes))}
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    cliques = _cliques_under_cap(neighbours, sizes, max_cells)
    cliques.sort(key=lambda c: (-len(c), -math.prod(sizes[a] for a in c), c))
    covered: set[int] = set()
    accepted: list[tuple[int, ...]] = []
    for clique in cliques:
        if len(covered.intersection(clique)) <= 2:
            accepted.append(clique)
            covered.update(clique)
    remaining = [p for p in pairs if not any(set(p) <= set(c) for c in accepted)]
    return accepted + sorted(tuple(sorted(p)) for p in remaining)


def _cliques_under_cap(
    neighbours: dict[int, set[int]], sizes: tuple[int, ...], max_cells: int
) -> list[tuple[int, ...]]:
    """Every clique of ≥ 3 attributes whose cell count is below ``max_cells`` (DFS in index order).

    Pruning on the cell product keeps this small: a clique over the cap has no sub-clique extension under it.
    """
    found: list[tuple[int, ...]] = []

    def extend(clique: tuple[int, ...], cells: int, candidates: list[int]) -> None:
        if len(clique) >= 3:
            found.append(clique)
        for i, v in enumerate(candidates):
            grown = cells * sizes[v]
            if grown < max_cells:
                extend(clique + (v,), grown, [u for u in candidates[i + 1 :] if u in neighbours[v]])

    for start in sorted(neighbours):
        extend((start,), sizes[start], sorted(u for u in neighbours[start] if u > start))
    return found
