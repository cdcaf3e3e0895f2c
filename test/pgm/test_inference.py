"""Belief propagation and variable elimination against the brute-force joint of small random models."""

from __future__ import annotations

import itertools

import numpy as np

from method.pgm.inference import clique_marginal
from method.pgm.junction_tree import build_junction_tree, elimination_order, jt_size_mb, maximal_cliques

from .conftest import calibrate, full_joint, marginal_of


def test_bp_marginals_equal_the_joints_marginals(random_model) -> None:
    sizes, potentials = random_model
    tree, marginals = calibrate(sizes, potentials, total=1234.0)
    joint = full_joint(sizes, potentials, 1234.0)
    for clique, belief in zip(tree.cliques, marginals, strict=True):
        np.testing.assert_allclose(belief, marginal_of(joint, clique), rtol=1e-9, atol=1e-9)


def test_every_clique_marginal_matches_including_out_of_tree_ones(random_model) -> None:
    sizes, potentials = random_model
    tree, marginals = calibrate(sizes, potentials, total=50.0)
    joint = full_joint(sizes, potentials, 50.0)
    out_of_tree = 0
    for k in (1, 2, 3):
        for clique in itertools.combinations(range(len(sizes)), k):
            out_of_tree += tree.host(clique) < 0
            np.testing.assert_allclose(
                clique_marginal(tree, marginals, clique), marginal_of(joint, clique), rtol=1e-9, atol=1e-9
            )
    assert out_of_tree > 0  # variable elimination was exercised


def test_junction_tree_covers_every_clique_and_attribute(random_model) -> None:
    sizes, potentials = random_model
    tree = build_junction_tree(sizes, potentials)
    assert all(tree.host(c) >= 0 for c in potentials)
    assert sorted({a for c in tree.cliques for a in c}) == list(range(len(sizes)))
    assert len(tree.schedule) == len(tree.cliques)


def test_running_intersection_property(random_model) -> None:
    sizes, potentials = random_model
    tree = build_junction_tree(sizes, potentials)
    for a in range(len(sizes)):
        holding = [i for i, c in enumerate(tree.cliques) if a in c]
        tops = [i for i in holding if tree.parent[i] not in holding]
        assert len(tops) == 1  # the cliques holding `a` form one connected subtree


def test_jt_size_equals_the_size_of_the_built_tree(random_model) -> None:
    sizes, potentials = random_model
    tree = build_junction_tree(sizes, potentials)
    cells = sum(int(np.prod([sizes[a] for a in c])) for c in tree.cliques)
    assert jt_size_mb(sizes, potentials) == tree.size_mb() == 8 * cells / 2**20


def test_jt_size_on_adult_like_sizes() -> None:
    sizes = (85, 9, 100, 16, 7, 15)
    cliques = [(0, 2), (2, 5), (0, 5), (1, 3)]
    # the triangle 0-2-5 becomes one maximal clique; (1, 3) another; attribute 4 alone
    assert maximal_cliques(elimination_order(sizes, cliques)) == ((0, 2, 5), (1, 3), (4,))
    assert jt_size_mb(sizes, cliques) == 8 * (85 * 100 * 15 + 9 * 16 + 7) / 2**20
