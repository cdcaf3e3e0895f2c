"""PrivSyn: selection, consistency, GUM, generation, noise scale, budget and determinism."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest

from method.api import BudgetExceededError, BudgetLedger, Domain, PrivacySpec, RunConfig
from method.api.noise import NoiseSource
from method.preprocess_common.rare import compress_values
from method.synthesis.privsyn import PrivSynSynthesizer
from method.synthesis.privsyn.consistency import make_consistent
from method.synthesis.privsyn.generation import generate, peel_attributes
from method.synthesis.privsyn.gum import GUMSchedule, Target, run_gum
from method.synthesis.privsyn.marginals import Marginal, marginal_counts
from method.synthesis.privsyn.selection import combine_marginals, dense_marg, indif_scores


def _correlated_table(n: int, seed: int = 0) -> tuple[np.ndarray, Domain]:
    """Five attributes: a chain 0 → 1 → 2, an independent 3, and 4 = copy of 0 with noise."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, n)
    b = (a + rng.integers(0, 2, n)) % 5
    c = (b * 2 + rng.integers(0, 2, n)) % 6
    d = rng.integers(0, 3, n)
    e = np.where(rng.random(n) < 0.8, a, rng.integers(0, 4, n))
    return np.column_stack([a, b, c, d, e]), Domain(tuple("abcde"), (4, 5, 6, 3, 4))


def test_indif_matches_its_definition() -> None:
    data, domain = _correlated_table(2000)
    pairs = list(combinations(range(5), 2))
    scores = indif_scores(data, domain.sizes, pairs)
    for (a, b), score in zip(pairs, scores, strict=True):
        joint = marginal_counts(data, (a, b), (domain.sizes[a], domain.sizes[b])).astype(float)
        expected = np.outer(joint.sum(1), joint.sum(0)) / len(data)
        assert score == pytest.approx(np.abs(joint - expected).sum())
    assert scores[pairs.index((0, 4))] > 10 * scores[pairs.index((0, 3))]  # dependent vs independent


def test_dense_marg_stops_when_the_error_stops_falling() -> None:
    cells = np.array([100, 100, 100])
    assert dense_marg(np.array([10.0, 10.0, 10.0]), cells, rho=0.01) == []  # noise exceeds any gain
    assert dense_marg(np.array([1e6, 1e6, 1.0]), cells, rho=1.0) == [0, 1]


def test_combine_respects_the_cell_cap_and_overlap_rule() -> None:
    pairs = [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]
    assert combine_marginals(pairs, (10, 10, 10, 10), max_cells=5000) == [(0, 1, 2), (1, 2, 3)]
    assert combine_marginals(pairs, (10, 10, 60, 10), max_cells=5000) == sorted(pairs)  # 10·10·60 ≥ γ
    # K4 over the cap: (0,1,2) then (0,1,3) (shares two); (0,2,3), (1,2,3) share three and are refused.
    k4 = list(combinations(range(4), 2))
    assert combine_marginals(k4, (10, 10, 10, 10), max_cells=5000) == [(0, 1, 2), (0, 1, 3), (2, 3)]


def test_consistency_makes_shared_marginals_agree() -> None:
    data, domain = _correlated_table(3000)
    rng = np.random.default_rng(1)
    sets = [(0,), (1,), (0, 1), (1, 2), (0, 1, 4), (2, 3)]
    marginals = []
    for attrs, rho in zip(sets, [0.1, 0.2, 0.5, 0.3, 0.4, 0.2], strict=True):
        exact = marginal_counts(data, attrs, domain.shape([domain.names[a] for a in attrs])).astype(float)
        marginals.append(Marginal(attrs, exact + rng.normal(0, 30, exact.shape), rho))
    make_consistent(marginals)
    totals = [m.counts.sum() for m in marginals]
    assert np.allclose(totals, totals[0])
    for m in marginals:
        assert (m.counts >= 0).all()
    for x, y in combinations(marginals, 2):
        shared = tuple(sorted(set(x.attrs) & set(y.attrs)))
        if shared:
            np.testing.assert_allclose(x.project(shared), y.project(shared), atol=1e-6 * totals[0])


def test_gum_reduces_the_l1_error_of_its_marginals() -> None:
    data, domain = _correlated_table(5000)
    targets = []
    for attrs in [(0, 1), (1, 2), (0, 4), (2, 3)]:
        shape = tuple(domain.sizes[a] for a in attrs)
        counts = marginal_counts(data, attrs, shape).ravel()
        targets.append(Target(attrs, shape, counts / counts.sum()))
    rng = np.random.default_rng(0)
    records = np.column_stack([rng.permutation(data[:, a]) for a in range(5)])  # right 1-ways, no dependence
    history = run_gum(records, targets, GUMSchedule(iterations=30), rng)
    assert history[0] > 0.3
    assert history[-1] < history[0] / 5
    assert history[-1] <= min(history[:5])


def test_appended_attributes_follow_their_conditional() -> None:
    counts = np.array([[800.0, 200.0], [100.0, 900.0]])  # P(b | a)
    marginals = [Marginal((0,), counts.sum(1), 1.0), Marginal((1,), counts.sum(0), 1.0), Marginal((0, 1), counts, 1.0)]
    core, peeled = peel_attributes(marginals)
    assert core == [] and [(p.attr, p.anchor) for p in peeled] == [(0, 1)]
    one_ways = [counts.sum(1), counts.sum(0)]
    records, _ = generate(20_000, (2, 2), one_ways, marginals, GUMSchedule(), np.random.default_rng(2))
    joint = marginal_counts(records, (0, 1), (2, 2)) / len(records)
    np.testing.assert_allclose(joint, counts / counts.sum(), atol=0.01)


