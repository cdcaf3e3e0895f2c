"""MST: maximum-spanning-tree synthesis (McKenna, Miklau, Sheldon, JPC 2021; ALGORITHMS.md §4).

The budget ρ is split in thirds:

1. measure every 1-way marginal (ρ/3 over d of them) and compress each domain (values with noisy count
   below 3σ share one bucket);
2. pick d − 1 edges of a maximum spanning tree, each by the exponential mechanism (ρ/3 over d − 1 picks;
   sensitivity 1) with the score ‖M_ab(D) − M_ab(p̂)‖₁ against the 1-way model p̂, among the pairs that
   join two components;
3. measure the chosen 2-way marginals (ρ/3 over d − 1 of them);

then fit a Private-PGM model to every measurement and sample from it, undoing the compression. With one
attribute there is nothing to select: the whole budget measures its 1-way marginal.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from method.api.base import RunConfig
from method.api.metadata import Domain
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger, exponential_epsilon, gaussian_sigma
from method.pgm.compression import CompressedModel, compress_data, measure_one_ways
from method.pgm.estimation import Measurement, mirror_descent
from method.pgm.marginals import marginal_counts

_ONE_WAY_MODEL_ITERS = 200


def run_mst(
    data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig, *, iters: int
) -> CompressedModel:
    """Fit MST on ``data`` (n × d codes of ``domain``) with everything left in ``ledger``.

    Args:
        data: the private table as integer codes.
        domain: attribute names and sizes.
        ledger: the job's ledger; MST spends all of ``ledger.remaining``.
        config: randomness and progress.
        iters: mirror-descent iterations of the final estimate.

    Returns:
        The fitted :class:`CompressedModel`.
    """
    d, rho = len(domain), ledger.remaining
    noise = config.noise
    config.report("mst:one-way", 0.0, f"measuring {d} 1-way marginals")
    share = rho if d == 1 else rho / 3
    compressions, measurements = measure_one_ways(
        data, domain, ledger, "mst:one-way", share / d, noise
    )
    sizes = tuple(c.size for c in compressions)
    codes = compress_data(data, domain.sizes, compressions)
    if d > 1:
        config.report("mst:select", 0.1, "selecting the spanning tree")
        edges = _select_tree(codes, sizes, measurements, domain, ledger, rho / 3, noise)
        config.report("mst:measure", 0.3, f"measuring {len(edges)} 2-way marginals")
        pair_rho = rho / 3 / len(edges)
        for a, b in edges:
            noisy = ledger.gaussian(
                "mst:measure", marginal_counts(codes, sizes, (a, b)), pair_rho, noise,
                measured=f"{domain.names[a]}×{domain.names[b]}",
            )  # fmt: skip
            measurements.append(Measurement((a, b), noisy, gaussian_sigma(pair_rho)))
    config.report("mst:estimate", 0.4, f"estimating the model ({iters} iterations)")
    model = mirror_descent(
        sizes, measurements, iters=iters, should_stop=config.out_of_time,
        on_iteration=lambda i: i % 50 or config.report(
            "mst:estimate", 0.4 + 0.6 * i / max(iters, 1), f"estimating the model: iteration {i} of up to {iters}"),
    )  # fmt: skip
    config.report("mst:done", 1.0, f"model total {model.total:.0f}")
    return CompressedModel(model, tuple(compressions))


def _select_tree(
    codes: np.ndarray,
    sizes: Sequence[int],
    one_ways: Sequence[Measurement],
    domain: Domain,
    ledger: BudgetLedger,
    rho: float,
    noise: NoiseSource,
) -> list[tuple[int, int]]:
    """Kruskal's algorithm with each edge drawn by the exponential mechanism (MST paper, Algorithm 1)."""
    d = len(sizes)
    independent = mirror_descent(sizes, one_ways, iters=_ONE_WAY_MODEL_ITERS)
    # The 1-way model is a product of its 1-ways: its pair marginal is an outer product (no elimination).
    singles = [independent.marginal((a,)) / independent.total for a in range(d)]
    pairs = list(itertools.combinations(range(d), 2))
    scores = {
        (a, b): float(np.abs(
            marginal_counts(codes, sizes, (a, b)) - independent.total * np.outer(singles[a], singles[b])
        ).sum())
        for a, b in pairs
    }
    epsilon = exponential_epsilon(rho / (d - 1))
    component = list(range(d))
    edges: list[tuple[int, int]] = []
    for _ in range(d - 1):
        candidates = [p for p in pairs if component[p[0]] != component[p[1]]]
        index = ledger.exponential(
            "mst:select", np.array([scores[p] for p in candidates]), epsilon, noise,
            measured=f"edge {len(edges) + 1} of {d - 1}",
        )  # fmt: skip
        a, b = candidates[index]
        edges.append((a, b))
        old, new = component[b], component[a]
        component = [new if c == old else c for c in component]
    return edges
