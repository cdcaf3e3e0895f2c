"""Reference floors for the average 3-way TVD of a synthetic table, and where AIM's error comes from.

    python -m bench.floors --data data/adult-encoded.csv --domain data/adult-encoded-domain.json \\
        [--aim-epsilon 10 --seed 0 --time-budget 540]

What a synthetic table of n rows can score against the real one (no privacy involved):

* ``bootstrap``: n rows drawn i.i.d. from the real table itself, i.e. a *perfect model of the sample*
  sampled i.i.d.;
* ``halves``: two disjoint halves of the real table compared with each other: both are samples of the same
  population, so this is what a perfect model of the *population* scores at n/2 rows, sampled i.i.d.
  (on Adult each doubling of the rows multiplies it by about 0.74: docs/pgm.md).

With ``--aim-epsilon`` AIM runs once (encoded data, δ = 1e-9, the default knobs) and its error is split:
``synthetic`` (what the benchmark reports), ``model`` (the model's own marginals, read off 20·n sampled
rows), and ``noise_free`` (the cliques AIM chose, refit to their exact answers, warm-started, then sampled):
the gap between ``noise_free`` and ``synthetic`` is what measurement noise costs; the rest is which cliques
the model holds and the sampling of n rows. AIM's TVDs are on the compressed codes it models. Every figure
is also given per number of *wide* columns (more than ``--wide`` values in the domain) in the triple.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.tvd import marginal_tvds
from method.api import PrivacySpec, RunConfig
from method.api.metadata import Domain
from method.api.privacy import BudgetLedger
from method.pgm.compression import compress_data
from method.pgm.estimation import Measurement, mirror_descent
from method.pgm.marginals import marginal_counts
from method.synthesis.AIM.mechanism import AIMSettings, run_aim
from web_app.synthesis_service import SEEDED_RUN_NOTE

DELTA = 1e-9


def grouped_tvd(
    real: np.ndarray, synth: np.ndarray, sizes: tuple[int, ...], wide: frozenset[int]
) -> dict[str, float]:
    """Mean 3-way TVD over all triples, and per number of ``wide`` columns (indices) in the triple."""
    groups: dict[str, list[float]] = {}
    for triple, tvd in marginal_tvds(real, synth, sizes, 3):
        groups.setdefault(f"{len(wide.intersection(triple))}_wide", []).append(tvd)
    summary = {key: round(float(np.mean(v)), 4) for key, v in sorted(groups.items())}
    summary["all"] = round(float(np.mean([x for v in groups.values() for x in v])), 4)
    return summary


def sample_floors(data: np.ndarray, sizes: tuple[int, ...], wide: frozenset[int], rng: np.random.Generator) -> dict:
    n = len(data)
    order = rng.permutation(n)
    return {
        "bootstrap": grouped_tvd(data, data[rng.integers(0, n, n)], sizes, wide),
        "halves": grouped_tvd(data[order[: n // 2]], data[order[n // 2 :]], sizes, wide),
    }


def aim_breakdown(data: np.ndarray, domain: Domain, wide: frozenset[int], args: argparse.Namespace) -> dict:
    spec = PrivacySpec(epsilon=args.aim_epsilon, delta=DELTA)
    sys.stderr.write(f"warning: --seed {args.seed}: {SEEDED_RUN_NOTE}\n")
    config = RunConfig(seed=args.seed, time_budget_s=args.time_budget)
    fitted = run_aim(data, domain, BudgetLedger(spec.rho), config, AIMSettings())
    model, sizes = fitted.model, tuple(c.size for c in fitted.compressions)
    codes, n = compress_data(data, domain.sizes, fitted.compressions), len(data)
    exact = [Measurement(c, marginal_counts(codes, sizes, c).astype(float), 1.0) for c in model.cliques]
    refit = mirror_descent(sizes, exact, iters=1000, total=float(n), warm_start=model)
    rng = np.random.default_rng(args.seed)
    return {
        "epsilon": args.aim_epsilon,
        "cliques": len(model.cliques),
        "synthetic": grouped_tvd(codes, model.sample(model.default_rows, rng), sizes, wide),
        "model": grouped_tvd(codes, model.sample(20 * n, rng), sizes, wide),
        "noise_free": grouped_tvd(codes, refit.sample(n, rng), sizes, wide),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="integer-coded CSV")
    parser.add_argument("--domain", required=True, type=Path, help="JSON {column: size}")
    parser.add_argument("--wide", type=int, default=50, help="a column with more values than this is wide")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--aim-epsilon", type=float, default=None, help="also split one AIM run's error")
    parser.add_argument("--time-budget", type=float, default=None, help="AIM's wall-clock budget in seconds")
    args = parser.parse_args(argv)
    sizes_by_name = json.loads(args.domain.read_text())
    domain = Domain(tuple(sizes_by_name), tuple(sizes_by_name.values()))
    data = pd.read_csv(args.data)[list(domain.names)].to_numpy(np.int64)
    wide = frozenset(a for a, size in enumerate(domain.sizes) if size > args.wide)
    result = sample_floors(data, domain.sizes, wide, np.random.default_rng(args.seed))
    if args.aim_epsilon is not None:
        result["aim"] = aim_breakdown(data, domain, wide, args)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
