"""Mirror descent recovers noiseless marginals; the total is the minimum-variance combination."""

from __future__ import annotations

import numpy as np
import pytest

from method.api.errors import InvalidParameterError
from method.pgm.estimation import Measurement, estimate_total, mirror_descent

from .conftest import full_joint, marginal_of


def test_noiseless_measurements_are_recovered(random_model) -> None:
    sizes, potentials = random_model
    joint = full_joint(sizes, potentials, 1000.0)
    measurements = [Measurement(c, marginal_of(joint, c), 1.0) for c in potentials]
    model = mirror_descent(sizes, measurements, iters=500)
    assert model.total == pytest.approx(1000.0)
    for clique in potentials:
        np.testing.assert_allclose(model.marginal(clique), marginal_of(joint, clique), atol=0.05)


def test_warm_start_continues_from_the_previous_fit(random_model) -> None:
    sizes, potentials = random_model
    joint = full_joint(sizes, potentials, 1000.0)
    measurements = [Measurement(c, marginal_of(joint, c), 1.0) for c in potentials]
    cold = mirror_descent(sizes, measurements, iters=20)
    warm = mirror_descent(sizes, measurements, iters=20, warm_start=cold)
    longer = mirror_descent(sizes, measurements, iters=40)

    def error(model):
        return sum(np.abs(model.marginal(c) - marginal_of(joint, c)).sum() for c in potentials)

    assert error(warm) < error(cold)
    assert error(warm) == pytest.approx(error(longer), rel=1e-6)


def test_a_converged_fit_leaves_a_step_its_warm_start_can_move_with() -> None:
    # Regression: 1-ways alone are fitted exactly within a few hundred iterations; the line search then
    # halved the step to ~1e-18, where the Armijo rule holds trivially, and a warm start adding a 2-way
    # could not move (AIM re-measured the same marginal round after round on small tables).
    rng = np.random.default_rng(0)
    first = rng.integers(0, 4, 3000)
    second = np.where(rng.random(3000) < 0.7, first, rng.integers(0, 4, 3000))
    joint = np.zeros((4, 4))
    np.add.at(joint, (first, second), 1.0)
    ones = [Measurement((0,), joint.sum(axis=1), 3.0), Measurement((1,), joint.sum(axis=0), 3.0)]
    independent = mirror_descent((4, 4), ones, iters=300)
    assert independent.step > 1e-3 * mirror_descent((4, 4), ones, iters=1).step
    both = [*ones, Measurement((0, 1), joint, 3.0)]
    warm = mirror_descent((4, 4), both, iters=200, warm_start=independent)
    before = np.abs(independent.marginal((0, 1)) - joint).sum()
    assert np.abs(warm.marginal((0, 1)) - joint).sum() < 0.01 * before


def test_the_estimate_is_a_projection_of_inconsistent_measurements() -> None:
    # two inconsistent measurements of the same 1-way: the fit is their weighted average
    a = Measurement((0,), np.array([10.0, 30.0]), 1.0)
    b = Measurement((0,), np.array([30.0, 10.0]), 3.0)
    model = mirror_descent((2,), [a, b], iters=300, total=40.0)
    expected = (a.values / 1.0 + b.values / 3.0) / (1.0 + 1 / 3.0)
    np.testing.assert_allclose(model.marginal((0,)), expected, atol=1e-3)


def test_total_is_the_minimum_variance_combination() -> None:
    one_way = Measurement((0,), np.array([40.0, 60.0]), 1.0)  # variance 2
    two_way = Measurement((0, 1), np.full((2, 2), 26.0), 1.0)  # total 104, variance 4
    assert estimate_total([one_way, two_way]) == pytest.approx((100 / 2 + 104 / 4) / (1 / 2 + 1 / 4))
    assert estimate_total([Measurement((0,), np.array([-5.0, 1.0]), 1.0)]) == 1.0


def test_per_cell_sigma_weights_the_cells() -> None:
    m = Measurement((0,), np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]))
    assert m.total_variance == pytest.approx(6.0)


@pytest.mark.parametrize(
    ("clique", "values", "sigma"),
    [
        ((), np.zeros(()), 1.0),
        ((1, 0), np.zeros((2, 2)), 1.0),
        ((0,), np.zeros((2, 2)), 1.0),
        ((0,), np.zeros(2), 0.0),
    ],
)
def test_measurement_validation(clique, values, sigma) -> None:
    with pytest.raises(InvalidParameterError):
        Measurement(clique, values, sigma)
