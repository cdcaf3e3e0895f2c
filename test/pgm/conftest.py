"""Brute-force helpers for the Private-PGM engine tests: full joint tables of small random models."""

from __future__ import annotations

import numpy as np
import pytest

from method.pgm.factor import Clique, expand, sum_to
from method.pgm.inference import belief_propagation
from method.pgm.junction_tree import build_junction_tree


def full_joint(sizes: tuple[int, ...], potentials: dict[Clique, np.ndarray], total: float) -> np.ndarray:
    everything = tuple(range(len(sizes)))
    log_joint = np.zeros(sizes)
    for clique, theta in potentials.items():
        log_joint = log_joint + expand(theta, clique, everything, sizes)
    joint = np.exp(log_joint - log_joint.max())
    return joint / joint.sum() * total


def calibrate(sizes: tuple[int, ...], potentials: dict[Clique, np.ndarray], total: float):
    tree = build_junction_tree(sizes, potentials)
    log_potentials = [np.zeros(tuple(sizes[a] for a in c)) for c in tree.cliques]
    for clique, theta in potentials.items():
        host = tree.host(clique)
        log_potentials[host] = log_potentials[host] + expand(theta, clique, tree.cliques[host], sizes)
    _, marginals = belief_propagation(tree, log_potentials, total)
    return tree, marginals


def marginal_of(joint: np.ndarray, clique: Clique) -> np.ndarray:
    return sum_to(joint, tuple(range(joint.ndim)), clique)


CLIQUE_SETS = [
    [(0, 1), (1, 2), (2, 3)],  # chain
    [(0, 1), (1, 2), (2, 3), (0, 3)],  # cycle: needs a fill-in edge
    [(0, 1, 2), (2, 3), (3, 4)],  # a triangle and a tail
    [(0,), (1, 2), (3, 4)],  # three components
    [(0, 1), (0, 2), (0, 3), (1, 4)],  # star
]


@pytest.fixture(params=range(len(CLIQUE_SETS)), ids=["chain", "cycle", "triangle", "components", "star"])
def random_model(request):
    rng = np.random.default_rng(request.param)
    cliques = CLIQUE_SETS[request.param]
    d = 1 + max(a for c in cliques for a in c)
    sizes = tuple(int(s) for s in rng.integers(2, 5, size=d))
    potentials = {c: rng.normal(0.0, 1.0, size=tuple(sizes[a] for a in c)) for c in cliques}
    return sizes, potentials
