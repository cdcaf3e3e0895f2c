"""Private-PGM estimation: fit a graphical model to noisy marginals by mirror descent.

McKenna, Sheldon, Miklau, "Graphical-model based estimation and inference for differential privacy"
(ICML 2019), §4 and Algorithm 1; AIM (PVLDB 2022) §3.4. Given measurements ``y_i = M_{r_i}(D) + noise``
with noise scale σ_i, minimise

    L(μ) = Σ_i (1/σ_i) · ‖μ_{r_i} − y_i‖²

over the marginals μ of a graphical model p_θ(x) ∝ exp Σ_r θ_r(x_r) whose potentials live on the measured
cliques. Each iteration takes a mirror-descent step θ_r ← θ_r − α·∇_{μ_r} L and recomputes μ by belief
propagation. The step α is chosen by the Armijo rule L(μ) − L(μ') ≥ ½⟨∇L, μ − μ'⟩, multiplied by 1.01
after an accepted step and by 0.5 after a rejected one. Once no step lowers the loss by more than rounding
error the fit has converged: it stops and keeps the step it had (halving on to a step so small that the
rule holds trivially would leave the next warm start unable to move). Two measurements of the same clique
are folded into one weighted target, so each iteration touches each clique once.

The model total N̂ is the minimum-variance combination of the noisy totals Σ y_i (variance Σ σ_cell²).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from method.api.errors import InvalidParameterError
from method.pgm.factor import Clique, as_clique, expand, sum_to
from method.pgm.inference import belief_propagation
from method.pgm.junction_tree import JunctionTree, build_junction_tree
from method.pgm.model import GraphicalModel

_ARMIJO = 0.5
_GROW, _SHRINK = 1.01, 0.5
_MAX_HALVINGS = 40
_TOLERANCE = 1e-12  # a relative loss decrease below this is rounding error


@dataclass(frozen=True, slots=True)
class Measurement:
    """A noisy marginal: ``values`` ≈ M_clique(D) + N(0, σ²) per cell (σ a scalar or one per cell)."""

    clique: Clique
    values: np.ndarray
    sigma: float | np.ndarray

    def __post_init__(self) -> None:
        if tuple(self.clique) != as_clique(self.clique) or not self.clique:
            raise InvalidParameterError(
                f"a measured clique must be non-empty, sorted, distinct: {self.clique!r}"
            )
        if np.ndim(self.values) != len(self.clique):
            raise InvalidParameterError(f"measurement of {self.clique!r} has shape {np.shape(self.values)}")
        if not np.all(np.asarray(self.sigma) > 0):
            raise InvalidParameterError(f"measurement of {self.clique!r} needs sigma > 0, got {self.sigma!r}")

    @property
    def total_variance(self) -> float:
        """Variance of Σ values (the noisy total)."""
        return float(np.sum(np.broadcast_to(np.asarray(self.sigma, dtype=float) ** 2, np.shape(self.values))))


def estimate_total(measurements: Sequence[Measurement]) -> float:
    """Minimum-variance (inverse-variance weighted) combination of the measurements' noisy totals, ≥ 1.

    >>> import numpy as np
    >>> m = [Measurement((0,), np.array([4.0, 6.0]), 1.0), Measurement((1,), np.array([12.0]), 2.0)]
    >>> round(estimate_total(m), 6)
    10.666667
    """
    if not measurements:
        raise InvalidParameterError("estimating the total needs at least one measurement")
    weights = np.array([1.0 / m.total_variance for m in measurements])
    totals = np.array([float(np.sum(m.values)) for m in measurements])
    return max(float(weights @ totals / weights.sum()), 1.0)


@dataclass
class _Objective:
    """Σ_c W_c·‖μ_c − Y_c‖² + const, the measurements folded per clique (W_c = Σ 1/σ_i per cell)."""

    cliques: list[Clique]
    weight: list[np.ndarray]
    target: list[np.ndarray]
    constant: float

    @classmethod
    def fold(cls, measurements: Sequence[Measurement]) -> _Objective:
        weight: dict[Clique, np.ndarray] = {}
        weighted: dict[Clique, np.ndarray] = {}
        constant = 0.0
        for m in measurements:
            w = np.broadcast_to(1.0 / np.asarray(m.sigma, dtype=float), m.values.shape)
            weight[m.clique] = weight.get(m.clique, 0.0) + w
            weighted[m.clique] = weighted.get(m.clique, 0.0) + w * m.values
            constant += float(np.sum(w * m.values**2))
        cliques = list(weight)
        targets = [weighted[c] / weight[c] for c in cliques]
        constant -= sum(float(np.sum(weight[c] * t**2)) for c, t in zip(cliques, targets, strict=True))
        return cls(cliques, [weight[c] for c in cliques], targets, constant)

    def __post_init__(self) -> None:
        self._flat_weight = np.concatenate([np.ravel(w) for w in self.weight]) if self.weight else np.empty(0)
        self._flat_target = np.concatenate([np.ravel(t) for t in self.target]) if self.target else np.empty(0)
        self._bounds = np.cumsum([0] + [w.size for w in self.weight])

    def evaluate(self, mu: list[np.ndarray]) -> tuple[float, list[np.ndarray], np.ndarray, np.ndarray]:
        """Loss, gradient per clique, and the flat gradient and flat μ (one vector over all cliques: a few
        array operations instead of four per clique)."""
        flat_mu = np.concatenate([np.ravel(m) for m in mu]) if mu else np.empty(0)
        diff = flat_mu - self._flat_target
        weighted = self._flat_weight * diff
        loss = self.constant + float(weighted @ diff)
        flat_grad = 2.0 * weighted
        bounds = self._bounds
        grads = [flat_grad[bounds[i] : bounds[i + 1]].reshape(w.shape) for i, w in enumerate(self.weight)]
        return loss, grads, flat_grad, flat_mu


def mirror_descent(
    sizes: Sequence[int],
    measurements: Sequence[Measurement],
    *,
    iters: int,
    total: float | None = None,
    warm_start: GraphicalModel | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_iteration: Callable[[int], None] | None = None,
) -> GraphicalModel:
    """Private-PGM estimate from ``measurements`` (module docstring).

    Args:
        sizes: domain sizes of all attributes.
        measurements: the noisy marginals.
        iters: mirror-descent iterations (each may try several step sizes).
        total: N̂; estimated from the measurements when ``None``.
        warm_start: a previous model whose potentials and step size seed this fit.
        should_stop: polled before every iteration; returning True ends the descent early (time budgets).
        on_iteration: called with the iteration number before each iteration (progress).

    Returns:
        The fitted :class:`GraphicalModel`.
    """
    if not (isinstance(iters, int) and iters >= 0):
        raise InvalidParameterError(f"iters must be an integer >= 0, got {iters!r}")
    objective = _Objective.fold(measurements)
    sizes = tuple(int(s) for s in sizes)
    total = estimate_total(measurements) if total is None else float(total)
    tree = build_junction_tree(sizes, objective.cliques)
    hosts = [tree.host(c) for c in objective.cliques]
    previous = dict(warm_start.potentials) if warm_start is not None else {}
    theta = [
        previous.get(c, np.zeros(w.shape)) for c, w in zip(objective.cliques, objective.weight, strict=True)
    ]
    if warm_start is not None:
        step = warm_start.step
    else:
        step = _initial_step(objective, total)
    state = _State(tree, objective, hosts, total)
    log_potentials = state.compose(theta)
    loss, grads, mu, marginals = state.evaluate([p.copy() for p in log_potentials])  # mu, grads: flat vectors
    for t in range(iters):
        if should_stop is not None and should_stop():
            break
        if on_iteration is not None:
            on_iteration(t)
        direction = state.compose(grads[0])
        tried, converged = step, True
        for _ in range(_MAX_HALVINGS):
            trial = [p - step * g for p, g in zip(log_potentials, direction, strict=True)]
            new_loss, new_grads, new_mu, new_marginals = state.evaluate(trial)
            decrease = float(grads[1] @ (mu - new_mu))
            if loss - new_loss >= _ARMIJO * decrease:
                converged = loss - new_loss <= _TOLERANCE * (abs(loss) + 1.0)
                theta = [th - step * g for th, g in zip(theta, grads[0], strict=True)]
                log_potentials = [p - step * g for p, g in zip(log_potentials, direction, strict=True)]
                loss, grads, mu, marginals = new_loss, new_grads, new_mu, new_marginals
                step *= _GROW
                break
            step *= _SHRINK
        if converged:  # the loss cannot drop by more than rounding error: stop, keep the step for a warm start
            step = tried
            break
    potentials = dict(zip(objective.cliques, theta, strict=True))
    return GraphicalModel(tree, potentials, tuple(marginals), total, step)


def _initial_step(objective: _Objective, total: float) -> float:
    """1/L for the smoothness bound L = 2N̂·ΣW, scaled up by the mean clique size: that bound is tight
    only for a cell holding all the mass, and an over-long first step costs a few halvings, whereas a
    short one costs hundreds of ×1.01 increases."""
    mean_cells = float(np.mean([w.size for w in objective.weight]))
    return mean_cells / (2.0 * total * sum(float(np.max(w)) for w in objective.weight))


@dataclass(slots=True)
class _State:
    """Moves between measured cliques and the tree's maximal cliques.

    Several measured cliques usually share a host (a maximal clique holding them). Each measured clique is
    therefore linked to its *parent*: the smallest other measured clique with the same host that contains
    it, or the host itself. Marginals are summed down that forest (each from its parent, not from the
    host), and per-clique arrays are added up it (each into its parent), so a large host is read or
    written once per iteration for its outermost measured cliques only.
    """

    tree: JunctionTree
    objective: _Objective
    hosts: list[int]
    total: float
    parent: list[int] = field(init=False)  # index of the parent measured clique, or -1 for the host
    order: list[int] = field(init=False)  # measured cliques, largest first (parents before children)

    def __post_init__(self) -> None:
        cliques = self.objective.cliques
        cells = [math.prod(self.tree.sizes[a] for a in c) for c in cliques]
        self.order = sorted(range(len(cliques)), key=lambda i: (-cells[i], -len(cliques[i])))
        self.parent = []
        for i, clique in enumerate(cliques):
            inside = [
                j for j in self.order
                if j != i and self.hosts[j] == self.hosts[i] and set(clique) < set(cliques[j])
            ]  # fmt: skip
            self.parent.append(inside[-1] if inside else -1)  # the smallest such clique (order is by size)

    def compose(self, per_clique: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Σ of per-measured-clique arrays broadcast onto their host maximal cliques."""
        tree, cliques = self.tree, self.objective.cliques
        out = [np.zeros(tuple(tree.sizes[a] for a in c)) for c in tree.cliques]
        gathered = [np.array(values, dtype=float, copy=True) for values in per_clique]
        for i in reversed(self.order):  # children before parents
            j = self.parent[i]
            if j >= 0:
                gathered[j] += expand(gathered[i], cliques[i], cliques[j], tree.sizes)
            else:
                host = self.hosts[i]
                out[host] += expand(gathered[i], cliques[i], tree.cliques[host], tree.sizes)
        return out

    def evaluate(
        self, log_potentials: list[np.ndarray]
    ) -> tuple[float, tuple[list[np.ndarray], np.ndarray], np.ndarray, list]:
        """Loss, (gradient per clique, flat gradient), flat μ of the measured cliques, tree marginals."""
        _, marginals = belief_propagation(self.tree, log_potentials, self.total, overwrite=True)
        cliques = self.objective.cliques
        mu: list[np.ndarray] = [np.empty(0)] * len(cliques)
        for i in self.order:  # parents before children
            j = self.parent[i]
            if j >= 0:
                mu[i] = sum_to(mu[j], cliques[j], cliques[i])
            else:
                host = self.hosts[i]
                mu[i] = sum_to(marginals[host], self.tree.cliques[host], cliques[i])
        loss, grads, flat_grad, flat_mu = self.objective.evaluate(mu)
        return loss, (grads, flat_grad), flat_mu, marginals
