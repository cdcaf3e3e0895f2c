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


class _Factors:
    """The p(C)/p(S) conditionals and p(C)/N̂ of one calibrated model's cliques, made when first needed:
    AIM asks for hundreds of marginals of the same model in a round, and recomputing every separator sum
    for each was about half of the elimination's time."""

    def __init__(self, tree: JunctionTree, linear: Sequence[np.ndarray]) -> None:
        self.tree, self.linear = tree, linear
        self._conditional: dict[int, np.ndarray] = {}
        self._normalised: dict[int, tuple[float, np.ndarray]] = {}

    def conditional(self, node: int) -> np.ndarray:
        if node not in self._conditional:
            tree, clique, values = self.tree, self.tree.cliques[node], self.linear[node]
            separator = tree.separator(node)
            with np.errstate(divide="ignore", invalid="ignore"):
                denominator = sum_to(values, clique, separator)
                self._conditional[node] = np.nan_to_num(values / expand(denominator, separator, clique, tree.sizes))
        return self._conditional[node]

    def normalised(self, node: int) -> tuple[float, np.ndarray]:
        if node not in self._normalised:
            values = self.linear[node]
            total = float(values.sum())
            self._normalised[node] = (total, values / max(total, 1e-300))
        return self._normalised[node]


_RECENT: list[_Factors] = []  # the last two models' factors (a round scores one model, then the next)


def _factors(tree: JunctionTree, linear: Sequence[np.ndarray]) -> _Factors:
    for cached in _RECENT:
        if cached.tree is tree and cached.linear is linear:
            return cached
    made = _Factors(tree, linear)
    _RECENT.insert(0, made)
    del _RECENT[2:]
    return made


def _eliminate(tree: JunctionTree, linear: Sequence[np.ndarray], target: Clique) -> np.ndarray:
    """Variable elimination over the covering subtree: the top clique's p(C)/N̂ times the p(C)/p(S)
    conditionals of the others, in one ``einsum`` when they hold at most 52 attributes (numpy's label limit),
else contracted leaves first: each clique's message to its parent is one
    ``einsum`` of its conditional and its children's messages that keeps only the target attributes and
    the separator, with axes numbered locally (numpy's einsum allows 52 labels; a message involves only
    one clique and a few carried attributes), so the number of attributes in the table is unlimited."""
    nodes = _steiner_subtree(tree, target)
    kept, wanted, sizes = set(nodes), set(target), tree.sizes
    pieces: dict[int, list[tuple[Clique, np.ndarray]]] = {}
    totals = []
    cache = _factors(tree, linear)
    for node in nodes:
        up = tree.parent[node]
        if up >= 0 and up in kept:
            values = cache.conditional(node)
        else:
            total, values = cache.normalised(node)
            totals.append(total)
        pieces[node] = [(tree.cliques[node], values)]
    if len({a for node in nodes for a in tree.cliques[node]}) <= 52:  # one einsum, numpy's greedy path
        everything = [piece for node in nodes for piece in pieces[node]]
        return _contract(everything, target, sizes) * (totals[0] if totals else 1.0)
    top: list[tuple[Clique, np.ndarray]] = []
    for node in reversed([n for n in tree.schedule if n in kept]):  # children before parents
        up = tree.parent[node]
        keep = wanted | set(tree.separator(node)) if up in kept else wanted
        own = pieces.pop(node)
        reduced = as_clique(a for attrs, _ in own for a in attrs if a in keep)
        (pieces[up] if up in kept else top).append((reduced, _contract(own, reduced, sizes)))
    return _contract(top, target, sizes) * (totals[0] if totals else 1.0)


def _contract(pieces: Sequence[tuple[Clique, np.ndarray]], out: Clique, sizes: Sequence[int]) -> np.ndarray:
    """Σ over the attributes not in ``out`` of the product of ``pieces`` (axes of the result: ``out``)."""
    labels = {a: i for i, a in enumerate(sorted({a for attrs, _ in pieces for a in attrs}))}
    if len(labels) <= 52:
        arguments: list[np.ndarray | list[int]] = []
        for attrs, values in pieces:
            arguments += [values, [labels[a] for a in attrs]]
        return np.einsum(*arguments, [labels[a] for a in out], optimize="greedy")
    product: tuple[Clique, np.ndarray] = ((), np.ones(()))  # more than 52 attributes in one message: pairwise
    for attrs, values in pieces:
        union = as_clique(product[0] + attrs)
        product = (union, expand(product[1], product[0], union, sizes) * expand(values, attrs, union, sizes))
    return sum_to(product[1], product[0], out)
