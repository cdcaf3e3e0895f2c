"""Scale benchmark: wide generated tables and Adult replicated to millions of rows, every figure printed.

    python -m bench.scale                         # all cases below, seeds 0 1 2, one process per run
    python -m bench.scale --case wide100 --method mst --seed 0   # one run, one JSON line

Cases (ε = 1, δ = 1e-9; AIM with a 600 s time budget, the others with none):

* ``wide100``: a generated 50,000 × 100 mixed table (``bench.tables.mixed_table``), privsyn, aim, mst;
* ``wide200``: a generated 2,000 × 200 table, privsyn, aim, mst;
* ``rows340k``: a generated 340,000 × 19 table, privsyn;
* ``adult100k`` / ``adult1m`` / ``adult5m``: the bundled Adult replicated to 100,000 / 1,000,000 /
  5,000,000 rows, mst and privsyn.

Each run goes through the service's own inference and pipeline (metadata read off the data, *not* DP, as
in ``bench.synth``) in its own process, so ``peak_rss_mb`` is the run's. ``tvd_3way`` is the mean 3-way TVD
over 500 fixed random triples (all triples of 200 columns are 1.3 million) on ``bench.tvd``'s fixed encoding,
and ``baseline_3way`` the same for the independent-columns baseline: each column drawn from its own DP
1-way of the same ε (Gaussian, ρ/d per column, on that encoding). Below the baseline means the method
captured correlations.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import method.synthesis  # noqa: F401  (registers the methods)
from bench.synth import peak_rss_mb
from bench.tables import mixed_table
from bench.tvd import encode_pair
from method.api import PrivacySpec, RunConfig, registry
from web_app.data_inference import infer_metadata
from web_app.ingestion.reader import ingest_path

CASES: dict[str, tuple[str, ...]] = {
    "wide100": ("mst", "privsyn", "aim"),
    "wide200": ("mst", "privsyn", "aim"),
    "rows340k": ("privsyn",),
    "adult100k": ("mst", "privsyn"),
    "adult1m": ("mst", "privsyn"),
    "adult5m": ("mst", "privsyn"),
}
AIM_BUDGET_S = 600.0
TRIPLES = 500


def load(case: str, seed: int) -> pd.DataFrame:
    if case == "wide100":
        return mixed_table(50_000, 100, seed)
    if case == "wide200":
        return mixed_table(2_000, 200, seed)
    if case == "rows340k":
        return mixed_table(340_000, 19, seed)
    rows = {"adult100k": 100_000, "adult1m": 1_000_000, "adult5m": 5_000_000}[case]
    adult = ingest_path("data/adult.csv.zip").frame
    return pd.concat([adult] * math.ceil(rows / len(adult)), ignore_index=True).iloc[:rows]


def sampled_tvd(real: np.ndarray, synth: np.ndarray, sizes: list[int], triples: np.ndarray) -> float:
    values = []
    for attrs in triples:
        shape = tuple(sizes[a] for a in attrs)
        cells = math.prod(shape)
        p = np.bincount(np.ravel_multi_index(real[:, attrs].T, shape), minlength=cells) / len(real)
        q = np.bincount(np.ravel_multi_index(synth[:, attrs].T, shape), minlength=cells) / len(synth)
        values.append(0.5 * float(np.abs(p - q).sum()))
    return float(np.mean(values))


def independent_baseline(real: np.ndarray, sizes: list[int], rho: float, seed: int) -> np.ndarray:
    """Each column drawn independently from its 1-way with Gaussian noise of ρ/d (clipped, normalised)."""
    rng = np.random.default_rng(10_000 + seed)
    sigma = math.sqrt(len(sizes) / (2 * rho))
    columns = []
    for a, k in enumerate(sizes):
        noisy = np.clip(np.bincount(real[:, a], minlength=k) + rng.normal(0, sigma, k), 0, None)
        p = noisy / noisy.sum() if noisy.sum() > 0 else np.full(k, 1 / k)
        columns.append(rng.choice(k, size=len(real), p=p))
    return np.stack(columns, axis=1)


def run_one(case: str, method_name: str, seed: int, epsilon: float) -> dict:
    table = load(case, seed)
    started = time.perf_counter()
    metadata = infer_metadata(table).to_table_metadata()
    privacy = PrivacySpec(epsilon=epsilon, delta=1e-9)
    budget = AIM_BUDGET_S if method_name == "aim" else None
    fitted = registry.create(method_name).fit(
        table[list(metadata.names)], metadata, privacy, RunConfig(seed=seed, time_budget_s=budget))
    synthetic = fitted.sample()
    wall = time.perf_counter() - started
    rss = peak_rss_mb()
    real_codes, synth_codes, sizes = encode_pair(table.astype("string"), synthetic[table.columns].astype("string"))
    rng = np.random.default_rng(seed)
    d = len(sizes)
    triples = np.array(sorted({tuple(sorted(rng.choice(d, 3, replace=False))) for _ in range(TRIPLES)}))
    baseline = independent_baseline(real_codes, sizes, privacy.rho, seed)
    return {
        "case": case, "method": method_name, "seed": seed, "epsilon": epsilon,
        "rows": len(table), "columns": table.shape[1], "wall_s": round(wall, 1), "peak_rss_mb": round(rss),
        "rho_spent": fitted.ledger.spent, "rho": fitted.ledger.total_rho,
        "tvd_3way": round(sampled_tvd(real_codes, synth_codes, sizes, triples), 4),
        "baseline_3way": round(sampled_tvd(real_codes, baseline, sizes, triples), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=tuple(CASES))
    parser.add_argument("--method")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epsilon", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.case and args.method:
        sys.stdout.write(json.dumps(run_one(args.case, args.method, args.seed, args.epsilon)) + "\n")
        return 0
    cases = [args.case] if args.case else list(CASES)
    for case in cases:
        for method_name in ([args.method] if args.method else CASES[case]):
            for seed in args.seeds:
                done = subprocess.run(
                    [sys.executable, "-m", "bench.scale", "--case", case, "--method", method_name,
                     "--seed", str(seed), "--epsilon", str(args.epsilon)],
                    capture_output=True, text=True, check=False)
                line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else json.dumps(
                    {"case": case, "method": method_name, "seed": seed, "error": done.stderr[-500:]})
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
