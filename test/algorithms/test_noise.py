"""The exact samplers against their distributions (fixed seeds of the harness, enough draws for
tight checks), and the two streams of a run: noise never comes from the generator that samples
records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import method.synthesis  # noqa: F401  (registers the methods)
from method.api import ColumnSpec, NoiseSource, PrivacySpec, RunConfig, TableMetadata, registry
from method.api.errors import InvalidParameterError
from method.api.noise import (
    bernoulli_exp,
    discrete_gaussian,
    discrete_gaussian_pq,
    discrete_laplace,
    exponential_select,
)
from method.api.privacy import (
    DISCRETE_GAUSSIAN,
    DISCRETE_GAUSSIAN_LATTICE,
    EXPONENTIAL_EXACT,
    BudgetLedger,
)

DRAWS = 200_000


def _discrete_gaussian_pmf(sigma: float, support: np.ndarray) -> np.ndarray:
    weights = np.exp(-(support.astype(float) ** 2) / (2 * sigma**2))
    return weights / weights.sum()


def _chi_square_p(draws: np.ndarray, support: np.ndarray, pmf: np.ndarray) -> float:
    """Goodness of fit on the cells with an expected count ≥ 5 (the rest pooled into one cell)."""
    observed = np.array([(draws == x).sum() for x in support], dtype=float)
    expected = pmf * draws.size
    big = expected >= 5
    observed = np.append(observed[big], draws.size - observed[big].sum())
    expected = np.append(expected[big], draws.size - expected[big].sum())
    keep = expected > 0
    return float(stats.chisquare(observed[keep], expected[keep]).pvalue)


@pytest.mark.parametrize("sigma", [0.7, 3.0, 37.5])
def test_discrete_gaussian_matches_its_pmf_mean_variance_and_tail(sigma: float) -> None:
    draws = discrete_gaussian(sigma, DRAWS, np.random.default_rng(17))
    support = np.arange(-math.ceil(12 * sigma) - 2, math.ceil(12 * sigma) + 3)
    pmf = _discrete_gaussian_pmf(sigma, support)
    variance = float((pmf * support**2).sum())
    assert abs(draws.mean()) < 5 * math.sqrt(variance / DRAWS)
    assert draws.var() == pytest.approx(variance, rel=5 * math.sqrt(2 / DRAWS))
    tail = float(pmf[np.abs(support) >= 2 * sigma].sum())
    observed_tail = float((np.abs(draws) >= 2 * sigma).mean())
    assert abs(observed_tail - tail) < 5 * math.sqrt(tail * (1 - tail) / DRAWS)
    assert _chi_square_p(draws, support, pmf) > 1e-4


def test_discrete_gaussian_overflow_path_is_the_same_distribution() -> None:
    """σ beyond the int64 fast path goes through exact Python ints: still mean 0, variance σ²."""
    sigma = 30_000.0
    draws = discrete_gaussian(sigma, 4_000, np.random.default_rng(5))
    assert abs(draws.mean()) < 5 * sigma / math.sqrt(draws.size)
    assert draws.var() == pytest.approx(sigma**2, rel=5 * math.sqrt(2 / draws.size))


def test_discrete_gaussian_variance_is_rounded_up_only() -> None:
    """σ² = p/q exactly when representable: the sampler with (p, q) = (9, 1) is N_Z(0, 9)."""
    draws = discrete_gaussian_pq(9, 1, DRAWS, np.random.default_rng(2))
    support = np.arange(-40, 41)
    assert _chi_square_p(draws, support, _discrete_gaussian_pmf(3.0, support)) > 1e-4


@pytest.mark.parametrize("scale", [0.6, 2.5, 40.0])
def test_discrete_laplace_matches_its_pmf_and_variance(scale: float) -> None:
    draws = discrete_laplace(scale, DRAWS, np.random.default_rng(23))
    r = math.exp(-1 / scale)
    support = np.arange(-math.ceil(30 * scale) - 2, math.ceil(30 * scale) + 3)
    pmf = (1 - r) / (1 + r) * r ** np.abs(support)
    variance = 2 * r / (1 - r) ** 2
    assert abs(draws.mean()) < 5 * math.sqrt(variance / DRAWS)
    assert draws.var() == pytest.approx(variance, rel=0.03)
    assert _chi_square_p(draws, support, pmf) > 1e-4


def test_bernoulli_exp_hits_its_probability_including_gamma_above_one() -> None:
    num = np.repeat(np.array([0, 1, 3, 10, 25], dtype=np.int64), 40_000)
    hits = bernoulli_exp(num, 10, np.random.default_rng(9)).reshape(5, -1).mean(axis=1)
    expected = np.exp(-np.array([0, 0.1, 0.3, 1.0, 2.5]))
    assert np.all(np.abs(hits - expected) < 5 * np.sqrt(expected * (1 - expected) / 40_000) + 1e-12)


def test_selection_probabilities_pass_a_chi_square_test() -> None:
    """The exact exponential mechanism on a small score vector: P(r) ∝ exp(ε'·q_r/(2Δ)) with the
    rate rounded down to the lattice (ε' = ε·1024/1025 at most 2^-40 lower)."""
    scores, epsilon, draws = np.array([0.0, 0.5, 1.0, 2.0, 3.0]), 2.0, 12_000
    rng = np.random.default_rng(31)
    counts = np.bincount(
        [exponential_select(scores, epsilon, 1.0, rng) for _ in range(draws)], minlength=5
    )
    rate = math.floor(epsilon / (2 * 1025) * 2**40) / 2**40 * 1024
    expected = np.exp(rate * scores)
    expected = expected / expected.sum() * draws
    assert stats.chisquare(counts, expected).pvalue > 1e-4


def test_the_ledger_refuses_a_plain_generator_as_noise() -> None:
    with pytest.raises(InvalidParameterError, match="mechanism noise must come from a NoiseSource"):
        plain = np.random.default_rng(0)
        ledger = BudgetLedger(1.0)
        ledger.gaussian("x", np.zeros(2), 0.1, plain, measured="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="discrete Gaussian needs integer counts"):
        BudgetLedger(1.0).gaussian(
            "x", np.array([0.5]), 0.1, NoiseSource.from_seed(0), measured="x"
        )


def test_ledger_entries_name_their_mechanism() -> None:
    ledger, noise = BudgetLedger(1.0), NoiseSource.from_seed(0)
    ledger.gaussian("a", np.zeros(3), 0.1, noise, measured="counts")
    ledger.gaussian_real("b", np.array([0.25, 1.5]), 0.1, noise, measured="scores", sensitivity=4.0)
    ledger.exponential("c", np.array([0.0, 1.0]), 0.5, noise, measured="pick")
    assert [e.mechanism for e in ledger.entries] == [
        DISCRETE_GAUSSIAN,
        DISCRETE_GAUSSIAN_LATTICE,
        EXPONENTIAL_EXACT,
    ]
    assert ledger.entries[1].sigma == pytest.approx(
        4.0 / math.sqrt(0.2), rel=0.005
    )  # ≤ 0.4 % lattice cost
    assert noise.calls == 3  # one fresh generator per mechanism call


def test_noise_and_sampling_generators_are_distinct_with_independent_seeds() -> None:
    seeded = RunConfig(seed=11)
    noise_seq = seeded.noise.seed_sequence
    assert noise_seq is not None and seeded.noise.seeded
    sampling_seq = seeded.sampling_rng.bit_generator.seed_seq
    assert (
        noise_seq.spawn_key != sampling_seq.spawn_key
    )  # two different children of SeedSequence(11)
    generator = seeded.noise.generator()
    assert generator is not seeded.sampling_rng
    assert generator.bit_generator.state != seeded.sampling_rng.bit_generator.state
    # the published stream's outputs are not the noise stream's: the first draws differ
    assert not np.array_equal(
        generator.integers(0, 2**62, 8), seeded.sampling_rng.integers(0, 2**62, 8)
    )
    unseeded = RunConfig()
    assert unseeded.noise.seed_sequence is None and not unseeded.noise.seeded
    a, b = (
        unseeded.noise.generator(),
        unseeded.noise.generator(),
    )  # fresh OS entropy per mechanism call
    assert a.bit_generator.seed_seq.entropy != b.bit_generator.seed_seq.entropy
    assert a.bit_generator.seed_seq.entropy != unseeded.sampling_rng.bit_generator.seed_seq.entropy


def test_a_fitted_model_samples_with_the_sampling_stream_only() -> None:
    table = pd.DataFrame({"a": [0, 1] * 50, "b": [1, 1, 0, 0] * 25})
    metadata = TableMetadata(
        tuple(
            ColumnSpec(c, "categorical", dtype="int64", categories=(0, 1), nullable=False)
            for c in table
        )
    )
    config = RunConfig(seed=3)
    fitted = registry.create("mst", iters=20).fit(table, metadata, PrivacySpec(1.0, 1e-6), config)
    assert fitted.rng is config.sampling_rng  # type: ignore[attr-defined]
    calls = config.noise.calls
    fitted.sample(50)
    assert config.noise.calls == calls  # sampling draws no noise
