"""Inference on a junction tree: two-pass belief propagation in log space, and variable elimination.

Private-PGM (McKenna, Sheldon, Miklau, ICML 2019) §4: the model is p(x) ∝ exp Σ_C θ_C(x_C) over the
junction tree's maximal cliques. :func:`belief_propagation` calibrates the clique beliefs (collect to the
roots, then distribute) and scales each to the model total, so every clique's belief is the model's
marginal on it. :func:`clique_marginal` answers a clique contained in a tree clique by summing that
belief, and any other clique by variable elimination over the smallest subtree that covers it (the
subtree's calibrated beliefs divided by its separators' beliefs are the subtree's exact joint).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from method.pgm.factor import Clique, as_clique, expand, logsumexp_to, sum_to
from method.pgm.junction_tree import JunctionTree


def belief_propagation(
    tree: JunctionTree, log_potentials: Sequence[np.ndarray], total: float, *, overwrite: bool = False
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Log-space marginals of every maximal clique, each summing (in linear space) to ``total``.

    Args:
        tree: the junction tree (potentials are indexed like ``tree.cliques``).
        log_potentials: θ_C as arrays over ``tree.cliques[i]``.
        total: the model's record count N̂.
        overwrite: let the pass reuse (and change) the ``log_potentials`` arrays instead of copying them.

    Returns:
        ``(log μ_C, μ_C)`` for every maximal clique C, with Σ μ_C = ``total`` (cells far below the
        largest underflow to exactly 0 in ``μ_C``).
    """
    cliques, sizes = tree.cliques, tree.sizes
    upward: dict[int, np.ndarray] = {}
    partial = (
        list(log_potentials) if overwrite else [np.array(p, dtype=float, copy=True) for p in log_potentials]
    )
    for node in reversed(tree.schedule):
        up = tree.parent[node]
        if up < 0:
            continue
        separator = tree.separator(node)
        message = logsumexp_to(partial[node], cliques[node], separator)
        upward[node] = message
        partial[up] += expand(message, separator, cliques[up], sizes)
    beliefs: list[np.ndarray] = [np.empty(0)] * len(cliques)
    linear: list[np.ndarray] = [np.empty(0)] * len(cliques)
    log_total = math.log(max(total, 1e-300))
    for node in tree.schedule:
        up = tree.parent[node]
        belief = partial[node]
        if up < 0:
            belief -= logsumexp_to(belief, cliques[node], ()) - log_total
        else:
            separator = tree.separator(node)
            with np.errstate(divide="ignore"):
                downward = np.log(sum_to(linear[up], cliques[up], separator)) - upward[node]
            belief += expand(downward, separator, cliques[node], sizes)
        beliefs[node] = belief
        linear[node] = np.exp(belief)
    return beliefs, linear


def clique_marginal(tree: JunctionTree, linear: Sequence[np.ndarray], clique: Sequence[int]) -> np.ndarray:
    """Marginal of ``clique`` (linear space, axes in sorted order) under calibrated beliefs ``linear``.

    Args:
        tree: the junction tree.
        linear: μ_C from :func:`belief_propagation` (its second output).
        clique: attribute positions (any order; the result's axes are sorted).
    """
    target = as_clique(clique)
    host = tree.host(target)
    if host >= 0:
        return sum_to(linear[host], tree.cliques[host], target)
    return _eliminate(tree, linear, target)


def _steiner_subtree(tree: JunctionTree, target: Clique) -> list[int]:
    """Smallest connected set of tree cliques (within each component) that covers ``target``: prune leaves
    that hold no target attribute of their own (by the running intersection property, a leaf's attributes
    that appear elsewhere are in its neighbour), until none is left to prune."""
    needed = set(target)
    roots = {tree.component[tree.holders[a][0]] for a in needed}
    neighbours = {
        i: set(tree.neighbours[i]) for i in range(len(tree.cliques)) if tree.component[i] in roots
    }  # only the components that hold a target attribute
    queue = [node for node, around in neighbours.items() if len(around) <= 1]
    while queue:
        node = queue.pop()
        if node not in neighbours or len(neighbours[node]) > 1:
            continue
        clique = set(tree.cliques[node])
        around = neighbours[node]
        own = clique - set(tree.cliques[next(iter(around))]) if around else clique
        if own & needed:
            continue
        del neighbours[node]
        for other in around:
            neighbours[other].discard(node)
            if len(neighbours[other]) <= 1:
                queue.append(other)
    return sorted(neighbours)


def _eliminate(tree: JunctionTree, linear: Sequence[np.ndarray], target: Clique) -> np.ndarray:
    """Variable elimination over the covering subtree: the top clique's p(C)/N̂ times the p(C)/p(S)
    conditionals of the others, contracted leaves first; each message keeps only the target attributes and
    the separator to its parent, so any number of attributes works (no einsum letters)."""
    nodes = _steiner_subtree(tree, target)
    kept, wanted, sizes = set(nodes), set(target), tree.sizes
    factors: dict[int, tuple[Clique, np.ndarray]] = {}
    totals = []
    for node in nodes:
        clique = tree.cliques[node]
        values = linear[node]
        up = tree.parent[node]
        if up >= 0 and up in kept:
            separator = tree.separator(node)
            with np.errstate(divide="ignore", invalid="ignore"):
                denominator = sum_to(values, clique, separator)
                values = np.nan_to_num(values / expand(denominator, separator, clique, sizes))
        else:
            totals.append(values.sum())
            values = values / max(totals[-1], 1e-300)
        factors[node] = (clique, values)
    result: tuple[Clique, np.ndarray] = ((), np.ones(()))
    for node in reversed([n for n in tree.schedule if n in kept]):  # children before parents
        attrs, values = factors.pop(node)
        up = tree.parent[node]
        keep = wanted | set(tree.separator(node)) if up in kept else wanted
        reduced = as_clique(a for a in attrs if a in keep)
        message = (reduced, sum_to(values, attrs, reduced))
        if up in kept:
            factors[up] = _multiply(factors[up], message, sizes)
        else:
            result = _multiply(result, message, sizes)
    attrs, values = result
    return values * (totals[0] if totals else 1.0)


def _multiply(
    left: tuple[Clique, np.ndarray], right: tuple[Clique, np.ndarray], sizes: Sequence[int]
) -> tuple[Clique, np.ndarray]:
    """Product of two factors on the union of their attributes (axes in sorted order)."""
    union = as_clique(left[0] + right[0])
    return union, expand(left[1], left[0], union, sizes) * expand(right[1], right[0], union, sizes)
