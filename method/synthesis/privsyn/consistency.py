"""Consistency post-processing of noisy marginals (PrivSyn §4.3; ALGORITHMS.md §2.7).

Repeat: (1) make every marginal's total the same (the empty attribute set is shared by all);
(2) for every attribute set A shared by two or more marginals — all intersections of marginal attribute
sets, closed under intersection, smaller sets first — replace each marginal's projection on A by the
minimum-variance weighted average T_A = Σ w_i·proj_i, w_i ∝ ρ_i/g_i (g_i = cells of M_i per cell of A),
spreading the correction (T_A − proj_i)/g_i evenly over the g_i cells behind each cell of A;
(3) stop if no cell is negative, else remove negativity with norm_sub (early iterations) or norm_cut.

The correction is divided by g_i and nothing else (one public copy multiplies it by ρ_i/g_i; another skips
this step entirely): that is what makes the projections equal afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np

from method.preprocess_common.nonnegative import norm_cut, norm_sub
from method.synthesis.privsyn.marginals import Marginal


def shared_attribute_sets(marginals: list[Marginal]) -> list[tuple[int, ...]]:
    """All non-empty intersections of marginal attribute sets (closed under intersection), smallest first.

    >>> ms = [Marginal((0, 1, 2), np.zeros((2, 2, 2)), 1.0), Marginal((1, 2, 3), np.zeros((2, 2, 2)), 1.0),
    ...       Marginal((2, 4), np.zeros((2, 2)), 1.0)]
    >>> shared_attribute_sets(ms)
    [(2,), (1, 2)]
    """
    sets = {frozenset(m.attrs) for m in marginals}
    found: set[frozenset[int]] = set()
    frontier = {a & b for a, b in combinations(sets, 2)} - {frozenset()}
    while frontier:
        found |= frontier
        frontier = {a & b for a, b in combinations(found, 2)} - found - {frozenset()}
    return sorted((tuple(sorted(s)) for s in found), key=lambda s: (len(s), s))


def make_total_consistent(marginals: list[Marginal]) -> None:
    """Give every marginal the weighted-average total (the shared empty set)."""
    weights = np.array([m.rho / m.cells for m in marginals])
    totals = np.array([m.counts.sum() for m in marginals])
    target = float((weights * totals).sum() / weights.sum())
    for m, total in zip(marginals, totals, strict=True):
        m.counts += (target - total) / m.cells


def make_set_consistent(marginals: list[Marginal], attrs: tuple[int, ...]) -> None:
    """Make every marginal containing ``attrs`` agree on its projection to ``attrs``."""
    _make_members_consistent([m for m in marginals if set(attrs) <= set(m.attrs)], attrs)


def _make_members_consistent(members: list[Marginal], attrs: tuple[int, ...]) -> None:
    if len(members) < 2:
        return
    projections = [m.project(attrs) for m in members]
    groups = np.array([m.cells / projections[i].size for i, m in enumerate(members)])
    weights = np.array([m.rho for m in members]) / groups
    weights /= weights.sum()
    target = sum(w * p for w, p in zip(weights, projections, strict=True))
    for m, projection, g in zip(members, projections, groups, strict=True):
        correction = (target - projection) / g
        shape = [m.counts.shape[i] if a in attrs else 1 for i, a in enumerate(m.attrs)]
        m.counts += correction.reshape(shape)


def make_consistent(
    marginals: list[Marginal],
    *,
    iterations: int = 501,
    norm_sub_iterations: int = 400,
    out_of_time: Callable[[], bool] = lambda: False,
) -> int:
    """Run the consistency loop in place; returns the number of iterations used.

    The members of each shared set are found once (scanning every marginal for every shared set in every
    round was most of the time on wide tables: 2,073 marginals of 200 attributes took 166 s). Stops early,
    after a whole round, once ``out_of_time()`` (post-processing: the privacy is already spent)."""
    shared = shared_attribute_sets(marginals)
    members = [(attrs, [m for m in marginals if set(attrs) <= set(m.attrs)]) for attrs in shared]
    for iteration in range(1, iterations + 1):
        make_total_consistent(marginals)
        for attrs, holding in members:
            _make_members_consistent(holding, attrs)
        if all((m.counts >= 0).all() for m in marginals):
            return iteration
        fix = norm_sub if iteration < norm_sub_iterations else norm_cut
        for m in marginals:
            if (m.counts < 0).any():
                m.counts = fix(m.counts)
        if out_of_time():
            return iteration
    return iterations
