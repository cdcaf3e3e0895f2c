"""AIM: adaptive and iterative mechanism (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022, Algorithms 2–3).

ALGORITHMS.md §3, in the reference code's order:

* initialise: T = 4d (the paper: 16d), α = 0.9, σ₀ = √(T/(2αρ)), ε₀ = √(8(1−α)ρ/T); measure every 1-way
  with σ₀, compress each domain (values with noisy count below 3σ₀ share one bucket: MST's compression,
  not in the paper), build the workload and candidates on the compressed domains, and fit p̂₀;
* each round: if less than two rounds' worth of budget is left (or the round cap is reached, or the time
  budget leaves room for no further round and the final estimate) this is the last round, and σ, ε are set
  so that it spends exactly what is left (the privacy filter; the last round skips its own estimate); the
  model-size limit is MAX_SIZE·ρ_used/ρ; the candidates are the r ∈ W⁺ whose addition keeps JT_SIZE within
  the limit or that are already covered by a measured clique; the exponential mechanism
  picks r with the bias-corrected score q_r = w_r(‖M_r(D) − M_r(p̂)‖₁ − √(2/π)·σ·n_r), Δ = max w_r;
  M_r(D) is measured with N(0, σ²); p̂ is re-estimated warm-started; if the estimate of r moved by no
  more than the expected noise √(2/π)·σ·n_r, anneal: σ ← σ/2, ε ← 2ε;
* finally re-estimate with all measurements; the model samples N̂ rows by default, and the buckets become
  their members again (drawn from the noisy 1-way).

The two deviations (T = 4d, compression) are measured on Adult in docs/pgm.md; the knobs
``rounds_per_attribute=16, compress_domain=False`` give the paper's algorithm.

Every spend goes through the ledger: ``aim:init`` (1-ways), ``aim:select``, ``aim:measure``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from method.api.base import RunConfig
from method.api.metadata import Domain
from method.api.privacy import BudgetLedger, exponential_rho, gaussian_rho
from method.pgm.compression import CompressedModel, Compression, compress_data, measure_one_ways
from method.pgm.estimation import Measurement, mirror_descent
from method.pgm.factor import Clique
from method.pgm.junction_tree import CandidateSizer
from method.pgm.marginals import marginal_counts
from method.pgm.model import GraphicalModel
from method.synthesis.AIM.workload import build_workload, candidate_weights, workload_note

ALPHA = 0.9  # share of each round's budget spent on measurement (the rest on selection)
_NOISE_FACTOR = math.sqrt(2.0 / math.pi)  # E|N(0, σ²)| = √(2/π)·σ


@dataclass(frozen=True, slots=True)
class AIMSettings:
    """AIM's knobs (see :class:`~method.synthesis.AIM.adapter.AIMSynthesizer`)."""

    degree: int = 3
    max_cells: int = 10_000
    max_model_size: float = 80.0
    max_iters: int = 1000
    round_iters: int = 300
    num_marginals: int | None = None
    rounds: int | None = None
    rounds_per_attribute: int = 4
    compress_domain: bool = True


@dataclass(slots=True)
class _Run:
    """State of one AIM run: answers M_r(D), weights, measurements, model, σ and ε."""

    data_answers: dict[Clique, np.ndarray]
    weights: dict[Clique, float]
    measurements: list[Measurement]
    model: GraphicalModel
    sigma: float
    epsilon: float
    rho: float
    start_spent: float
    compressions: tuple[Compression, ...]
    workload: str  # what the workload is (capped or sampled on wide tables), for progress and the ledger

    def used(self, ledger: BudgetLedger) -> float:
        return ledger.spent - self.start_spent

    @property
    def sizes(self) -> tuple[int, ...]:
        """The compressed domain sizes (the model's attributes)."""
        return tuple(c.size for c in self.compressions)


