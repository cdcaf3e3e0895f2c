"""A fast version of ``python -m bench.audit``: the empirical ε lower bound never exceeds the
claimed ε, and the harness does detect a leak (a mechanism with too little noise shows ε_lb above
its claim)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.audit import clopper_pearson, epsilon_lower_bound, run_audit


@pytest.mark.parametrize(
    ("name", "trials"), [("gaussian-count", 20_000), ("selection", 1_500), ("mst-pipeline", 12)]
)
def test_empirical_epsilon_stays_below_the_claim(name: str, trials: int) -> None:
    row = run_audit(name, 1.0, trials, seed=0)
    assert 0.0 <= row.epsilon_lb <= row.epsilon


def test_selection_audit_is_tight_at_large_epsilon() -> None:
    """q(D) = (0, 2Δ) vs q(D′) = (Δ, Δ) has true ε = ln((1 + e^4)/2) = 3.33 at ε = 4: the audit sees
    most of it, and no more than the claim."""
    row = run_audit("selection", 4.0, 3_000, seed=1)
    assert 2.5 < row.epsilon_lb <= 4.0


def test_the_harness_detects_a_leaky_mechanism() -> None:
    """Noise scaled for ε = 1 but claimed as ε = 0.2 (a 5× accounting bug): the audit flags it."""
    rng = np.random.default_rng(0)
    scale = 1.0  # Laplace scale 1/ε for ε = 1 on a count of sensitivity 1
    a, b = 100 + rng.laplace(0, scale, 40_000), 101 + rng.laplace(0, scale, 40_000)
    lower, _ = epsilon_lower_bound(a, b)
    assert lower > 0.2


def test_clopper_pearson_covers_the_edges() -> None:
    assert clopper_pearson(0, 10)[0] == 0.0 and clopper_pearson(10, 10)[1] == 1.0
