"""Accounting: CKS conversion, mechanism costs, PrivacySpec validation and the budget ledger."""

from __future__ import annotations

import math

import numpy as np
import pytest

from method.api import BudgetExceededError, BudgetLedger, InvalidPrivacySpecError, PrivacySpec
from method.api.noise import NoiseSource
from method.api.privacy import (
    cdp_delta,
    cdp_rho,
    exponential_epsilon,
    exponential_mechanism,
    exponential_rho,
    gaussian_rho,
    gaussian_sigma,
)

# ALGORITHMS.md §1: ρ (CKS) for the listed (ε, δ).
RHO_TABLE = [
    (0.1, 1e-9, 1.7714e-4),
    (1.0, 1e-9, 1.4973e-2),
    (10.0, 1e-9, 1.0908),
    (1.0, 1 / 48842**2, 1.4270e-2),
]


@pytest.mark.parametrize(("epsilon", "delta", "rho"), RHO_TABLE)
def test_cks_rho_matches_the_table_to_four_significant_digits(epsilon: float, delta: float, rho: float) -> None:
    assert f"{cdp_rho(epsilon, delta):.4e}" == f"{rho:.4e}"


@pytest.mark.parametrize(("epsilon", "delta", "_"), RHO_TABLE)
def test_the_converted_rho_satisfies_delta(epsilon: float, delta: float, _: float) -> None:
    rho = cdp_rho(epsilon, delta)
    assert cdp_delta(rho, epsilon) <= delta
    assert cdp_delta(rho * 1.001, epsilon) > delta  # and is (nearly) the largest that does


def test_conversion_is_finite_for_large_epsilon() -> None:
    assert 500 < cdp_rho(1000.0, 1e-9) < 1000
    assert cdp_delta(1e-3, 1e6) == 0.0 and cdp_delta(1e6, 0.1) == 1.0


def test_gaussian_and_exponential_costs_invert() -> None:
    assert gaussian_rho(gaussian_sigma(0.37, 2.0), 2.0) == pytest.approx(0.37)
    assert exponential_rho(exponential_epsilon(0.2)) == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("epsilon", "delta", "message"),
    [
        (0.0, 1e-9, "epsilon must be a finite number > 0, got 0.0"),
        (-1.0, 1e-9, "epsilon must be a finite number > 0, got -1.0"),
        (math.inf, 1e-9, "epsilon must be a finite number > 0, got inf"),
        (math.nan, 1e-9, "epsilon must be a finite number > 0, got nan"),
        (1.0, 0.0, "delta must be in the open interval (0, 1), got 0.0"),
        (1.0, 1.0, "delta must be in the open interval (0, 1), got 1.0"),
        (1.0, math.nan, "delta must be in the open interval (0, 1), got nan"),
        ("1", 1e-9, "epsilon must be a number, got '1'"),
        (True, 1e-9, "epsilon must be a number, got True"),
        (1e9, 1e-9, "epsilon must be at most 1000, got 1000000000.0: beyond that the guarantee is meaningless"),
    ],
)
def test_privacy_spec_rejects_bad_values(epsilon: object, delta: object, message: str) -> None:
    with pytest.raises(InvalidPrivacySpecError) as error:
        PrivacySpec(epsilon=epsilon, delta=delta)  # type: ignore[arg-type]
    assert str(error.value).startswith(message)


def test_ledger_refuses_an_overspend_before_drawing_noise() -> None:
    ledger = BudgetLedger(1.0)
    noise = NoiseSource.from_seed(0)
    ledger.gaussian("a", np.zeros(3), 0.75, noise, measured="x")
    with pytest.raises(BudgetExceededError, match=r"stage 'b' asks for rho=0.5 but only 0.25 of 1 is left"):
        ledger.gaussian("b", np.zeros(3), 0.5, noise, measured="y")
    assert noise.calls == 1  # no generator was made for the refused release: no noise was drawn
    assert ledger.spent == pytest.approx(0.75) and len(ledger.entries) == 1


def test_ledger_allows_spending_exactly_the_total_in_parts() -> None:
    ledger = BudgetLedger(0.3)
    for _ in range(10):
        ledger.charge("part", 0.03, mechanism="gaussian", measured="m")
    assert ledger.remaining == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(BudgetExceededError):
        ledger.charge("more", 1e-6, mechanism="gaussian", measured="m")


def test_gaussian_noise_has_the_recorded_sigma() -> None:
    """Statistical: 200,000 noisy zeros have the std the ledger recorded (within 1 %, ~4.5 standard errors)."""
    ledger = BudgetLedger(1.0)
    noise = NoiseSource.from_seed(7)
    noisy = ledger.gaussian("m", np.zeros(200_000), 0.02, noise, measured="cells", sensitivity=2.0)
    sigma = ledger.entries[0].sigma
    assert sigma == pytest.approx(2.0 / math.sqrt(0.04))
    assert np.std(noisy) == pytest.approx(sigma, rel=0.01)
    assert abs(np.mean(noisy)) < 5 * sigma / math.sqrt(noisy.size)


def test_exponential_mechanism_follows_its_distribution() -> None:
    """Statistical: frequencies match softmax(ε q / 2Δ) within 5 standard errors."""
    scores = np.array([0.0, 1.0, 3.0])
    rng = np.random.default_rng(3)
    draws = np.bincount([exponential_mechanism(scores, 2.0, 1.0, rng) for _ in range(20_000)], minlength=3)
    expected = np.exp(scores) / np.exp(scores).sum()
    standard_error = np.sqrt(expected * (1 - expected) / 20_000)
    assert np.all(np.abs(draws / 20_000 - expected) < 5 * standard_error)
