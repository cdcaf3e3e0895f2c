"""AIM and MST on integer codes: the ledger spends exactly ρ (replayed), seeds reproduce, edge cases work."""

from __future__ import annotations

import math

import numpy as np
import pytest

from method.api.base import RunConfig
from method.api.metadata import Domain
from method.api.privacy import (
    DISCRETE_GAUSSIAN,
    EXPONENTIAL_EXACT,
    BudgetLedger,
    exponential_rho,
    gaussian_rho,
)
from method.synthesis.AIM import AIMSynthesizer
from method.synthesis.mst import MSTSynthesizer

SIZES = (3, 4, 2, 5, 3)


def correlated_table(rows: int, sizes=SIZES, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    first = rng.integers(0, sizes[0], rows)
    columns = [first]
    for k in sizes[1:]:
        noise = rng.integers(0, k, rows)
        columns.append(np.where(rng.random(rows) < 0.6, columns[-1] % k, noise))
    return np.stack(columns, axis=1)


def fit(mechanism, data, sizes=SIZES, rho: float = 0.5, seed: int = 0):
    domain = Domain(tuple(f"c{i}" for i in range(len(sizes))), sizes)
    ledger = BudgetLedger(rho)
    model = mechanism.fit_discrete(data, domain, ledger, RunConfig(seed=seed))
    return model, ledger


def replay(ledger: BudgetLedger) -> None:
    """Every entry's ρ is what its σ or ε costs, and the total never passes the budget."""
    running = 0.0
    for entry in ledger.entries:
        if entry.mechanism == DISCRETE_GAUSSIAN:
            assert entry.rho == pytest.approx(gaussian_rho(entry.sigma), rel=1e-12)
        else:
            assert entry.mechanism == EXPONENTIAL_EXACT
            assert entry.rho == pytest.approx(exponential_rho(entry.epsilon), rel=1e-12)
        running += entry.rho
        assert running <= ledger.total_rho * (1 + 1e-9)
    assert math.fsum(e.rho for e in ledger.entries) == pytest.approx(ledger.total_rho, rel=1e-9)


MECHANISMS = {
    "aim": AIMSynthesizer(degree=2, max_iters=100, round_iters=20),
    "mst": MSTSynthesizer(iters=200),
}


@pytest.fixture(params=sorted(MECHANISMS))
def mechanism(request):
    return MECHANISMS[request.param]


def test_spends_exactly_rho_and_the_ledger_replays(mechanism) -> None:
    _, ledger = fit(mechanism, correlated_table(2000))
    replay(ledger)


def test_same_seed_same_output(mechanism) -> None:
    data = correlated_table(1000)
    first, _ = fit(mechanism, data, seed=3)
    again, _ = fit(mechanism, data, seed=3)
    np.testing.assert_array_equal(
        first.sample(500, np.random.default_rng(1)), again.sample(500, np.random.default_rng(1))
    )


def test_samples_codes_in_the_domain(mechanism) -> None:
    model, _ = fit(mechanism, correlated_table(2000))
    synth = model.sample(model.default_rows, np.random.default_rng(0))
    assert abs(model.default_rows - 2000) < 200
    assert synth.shape == (model.default_rows, len(SIZES))
    assert np.all((synth >= 0) & (synth < np.array(SIZES)))


def test_learns_the_correlation(mechanism) -> None:
    data = correlated_table(5000)
    model, _ = fit(mechanism, data, rho=5.0)
    synth = model.sample(5000, np.random.default_rng(0))
    same_real = np.mean(data[:, 1] % 2 == data[:, 2])
    same_synth = np.mean(synth[:, 1] % 2 == synth[:, 2])
    assert abs(same_real - same_synth) < 0.05


@pytest.mark.parametrize("rows", [1, 5])
def test_tiny_tables(mechanism, rows: int) -> None:
    model, ledger = fit(mechanism, correlated_table(rows), rho=0.01)
    assert model.sample(7, np.random.default_rng(0)).shape == (7, len(SIZES))
    replay(ledger)


def test_one_column_table(mechanism) -> None:
    data = np.random.default_rng(0).integers(0, 4, (300, 1))
    model, ledger = fit(mechanism, data, sizes=(4,), rho=1.0)
    synth = model.sample(300, np.random.default_rng(0))
    assert synth.shape == (300, 1)
    assert np.abs(np.bincount(synth[:, 0], minlength=4) - np.bincount(data[:, 0], minlength=4)).max() < 20
    replay(ledger)


def test_registered() -> None:
    from method.api.base import registry

    assert registry.get("mst") is MSTSynthesizer
    assert registry.get("aim") is AIMSynthesizer
