"""Wide tables: no limit on the number of attributes (einsum letters once capped it at 52), JT_SIZE by
components equals the whole-graph definition, and AIM, MST and PrivSyn run on 200 columns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from method.api.base import RunConfig
from method.api.metadata import Domain
from method.api.privacy import BudgetLedger
from method.pgm.junction_tree import CandidateSizer, elimination_order, jt_size_mb, maximal_cliques
from method.synthesis.AIM import AIMSynthesizer
from method.synthesis.mst import MSTSynthesizer
from method.synthesis.privsyn.privsyn import PrivSynSynthesizer

from .conftest import calibrate


def test_a_marginal_across_a_60_attribute_chain_is_exact() -> None:
    d = 60
    rng = np.random.default_rng(0)
    sizes = (2,) * d
    potentials = {(a, a + 1): rng.normal(0, 1, (2, 2)) for a in range(d - 1)}
    tree, marginals = calibrate(sizes, potentials, 100.0)
    from method.pgm.inference import clique_marginal

    def pair(a: int) -> np.ndarray:
        return clique_marginal(tree, marginals, (a, a + 1))

    joint = pair(0) / 100.0  # p(x0, x1), then chain the conditionals p(x_{a+1} | x_a)
    for a in range(1, d - 1):
        conditional = pair(a) / pair(a).sum(axis=1, keepdims=True)
        joint = joint @ conditional
    got = clique_marginal(tree, marginals, (0, d - 1))
    assert got.shape == (2, 2)
    np.testing.assert_allclose(got, 100.0 * joint, rtol=1e-9)
    three = clique_marginal(tree, marginals, (0, 30, 59))
    np.testing.assert_allclose(three.sum(axis=1), got, rtol=1e-9)


def test_jt_size_by_components_equals_the_whole_graph_definition() -> None:
    rng = np.random.default_rng(1)
    for _ in range(30):
        d = int(rng.integers(3, 25))
        sizes = tuple(int(s) for s in rng.integers(2, 9, d))
        cliques = [tuple(sorted(rng.choice(d, size=int(rng.integers(1, 4)), replace=False).tolist()))
                   for _ in range(int(rng.integers(1, 12)))]
        whole = sum(math.prod(sizes[a] for a in c) for c in maximal_cliques(elimination_order(sizes, cliques)))
        assert jt_size_mb(sizes, cliques) == pytest.approx(8 * whole / 2**20, rel=1e-15)
        extra = tuple(sorted(rng.choice(d, size=2, replace=False).tolist()))
        assert CandidateSizer(sizes, cliques).size_mb(extra) == pytest.approx(
            jt_size_mb(sizes, [*cliques, extra]), rel=1e-15)


def _wide_table(rows: int, d: int, seed: int = 0) -> tuple[np.ndarray, Domain]:
    rng = np.random.default_rng(seed)
    sizes = tuple(int(s) for s in rng.integers(2, 6, d))
    columns = [rng.integers(0, sizes[0], rows)]
    for k in sizes[1:]:
        columns.append(np.where(rng.random(rows) < 0.6, columns[-1] % k, rng.integers(0, k, rows)))
    return np.stack(columns, axis=1), Domain(tuple(f"c{i}" for i in range(d)), sizes)


@pytest.mark.parametrize("synth", [
    MSTSynthesizer(iters=30),
    AIMSynthesizer(rounds=3, round_iters=10, max_iters=20),
    PrivSynSynthesizer(consist_iterations=5, update_iterations=2),
], ids=["mst", "aim", "privsyn"])
@pytest.mark.parametrize("d", [60, 200])
def test_every_method_runs_on_wide_tables(synth, d: int) -> None:
    data, domain = _wide_table(300, d)
    ledger = BudgetLedger(0.5)
    model = synth.fit_discrete(data, domain, ledger, RunConfig(seed=0))
    assert ledger.spent == pytest.approx(0.5, rel=1e-12)
    rows = model.sample(100, np.random.default_rng(0))
    assert rows.shape == (100, d) and (rows < np.array(domain.sizes)).all()
