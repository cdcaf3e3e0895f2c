"""Empirical privacy audit: lower bounds on ε from neighbouring tables, next to the claimed ε.

    python -m bench.audit [--epsilons 0.5 1 4] [--trials 2000000] [--selection-trials 40000]
                          [--pipeline-trials 300] [--seed 0]

For each mechanism and ε, the mechanism runs many times on two neighbouring inputs D and D′ (one
record added). A threshold test "statistic ≥ t" (or ≤ t) is chosen on one half of the runs (the
optimal threshold among the observed values) and evaluated on the other half; with Clopper–Pearson
95 % bounds on its two rates, ε_lb = ln((TPR_lo − δ)/FPR_hi) is a lower bound on the true ε with ≥
90 % confidence (Jagielski et al. 2020, Nasr et al. 2021). A sound mechanism never shows ε_lb > ε.

* ``gaussian-count``: one count, released with :meth:`BudgetLedger.gaussian` (discrete Gaussian) at
  the ρ that (ε, δ) converts to; statistic: the released value.
* ``selection``: the exponential mechanism on two candidates whose scores move by Δ in opposite
  directions (q(D) = (0, 2Δ), q(D′) = (Δ, Δ): its true ε is ln((1 + e^ε)/2)); statistic: the index.
* ``mst-pipeline``: MST fit + sample on a 3-column table; D′ adds a planted record whose first
  column is the only 1; statistic (the membership distinguisher): how many synthetic rows have that
  1.

Prints a Markdown table (quoted in docs/privacy.md). ``--seed`` makes the audit reproducible; it is
a test harness, not a release. The test suite runs a small version (test/algorithms/test_audit.py).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

import method.synthesis  # noqa: F401  (registers the methods)
from method.api import ColumnSpec, NoiseSource, PrivacySpec, RunConfig, TableMetadata, registry
from method.api.privacy import BudgetLedger, exponential_rho

DELTA = 1e-6
CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One line of the audit table."""

    mechanism: str
    epsilon: float
    trials: int
    epsilon_lb: float
    epsilon_point: float

    @property
    def ok(self) -> bool:
        return self.epsilon_lb <= self.epsilon