def test_rare_values_are_merged_and_expanded_back() -> None:
    compression = compress_values(np.array([900.0, 5.0, 700.0, 3.0, -2.0]), threshold=50.0)
    assert compression.size == 3 and compression.compress(np.array([0, 1, 2, 3, 4])).tolist() == [0, 2, 1, 2, 2]
    expanded = compression.expand(np.full(10_000, 2), np.random.default_rng(0))
    assert set(np.unique(expanded)) <= {1, 3, 4}
    assert compression.expand(np.array([0, 1]), np.random.default_rng(0)).tolist() == [0, 2]


def test_measurement_noise_has_the_sigma_the_ledger_recorded(adult_encoded) -> None:
    """Statistical: residuals of one 8,415-cell measurement have the recorded σ (within 4 %, ~5 SE)."""
    data, domain = adult_encoded
    ledger = BudgetLedger(0.01)
    noise = NoiseSource.from_seed(11)
    (measured,) = PrivSynSynthesizer()._measure(data, domain.sizes, [(0, 11)], ledger, noise)
    residuals = measured.counts - marginal_counts(data, (0, 11), (domain.sizes[0], domain.sizes[11]))
    (entry,) = ledger.entries
    assert entry.rho == pytest.approx(0.01) and entry.sigma == pytest.approx(1 / math.sqrt(0.02))
    assert np.std(residuals) == pytest.approx(entry.sigma, rel=0.04)


@pytest.mark.parametrize(
    "knobs",
    [{}, {"one_way_fraction": 0.1, "selection_fraction": 0.05}, {"rare_threshold": 0.0}, {"max_clique_cells": 50},
     {"one_way_fraction": 0.01, "selection_fraction": 0.9}],
)
@pytest.mark.parametrize("epsilon", [0.05, 1.0, 20.0])
def test_privsyn_spends_its_budget_and_never_more(knobs: dict, epsilon: float) -> None:
    data, domain = _correlated_table(1500)
    ledger = BudgetLedger(PrivacySpec(epsilon, 1e-6).rho)
    ledger.charge("preprocess:binning", 0.1 * ledger.total_rho, mechanism="composite", measured="bins")
    model = PrivSynSynthesizer(update_iterations=3, **knobs).fit_discrete(data, domain, ledger, RunConfig(seed=0))
    assert ledger.spent <= ledger.total_rho * (1 + 1e-12)
    assert ledger.spent == pytest.approx(ledger.total_rho, rel=1e-9)
    stages = ledger.spent_by_stage()
    assert stages["privsyn:one-way"] == pytest.approx(knobs.get("one_way_fraction", 0.3) * 0.9 * ledger.total_rho)
    assert model.sample(50, np.random.default_rng(0)).shape == (50, 5)


def test_no_budget_left_is_a_clear_error() -> None:
    data, domain = _correlated_table(100)
    ledger = BudgetLedger(0.5)
    ledger.charge("preprocess:binning", 0.5, mechanism="composite", measured="bins")
    with pytest.raises(BudgetExceededError, match="no privacy budget is left for PrivSyn"):
        PrivSynSynthesizer().fit_discrete(data, domain, ledger, RunConfig(seed=0))


def _fit_and_sample(data: np.ndarray, domain: Domain, seed: int, n: int = 300) -> np.ndarray:
    config = RunConfig(seed=seed)
    model = PrivSynSynthesizer(update_iterations=5).fit_discrete(data, domain, BudgetLedger(1.0), config)
    return model.sample(n, config.sampling_rng)


def test_the_same_seed_gives_the_same_output() -> None:
    data, domain = _correlated_table(2000)
    np.testing.assert_array_equal(_fit_and_sample(data, domain, 5), _fit_and_sample(data, domain, 5))
    assert not np.array_equal(_fit_and_sample(data, domain, 5), _fit_and_sample(data, domain, 6))


@pytest.mark.parametrize(
    ("data", "sizes"),
    [
        (np.array([[0], [1], [1]]), (2,)),  # one column
        (np.zeros((40, 3), dtype=np.int64), (1, 1, 1)),  # constant columns
        (np.array([[0, 1], [1, 0], [2, 2], [0, 0], [1, 1]]), (3, 3)),  # five rows
        (np.column_stack([np.arange(500) % 250, np.arange(500) % 2]), (250, 2)),  # high cardinality
    ],
)
def test_edge_case_tables_give_a_result(data: np.ndarray, sizes: tuple[int, ...]) -> None:
    domain = Domain(tuple(f"c{i}" for i in range(len(sizes))), sizes)
    out = _fit_and_sample(data, domain, 0, n=25)
    assert out.shape == (25, len(sizes))
    assert ((out >= 0) & (out < np.array(sizes))).all()


def test_progress_is_reported_through_fit_and_sampling() -> None:
    data, domain = _correlated_table(500)
    events = []
    config = RunConfig(seed=0, on_progress=events.append)
    model = PrivSynSynthesizer(update_iterations=4).fit_discrete(data, domain, BudgetLedger(1.0), config)
    model.sample(100, config.sampling_rng)
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {e.stage for e in events} >= {"privsyn:one-way", "privsyn:select", "privsyn:measure", "privsyn:gum"}


def test_an_exhausted_time_budget_stops_gum_but_still_samples() -> None:
    data, domain = _correlated_table(500)
    config = RunConfig(seed=0, time_budget_s=1e-9)
    model = PrivSynSynthesizer().fit_discrete(data, domain, BudgetLedger(1.0), config)
    out = model.sample(200, config.sampling_rng)
    assert out.shape == (200, 5)
    assert len(model.gum_history) == 1  # no GUM round ran; only the final error was recorded
