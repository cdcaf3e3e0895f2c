"""PrivSyn (Zhang et al., USENIX Security 2021): the synthesizer and its fit/sample driver.

``fit_discrete`` follows Algorithm 3 on integer codes (ALGORITHMS.md §2):

1. noisy 1-way marginals of every attribute with ρ₁ = 30 % of the budget (the paper: 10 %, see
   docs/privsyn.md), then rare-value filtering (θ = 3σ₁) that shrinks each attribute's domain (§5.3);
2. InDif scores of every pair on the shrunk domain, published with ρ₂ = 10 % (§4.1);
3. DenseMarg selection (paper stopping rule) and clique combination under γ cells (Algorithms 1–2);
4. weighted-Gaussian measurement of the final marginals with the remaining 60 % (ρ_i ∝ c_i^{2/3});
5. consistency post-processing (§4.3).

``sample(n)`` is post-processing: GUM with attribute appending (§5), then the merged rare values are
expanded back to their members. When the run's wall-clock budget (``RunConfig.time_budget_s``) is used
up, GUM stops after its current round and the records are returned as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from method.api.base import Progress, RunConfig
from method.api.errors import BudgetExceededError, InvalidParameterError
from method.api.knobs import knob
from method.api.metadata import Domain
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger, gaussian_sigma
from method.preprocess_common.rare import ValueCompression, compress_values
from method.synthesis.discrete import EncodedSynthesizer
from method.synthesis.privsyn.consistency import make_consistent
from method.synthesis.privsyn.generation import generate
from method.synthesis.privsyn.gum import REFILL_SCHEDULES, GUMSchedule
from method.synthesis.privsyn.marginals import Marginal, marginal_counts
from method.synthesis.privsyn.selection import (
    INDIF_SENSITIVITY,
    all_pairs,
    combine_marginals,
    dense_marg,
    indif_scores,
)

FIT_SHARE = 0.3  # share of the progress bar for fit; GUM in sample() takes the rest


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivSynSynthesizer(EncodedSynthesizer):
    """PrivSyn with the paper's defaults except ρ₁ (0.3, the paper 0.1). Knobs:

    Args:
        one_way_fraction: share of ρ for the noisy 1-way marginals (ρ₁).
        selection_fraction: share of ρ for the InDif scores (ρ₂); the rest measures the selected marginals.
        rare_threshold: θ in units of σ₁ for rare-value filtering (0 disables it).
        max_clique_cells: γ, the cell cap for combining pairs into cliques.
        consist_iterations: rounds of consistency post-processing.
        update_iterations: GUM rounds (T).
        alpha, alpha_decay, alpha_decay_step: GUM step size α₀ and its step decay (k, s).
        refill_schedule: GUM's duplication/replacement schedule, ``S1`` … ``S6`` (see gum.REFILL_SCHEDULES).
        append_attributes: fill leaf attributes from their pair marginal instead of in GUM.
        separate_and_join: run GUM per connected component of the marginal graph.
    """

    name: ClassVar[str] = "privsyn"

    one_way_fraction: float = knob(0.3, float, "share of ρ for the noisy 1-way marginals", low=0, high=1, open_low=True)
    selection_fraction: float = knob(0.1, float, "share of ρ for the InDif scores", low=0, high=1, open_low=True)
    rare_threshold: float = knob(3.0, float, "rare-value threshold θ in units of the 1-way noise σ", low=0, high=100)
    max_clique_cells: int = knob(5000, int, "γ: cell cap when combining pairs into cliques", low=1, high=10_000_000)
    consist_iterations: int = knob(501, int, "rounds of consistency post-processing", low=1, high=100_000)
    update_iterations: int = knob(50, int, "GUM rounds", low=0, high=10_000)
    alpha: float = knob(1.0, float, "GUM initial step size α₀", low=0, high=1, open_low=True)
    alpha_decay: float = knob(0.84, float, "GUM step decay factor k", low=0, high=1, open_low=True)
    alpha_decay_step: int = knob(20, int, "GUM rounds between decays s", low=1, high=10_000)
    refill_schedule: str = knob("S6", str, "GUM duplication/replacement schedule", choices=tuple(REFILL_SCHEDULES))
    append_attributes: bool = knob(True, bool, "fill leaf attributes from their pair marginal after GUM")
    separate_and_join: bool = knob(False, bool, "run GUM per connected component of the marginal graph")

    def __post_init__(self) -> None:
        EncodedSynthesizer.__post_init__(self)
        if self.one_way_fraction + self.selection_fraction >= 1:
            raise InvalidParameterError(
                "one_way_fraction + selection_fraction must be < 1 (the rest measures the selected marginals), "
                f"got {self.one_way_fraction} + {self.selection_fraction}"
            )


    def fit_discrete(self, data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig) -> PrivSynModel:
        budget = ledger.remaining
        if budget <= 0:
            raise BudgetExceededError("no privacy budget is left for PrivSyn after preprocessing")
        d = len(domain)
        one_way_rho = budget if d == 1 else self.one_way_fraction * budget
        config.report("privsyn:one-way", 0.02, f"measuring {d} one-way marginals")
        compressions, one_ways = self._measure_one_ways(
            data, domain, ledger, one_way_rho, config.noise
        )
        compressed = np.column_stack([c.compress(data[:, a]) for a, c in enumerate(compressions)])
        sizes = tuple(c.size for c in compressions)

        pairs: list[tuple[int, ...]] = []
        if d > 1:
            config.report("privsyn:select", 0.08, "scoring attribute pairs (InDif)")
            select_rho = self.selection_fraction * budget
            pairs = self._select(compressed, sizes, ledger, select_rho, config.noise)
        config.report("privsyn:measure", 0.15, f"measuring {len(pairs)} selected marginals")
        measured = []
        if ledger.remaining > 0:
            measured = self._measure(compressed, sizes, pairs, ledger, config.noise)

        config.report("privsyn:consistency", 0.2, "making the noisy marginals consistent")
        marginals = one_ways + measured
        make_consistent(marginals, iterations=self.consist_iterations, out_of_time=lambda: config.time_left() <= 0)
        total = float(marginals[0].counts.sum())
        config.report("privsyn:consistency", FIT_SHARE, f"{len(measured)} marginals ready")
        return PrivSynModel(
            compressions=tuple(compressions),
            marginals=tuple(marginals),
            default_rows=max(1, round(total)),
            schedule=GUMSchedule(
                self.update_iterations, self.alpha, self.alpha_decay, self.alpha_decay_step,
                *REFILL_SCHEDULES[self.refill_schedule],
            ),
            append_attributes=self.append_attributes,
            separate_and_join=self.separate_and_join,
            on_progress=config.on_progress,
            time_left=config.time_left,
        )

    def _measure_one_ways(
        self, data: np.ndarray, domain: Domain, ledger: BudgetLedger, rho: float, noise: NoiseSource
    ) -> tuple[list[ValueCompression], list[Marginal]]:
        """Noisy 1-ways of all d attributes (one Gaussian release, L2 sensitivity √d), then filtering."""
        d = len(domain)
        exact = np.concatenate([np.bincount(data[:, a], minlength=domain.sizes[a]) for a in range(d)])
        noisy = ledger.gaussian(
            "privsyn:one-way", exact, rho, noise, measured=f"1-way marginals of {d} attributes",
            sensitivity=math.sqrt(d),
        )
        threshold = self.rare_threshold * gaussian_sigma(rho, math.sqrt(d))
        splits = np.cumsum(domain.sizes)[:-1]
        compressions = [compress_values(counts, threshold) for counts in np.split(noisy, splits)]
        one_ways = [Marginal((a,), c.counts.copy(), rho / d) for a, c in enumerate(compressions)]
        return compressions, one_ways

    def _select(
        self,
        data: np.ndarray,
        sizes: tuple[int, ...],
        ledger: BudgetLedger,
        rho: float,
        noise: NoiseSource,
    ) -> list[tuple[int, ...]]:
        """Noisy InDif for every pair, DenseMarg, then clique combination."""
        pairs = all_pairs(len(sizes))
        noisy = ledger.gaussian_real(
            "privsyn:select", indif_scores(data, sizes, pairs), rho, noise,
            measured=f"InDif scores of {len(pairs)} attribute pairs",
            sensitivity=INDIF_SENSITIVITY * math.sqrt(len(pairs)),
        )
        cells = np.array([sizes[a] * sizes[b] for a, b in pairs])
        chosen = [pairs[i] for i in dense_marg(noisy, cells, ledger.remaining)]
        return combine_marginals(chosen, sizes, self.max_clique_cells)

    def _measure(
        self,
        data: np.ndarray,
        sizes: tuple[int, ...],
        attribute_sets: list[tuple[int, ...]],
        ledger: BudgetLedger,
        noise: NoiseSource,
    ) -> list[Marginal]:
        """Weighted Gaussian: ρ_i ∝ c_i^{2/3}. With nothing selected, the 1-ways are measured again."""
        if not attribute_sets:
            attribute_sets = [(a,) for a in range(len(sizes))]
        shapes = [tuple(sizes[a] for a in attrs) for attrs in attribute_sets]
        weights = np.array([math.prod(shape) for shape in shapes], dtype=float) ** (2.0 / 3.0)
        rhos = ledger.remaining * weights / weights.sum()
        measured = []
        for attrs, shape, rho in zip(attribute_sets, shapes, rhos, strict=True):
            counts = ledger.gaussian(
                "privsyn:measure", marginal_counts(data, attrs, shape), float(rho), noise,
                measured=f"marginal over attributes {list(attrs)}",
            )
            measured.append(Marginal(attrs, counts, float(rho)))
        return measured


@dataclass(frozen=True, slots=True)
class PrivSynModel:
    """PrivSyn's DP output: consistent noisy marginals on the shrunk domain, and how to expand it."""

    compressions: tuple[ValueCompression, ...]
    marginals: tuple[Marginal, ...]
    default_rows: int
    schedule: GUMSchedule
    append_attributes: bool = True
    separate_and_join: bool = False
    on_progress: Callable[[Progress], None] = field(default=lambda _: None, repr=False)
    time_left: Callable[[], float] = field(default=lambda: math.inf, repr=False)
    gum_history: list[float] = field(default_factory=list, repr=False)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` records (codes in the mechanism's input domain) by GUM; costs no budget."""
        iterations = max(self.schedule.iterations, 1)

        def on_iteration(iteration: int, error: float) -> None:
            fraction = FIT_SHARE + (1 - FIT_SHARE) * (iteration + 1) / iterations
            self.on_progress(Progress("privsyn:gum", fraction, f"round {iteration + 1}/{iterations}, L1 {error:.4f}"))

        sizes = tuple(c.size for c in self.compressions)
        one_way = [m.counts for m in self.marginals if len(m.attrs) == 1][: len(sizes)]
        records, history = generate(
            n, sizes, one_way, [Marginal(m.attrs, m.counts, m.rho) for m in self.marginals], self.schedule, rng,
            append=self.append_attributes, separate=self.separate_and_join, on_iteration=on_iteration,
            out_of_time=lambda: self.time_left() <= 0,
        )
        self.gum_history[:] = history
        return np.column_stack([c.expand(records[:, a], rng) for a, c in enumerate(self.compressions)])