def run_aim(
    data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig, settings: AIMSettings
) -> CompressedModel:
    """Fit AIM on ``data`` (n × d codes of ``domain``), spending exactly ``ledger.remaining``.

    With a time budget, a round is the last one (and spends all that is left of ρ) once the time left
    would not cover two more rounds and the final estimate — also when the deadline has already passed:
    the ledger always ends at ρ. After the deadline only that last selection and measurement run; every
    estimate stops at the deadline. So a run overshoots its budget by at most one round's selection
    (scoring the candidates; no estimation) plus the sampling."""
    run, names = _initialise(data, domain, ledger, config, settings), domain.names
    round_seconds, t = 0.0, 0
    terminate = False
    while not terminate and ledger.remaining > 0:
        t += 1
        started = config.clock()
        if settings.rounds is not None and t >= settings.rounds:
            terminate = True
        if config.time_left() < 2 * round_seconds + _estimate_seconds(round_seconds, settings):
            terminate = True  # no time for another round and the final estimate (or none at all): spend the rest
        terminate = _set_round_budget(run, ledger, terminate)
        sigma = run.sigma
        chosen = _round(run, names, ledger, config, settings, final=terminate)
        round_seconds = config.clock() - started
        rounds, eta = _forecast(run, ledger, config, settings, t, round_seconds, terminate)
        config.report(
            "aim:round",
            ROUNDS_SHARE * run.used(ledger) / run.rho,
            f"round {t} of an estimated {rounds} (ETA {eta:.0f} s): rho used {run.used(ledger):.4g}/{run.rho:.4g}, "
            f"sigma {sigma:.4g}, measured {'×'.join(names[a] for a in chosen)}",
        )
    config.report("aim:estimate", ROUNDS_SHARE, f"final estimate (up to {settings.max_iters} iterations)")
    model = mirror_descent(
        run.sizes, run.measurements, iters=settings.max_iters, warm_start=run.model, should_stop=config.out_of_time,
        on_iteration=_estimate_progress(config, settings.max_iters),
    )
    return CompressedModel(model, run.compressions)


ROUNDS_SHARE = 0.95  # of the progress bar: the rounds (by ρ used); the final estimate fills the rest


def _forecast(
    run: _Run, ledger: BudgetLedger, config: RunConfig, settings: AIMSettings, t: int, round_seconds: float,
    final: bool,
) -> tuple[int, float]:
    """Rounds in all (estimated) and seconds left: the rounds the rest of ρ pays for at the current σ and ε
    (fewer if they anneal), capped by the round cap and by the rounds the time left allows."""
    estimate = _estimate_seconds(round_seconds, settings)
    if final:
        return t, min(estimate, max(config.time_left(), 0.0))
    cost = gaussian_rho(run.sigma) + exponential_rho(run.epsilon)
    left = max(1, math.floor((run.rho - run.used(ledger)) / cost))
    if settings.rounds is not None:
        left = min(left, settings.rounds - t)
    if round_seconds > 0 and not math.isinf(config.time_left()):
        left = min(left, max(1, math.floor((config.time_left() - estimate) / round_seconds)))
    return t + left, left * round_seconds + estimate


def _estimate_progress(config: RunConfig, iters: int):
    def report(iteration: int) -> None:
        if iteration % 25 == 0:
            config.report("aim:estimate", ROUNDS_SHARE + (1 - ROUNDS_SHARE) * iteration / max(iters, 1),
                          f"final estimate: iteration {iteration} of up to {iters}")
    return report


def _estimate_seconds(round_seconds: float, settings: AIMSettings) -> float:
    """Rough cost of the final estimate: a round's estimate scaled by the iteration ratio."""
    return round_seconds * settings.max_iters / max(settings.round_iters, 1)


def _initialise(
    data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig, settings: AIMSettings
) -> _Run:
    """Algorithm 3: every 1-way with σ₀ (then the domains compressed), the workload on the compressed
    domains, and p̂₀."""
    d, rho, start = len(domain), ledger.remaining, ledger.spent
    rounds = settings.rounds_per_attribute * d
    sigma = math.sqrt(rounds / (2 * ALPHA * rho))
    epsilon = math.sqrt(8 * (1 - ALPHA) * rho / rounds)
    config.report("aim:init", 0.0, f"measuring {d} 1-way marginals, sigma {sigma:.4g}")
    compressions, measurements = measure_one_ways(
        data, domain, ledger, "aim:init", gaussian_rho(sigma), config.noise,
        merge=settings.compress_domain,
    )
    sizes = tuple(c.size for c in compressions)
    codes = compress_data(data, domain.sizes, compressions)
    workload = build_workload(
        sizes,
        degree=settings.degree,
        max_cells=settings.max_cells,
        num_marginals=settings.num_marginals,
        rng=config.sampling_rng,  # data-independent selection randomness, not privacy noise
    )
    weights = candidate_weights(workload, d)
    note = workload_note(workload, sizes, settings.degree, settings.num_marginals)
    config.report("aim:workload", 0.0, f"{note}; counting {len(weights)} candidate marginals")
    answers = {r: marginal_counts(codes, sizes, r) for r in weights}
    model = mirror_descent(sizes, measurements, iters=settings.round_iters, should_stop=config.out_of_time)
    return _Run(answers, weights, measurements, model, sigma, epsilon, rho, start, tuple(compressions), note)