def clopper_pearson(
    successes: int, trials: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Two-sided Clopper–Pearson interval of a binomial rate.

    >>> low, high = clopper_pearson(50, 100)
    >>> round(low, 3), round(high, 3)
    (0.398, 0.602)
    """
    alpha = 1 - confidence
    low = (
        0.0
        if successes == 0
        else float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    )
    high = (
        1.0
        if successes == trials
        else float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    )
    return low, high


def _rates(a: np.ndarray, b: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P[a ≥ t] and P[b ≥ t] for each threshold t."""
    a, b = np.sort(a), np.sort(b)
    return (
        1 - np.searchsorted(a, thresholds, side="left") / a.size,
        1 - np.searchsorted(b, thresholds, side="left") / b.size,
    )


def _cp_bound(successes: np.ndarray, trials: int, upper: bool) -> np.ndarray:
    """Vectorised one side of :func:`clopper_pearson`."""
    alpha = 1 - CONFIDENCE
    k = successes.astype(float)
    if upper:
        return np.where(
            k >= trials, 1.0, stats.beta.ppf(1 - alpha / 2, k + 1, np.maximum(trials - k, 1e-12))
        )
    return np.where(k <= 0, 0.0, stats.beta.ppf(alpha / 2, np.maximum(k, 1e-12), trials - k + 1))


def _best_test(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """The threshold test (threshold, sign) whose Clopper–Pearson ε bound is largest on (a, b)."""
    thresholds = np.unique(np.concatenate([a, b]))
    if thresholds.size > 2000:  # candidate thresholds: quantiles are enough
        thresholds = np.unique(np.quantile(thresholds, np.linspace(0, 1, 2000)))
    best = (float(thresholds[0]), 1, -math.inf)
    for sign in (1, -1):
        pa, pb = _rates(sign * a, sign * b, sign * thresholds)
        for (num, n_num), (den, n_den) in (
            ((pa, a.size), (pb, b.size)),
            ((pb, b.size), (pa, a.size)),
        ):
            low = _cp_bound(np.rint(num * n_num), n_num, upper=False) - DELTA
            high = _cp_bound(np.rint(den * n_den), n_den, upper=True)
            bound = np.log(np.maximum(low, 1e-300)) - np.log(high)
            i = int(np.argmax(bound))
            if bound[i] > best[2]:
                best = (float(thresholds[i]), sign, float(bound[i]))
    return best[0], best[1]


def epsilon_lower_bound(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(ε_lb, plug-in ε) of the best threshold test separating outputs ``a`` (on D) from ``b`` (on
    D′).

    The threshold is chosen on the first half of each sample and evaluated on the second half.
    """
    half_a, half_b = a.size // 2, b.size // 2
    threshold, sign = _best_test(a[:half_a], b[:half_b])
    test_a, test_b = sign * a[half_a:], sign * b[half_b:]
    hits_a, hits_b = (
        int((test_a >= sign * threshold).sum()),
        int((test_b >= sign * threshold).sum()),
    )
    best_lb, best_point = 0.0, 0.0
    for hits_num, n_num, hits_den, n_den in (
        (hits_a, test_a.size, hits_b, test_b.size),
        (hits_b, test_b.size, hits_a, test_a.size),
    ):
        low, _ = clopper_pearson(hits_num, n_num)
        _, high = clopper_pearson(hits_den, n_den)
        if low - DELTA > 0 and high > 0:
            best_lb = max(best_lb, math.log((low - DELTA) / high))
        if hits_den > 0 and hits_num > 0:
            best_point = max(best_point, math.log((hits_num / n_num) / (hits_den / n_den)))
    return best_lb, best_point


def gaussian_count_outputs(epsilon: float, trials: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The released count under D (count 100) and D′ (101), ``trials`` times each."""
    rho = PrivacySpec(epsilon, DELTA).rho
    out = []
    for count, child in zip((100, 101), np.random.SeedSequence(seed).spawn(2), strict=True):
        # each coordinate gets independent noise of σ = 1/√(2ρ): one coordinate = one run of the
        # release
        ledger = BudgetLedger(rho * (1 + 1e-9))
        out.append(
            ledger.gaussian(
                "audit", np.full(trials, count), rho, NoiseSource(child), measured="count"
            )
        )
    return out[0], out[1]


def selection_outputs(epsilon: float, trials: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The chosen index under q(D) = (0, 2) and q(D′) = (1, 1), Δ = 1 (each run spends ε²/8)."""
    out = []
    for scores, child in zip(
        ([0.0, 2.0], [1.0, 1.0]), np.random.SeedSequence(seed).spawn(2), strict=True
    ):
        ledger = BudgetLedger(exponential_rho(epsilon) * trials * (1 + 1e-9))
        noise = NoiseSource(child)
        q = np.array(scores)
        out.append(
            np.array(
                [
                    ledger.exponential("audit", q, epsilon, noise, measured="two candidates")
                    for _ in range(trials)
                ],
                dtype=float,
            )
        )
    return out[0], out[1]


PIPELINE_ROWS = 60


def _pipeline_table(planted: bool) -> tuple[pd.DataFrame, TableMetadata]:
    rng = np.random.default_rng(12345)  # the public part of D: fixed
    table = pd.DataFrame(
        {
            "target": np.zeros(PIPELINE_ROWS, dtype=np.int64),
            "b": rng.integers(0, 2, PIPELINE_ROWS),
            "c": rng.integers(0, 2, PIPELINE_ROWS),
        }
    )
    if planted:
        table = pd.concat(
            [table, pd.DataFrame({"target": [1], "b": [1], "c": [1]})], ignore_index=True
        )
    metadata = TableMetadata(
        tuple(
            ColumnSpec(name, "categorical", dtype="int64", categories=(0, 1), nullable=False)
            for name in table.columns
        )
    )
    return table, metadata


def mst_pipeline_outputs(epsilon: float, trials: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows with ``target == 1`` in MST's synthetic table without (D) and with (D′) the planted
    record."""
    synthesizer, privacy = registry.create("mst", iters=30), PrivacySpec(epsilon, DELTA)  # CKS once
    out = []
    for planted, child in zip((False, True), np.random.SeedSequence(seed).spawn(2), strict=True):
        table, metadata = _pipeline_table(planted)
        counts = []
        for run_seed in child.spawn(trials):
            noise_seed, sampling_seed = run_seed.spawn(2)
            config = RunConfig(
                noise=NoiseSource(noise_seed), sampling_rng=np.random.default_rng(sampling_seed)
            )
            fitted = synthesizer.fit(table, metadata, privacy, config)
            counts.append(int((fitted.sample(PIPELINE_ROWS)["target"] == 1).sum()))
        out.append(np.array(counts, dtype=float))
    return out[0], out[1]


AUDITS: dict[str, Callable[[float, int, int], tuple[np.ndarray, np.ndarray]]] = {
    "gaussian-count": gaussian_count_outputs,
    "selection": selection_outputs,
    "mst-pipeline": mst_pipeline_outputs,
}


def run_audit(name: str, epsilon: float, trials: int, seed: int) -> AuditRow:
    """Run one audit (see :data:`AUDITS`) and bound its ε.

    Args:
        name: which mechanism to audit.
        epsilon: the claimed ε (with δ = :data:`DELTA`).
        trials: runs on each of D and D′.
        seed: the audit's own seed (reproducible harness).

    Returns:
        The audit row.
    """
    a, b = AUDITS[name](epsilon, trials, seed)
    lower, point = epsilon_lower_bound(a, b)
    return AuditRow(name, epsilon, trials, lower, point)


def format_table(rows: list[AuditRow]) -> str:
    lines = [
        "| mechanism | claimed ε | runs per table | empirical ε lower bound (95 % CP) "
        "| plug-in ε | ok |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.mechanism} | {r.epsilon:g} | {r.trials:,} | {r.epsilon_lb:.3f} "
        f"| {r.epsilon_point:.3f} | "
        f"{'yes' if r.ok else 'NO'} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epsilons", type=float, nargs="+", default=[0.5, 1.0, 4.0])
    parser.add_argument(
        "--trials", type=int, default=2_000_000, help="runs per table for gaussian-count"
    )
    parser.add_argument("--selection-trials", type=int, default=40_000)
    parser.add_argument("--pipeline-trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    trials = {
        "gaussian-count": args.trials,
        "selection": args.selection_trials,
        "mst-pipeline": args.pipeline_trials,
    }
    rows = [
        run_audit(name, epsilon, trials[name], args.seed)
        for name in AUDITS
        for epsilon in args.epsilons
    ]
    sys.stdout.write(format_table(rows) + "\n")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
