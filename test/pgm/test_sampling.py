"""The sampler: empirical marginals converge to the model's; siblings stay conditionally independent."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from method.pgm.marginals import marginal_counts
from method.pgm.sampling import rounded_counts, synthetic_data

from .conftest import calibrate, full_joint, marginal_of


def _chi_square(observed: np.ndarray, expected: np.ndarray) -> float:
    mask = expected > 0
    assert observed[~mask].sum() == 0  # nothing sampled where the model has no mass
    return float(((observed[mask] - expected[mask]) ** 2 / expected[mask]).sum())


def test_sampler_marginals_converge_to_the_models(random_model) -> None:
    sizes, potentials = random_model
    rows = 20_000
    tree, marginals = calibrate(sizes, potentials, total=float(rows))
    joint = full_joint(sizes, potentials, float(rows))
    data = synthetic_data(tree, marginals, rows, np.random.default_rng(7))
    assert data.shape == (rows, len(sizes))
    for clique in itertools.chain(itertools.combinations(range(len(sizes)), 2), [tuple(range(len(sizes)))]):
        expected = marginal_of(joint, clique)
        cells = expected.size
        # chi-square with (cells - 1) degrees of freedom: mean cells - 1, sd sqrt(2 (cells - 1))
        assert _chi_square(marginal_counts(data, sizes, clique), expected) < cells + 6 * np.sqrt(2 * cells)


def test_one_way_counts_are_rounded_exactly(random_model) -> None:
    sizes, potentials = random_model
    tree, marginals = calibrate(sizes, potentials, total=997.0)
    data = synthetic_data(tree, marginals, 997, np.random.default_rng(1))
    first = tree.order[-1][0]  # the first generated column: its counts are the rounded model marginal
    model = marginal_of(full_joint(sizes, potentials, 997.0), (first,))
    counts = marginal_counts(data, sizes, (first,))
    assert np.all(np.abs(counts - model) < 1.0)


def test_siblings_stay_conditionally_independent() -> None:
    """mbi#145: b and c depend on a only; dealing values in a fixed rank order inside each a-group
    would make b and c comonotone there. Their within-group association must be that of independence."""
    sizes = (2, 5, 5)
    rng = np.random.default_rng(3)
    potentials = {(0, 1): rng.normal(0, 1, (2, 5)), (0, 2): rng.normal(0, 1, (2, 5))}
    rows = 20_000
    tree, marginals = calibrate(sizes, potentials, total=float(rows))
    data = synthetic_data(tree, marginals, rows, np.random.default_rng(11))
    for a in range(2):
        group = data[data[:, 0] == a]
        observed = marginal_counts(group, sizes, (1, 2))
        expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / len(group)
        assert _chi_square(observed, expected) < 16 + 6 * np.sqrt(32)  # (5-1)(5-1) degrees of freedom
        correlation = np.corrcoef(group[:, 1], group[:, 2])[0, 1]
        assert abs(correlation) < 0.05


def test_rounding_is_unbiased_and_exact() -> None:
    probabilities = np.tile([[0.1, 0.25, 0.3, 0.35]], (20_000, 1))
    totals = np.full(20_000, 7)
    counts = rounded_counts(probabilities, totals, np.random.default_rng(0))
    assert np.all(counts.sum(axis=1) == 7)
    assert np.all((counts == np.floor(7 * probabilities)) | (counts == np.ceil(7 * probabilities)))
    np.testing.assert_allclose(counts.mean(axis=0), 7 * probabilities[0], atol=0.02)


def test_same_seed_same_rows(random_model) -> None:
    sizes, potentials = random_model
    tree, marginals = calibrate(sizes, potentials, total=100.0)
    first = synthetic_data(tree, marginals, 100, np.random.default_rng(5))
    again = synthetic_data(tree, marginals, 100, np.random.default_rng(5))
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_tiny_samples(rows: int) -> None:
    tree, marginals = calibrate((3, 2), {(0, 1): np.zeros((3, 2))}, total=10.0)
    assert synthetic_data(tree, marginals, rows, np.random.default_rng(0)).shape == (rows, 2)
