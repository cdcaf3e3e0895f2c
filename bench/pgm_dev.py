"""Development benchmark for the Private-PGM mechanisms on integer-coded data (until bench.synth lands).

    python -m bench.pgm_dev --method mst --epsilon 1 --seed 0

Prints one JSON line: wall/fit/sample seconds, peak RSS, ρ total/spent, rows, and the average 1/2/3-way
TVD (0.5·L1 between normalised marginals, averaged over all attribute sets of that size).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

import method.synthesis  # noqa: F401
from method.api.base import PrivacySpec, RunConfig, registry
from method.api.metadata import Domain
from method.api.privacy import BudgetLedger


def average_tvd(real: np.ndarray, synth: np.ndarray, sizes: tuple[int, ...], k: int) -> float:
    from method.pgm.marginals import marginal_counts

    errors = []
    for clique in itertools.combinations(range(len(sizes)), k):
        a = marginal_counts(real, sizes, clique).ravel()
        b = marginal_counts(synth, sizes, clique).ravel()
        errors.append(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())
    return float(np.mean(errors))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", required=True)
    parser.add_argument("--data", default="data/adult-encoded.csv")
    parser.add_argument("--domain", default="data/adult-encoded-domain.json")
    parser.add_argument("--epsilon", type=float, default=1.0)
    parser.add_argument("--delta", type=float, default=1e-9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--knobs", default="{}", help="JSON object of method knobs")
    parser.add_argument("--time-budget", type=float, default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    table = pd.read_csv(args.data)
    with open(args.domain) as f:
        sizes = json.load(f)
    domain = Domain.from_dict(sizes)
    data = table[list(domain.names)].to_numpy(dtype=np.int64)
    privacy = PrivacySpec(epsilon=args.epsilon, delta=args.delta)
    ledger = BudgetLedger(privacy.rho)
    t0 = time.perf_counter()

    def show(progress) -> None:
        if args.verbose:
            print(f"{time.perf_counter() - t0:7.1f}s {progress.stage} {progress.message}", file=sys.stderr)  # noqa: T201

    config = RunConfig(seed=args.seed, time_budget_s=args.time_budget, on_progress=show)
    synthesizer = registry.create(args.method, **json.loads(args.knobs))
    model = synthesizer.fit_discrete(data, domain, ledger, config)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    synth = model.sample(model.default_rows, config.rng)
    sample_s = time.perf_counter() - t1
    wall = time.perf_counter() - started
    result = {
        "method": args.method, "epsilon": args.epsilon, "seed": args.seed,
        "wall_s": round(wall, 2), "fit_s": round(fit_s, 2), "sample_s": round(sample_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rho_total": privacy.rho, "rho_spent": ledger.spent, "rows": int(len(synth)),
    }  # fmt: skip
    for k in (1, 2, 3):
        result[f"tvd_{k}way"] = round(average_tvd(data, synth, domain.sizes, k), 4)
    print(json.dumps(result))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