def _set_round_budget(run: _Run, ledger: BudgetLedger, terminate: bool) -> bool:
    """The privacy filter: the last round (forced, or < 2 rounds left) spends exactly what is left."""
    remaining = run.rho - run.used(ledger)
    if terminate or remaining < 2 * (gaussian_rho(run.sigma) + exponential_rho(run.epsilon)):
        run.sigma = math.sqrt(1 / (2 * ALPHA * remaining))
        run.epsilon = math.sqrt(8 * (1 - ALPHA) * remaining)
        return True
    return False


def _round(
    run: _Run,
    names: tuple[str, ...],
    ledger: BudgetLedger,
    config: RunConfig,
    settings: AIMSettings,
    *,
    final: bool,
) -> Clique:
    """One select → measure → estimate → anneal round (Algorithm 2, lines 6–16). The final round spends what
    is left and skips its own estimate (the final estimate follows at once)."""
    cost = gaussian_rho(run.sigma) + exponential_rho(run.epsilon)
    limit = settings.max_model_size * (run.used(ledger) + cost) / run.rho
    candidates = _filter_candidates(run, limit)
    scores, sensitivity = _scores(run, candidates)
    index = ledger.exponential(
        "aim:select", scores, run.epsilon, config.noise,
        measured=f"{len(candidates)} candidates ({run.workload})", sensitivity=sensitivity,
    )
    chosen = candidates[index]
    name = "×".join(names[a] for a in chosen)
    measure_rho = ledger.remaining if final else gaussian_rho(run.sigma)
    noisy = ledger.gaussian("aim:measure", run.data_answers[chosen], measure_rho, config.noise,
                           measured=name)  # fmt: skip
    run.measurements.append(Measurement(chosen, noisy, math.sqrt(1 / (2 * measure_rho))))
    if final:
        return chosen
    before = run.model.marginal(chosen)
    run.model = mirror_descent(run.sizes, run.measurements, iters=settings.round_iters, warm_start=run.model,
                               should_stop=config.out_of_time)  # fmt: skip
    moved = float(np.abs(run.model.marginal(chosen) - before).sum())
    if moved <= _NOISE_FACTOR * run.sigma * before.size:
        run.sigma /= 2
        run.epsilon *= 2
    return chosen


def _filter_candidates(run: _Run, limit: float) -> list[Clique]:
    """r with JT_SIZE(cliques ∪ {r}) ≤ limit, or r inside an already measured clique."""
    measured = list(run.model.cliques)
    measured_sets = [set(c) for c in measured]
    sizer = CandidateSizer(run.sizes, measured)
    kept = []
    for r in run.weights:
        if any(set(r) <= m for m in measured_sets) or sizer.size_mb(r) <= limit:
            kept.append(r)
    return kept


def _scores(run: _Run, candidates: list[Clique]) -> tuple[np.ndarray, float]:
    """q_r = w_r(‖M_r(D) − M_r(p̂)‖₁ − √(2/π)·σ·n_r) and the sensitivity Δ = max w_r."""
    scores = np.empty(len(candidates))
    for i, r in enumerate(candidates):
        answer = run.data_answers[r]
        error = float(np.abs(answer - run.model.marginal(r)).sum())
        scores[i] = run.weights[r] * (error - _NOISE_FACTOR * run.sigma * answer.size)
    sensitivity = max(max(run.weights[r] for r in candidates), 1.0)
    return scores, sensitivity
