"""Wall-clock time of the whole evaluation report on a generated 50,000 × 20 table (target: ≤ 15 s).

    python -m bench.evaluation [--rows 50000] [--columns 20] [--target label]

The real table mixes every kind the evaluation handles: categories (a few to 200 values, some rare), integer
codes (hundreds of values), heavy-tailed and normal numbers with missing values, a date column and a binary
label that depends on the others. The synthetic table is the real one with noise and an independent shuffle
of a few columns (so every check has something to find). Times :func:`web_app.evaluation.evaluate.evaluate`
(fidelity, verdict, utility with the target, disclosure) and the HTML rendering, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from method.api import ColumnSpec, TableMetadata
from web_app.evaluation.evaluate import evaluate, run_card
from web_app.evaluation.report import render_html

TARGET_SECONDS = 15.0


def generated(rows: int, columns: int, seed: int = 0) -> tuple[pd.DataFrame, TableMetadata]:
    """A ``rows × columns`` real table (module docstring) and its metadata."""
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, rows)
    frame: dict[str, object] = {}
    specs = []
    for i in range(columns - 2):
        name = f"c{i:02d}"
        kind = i % 4
        if kind == 0:
            size = (3, 12, 60, 200)[i // 4 % 4]
            weights = 1 / np.arange(1, size + 1)
            frame[name] = np.array([f"v{k}" for k in range(size)])[rng.choice(size, rows, p=weights / weights.sum())]
            specs.append(ColumnSpec(name, "categorical", dtype="str", other_token=True))
        elif kind == 1:
            frame[name] = np.round(40 + 10 * (base + rng.normal(0, 1, rows)), 1)
            specs.append(ColumnSpec(name, "numerical", dtype="float64", lower=-100.0, upper=200.0, nullable=True))
        elif kind == 2:
            values = np.where(rng.random(rows) < 0.9, 0.0, rng.lognormal(7, 1.5, rows)).round(0)
            values[rng.random(rows) < 0.05] = np.nan
            frame[name] = values
            specs.append(ColumnSpec(name, "numerical", dtype="float64", lower=0.0, upper=1e7, nullable=True))
        else:
            codes = np.sort(rng.choice(np.arange(1000, 9999), 400, replace=False))
            frame[name] = codes[rng.integers(0, 400, rows)].astype("float64")
            specs.append(ColumnSpec(name, "numerical", dtype="float64", lower=1000.0, upper=9999.0))
    start = np.datetime64("2015-01-01", "ns")
    frame["when"] = start + (rng.integers(0, 3000, rows) * 86_400 * 10**9).astype("timedelta64[ns]")
    specs.append(ColumnSpec("when", "datetime", dtype="datetime64[ns]", lower=float(start.astype("int64")),
                            upper=float((start + np.timedelta64(3000, "D")).astype("int64"))))
    frame["label"] = np.where(base + rng.normal(0, 0.7, rows) > 0.3, "yes", "no")
    specs.append(ColumnSpec("label", "categorical", dtype="str", categories=("no", "yes")))
    return pd.DataFrame(frame), TableMetadata(tuple(specs))


def synthetic_like(real: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """The real rows, numbers jittered, a third of the columns shuffled independently."""
    rng = np.random.default_rng(seed)
    synth = real.sample(frac=1, random_state=seed).reset_index(drop=True)
    for k, name in enumerate(synth.columns):
        if pd.api.types.is_float_dtype(synth[name].dtype):
            synth[name] = synth[name] + rng.normal(0, 0.5, len(synth)).round(1)
        if k % 3 == 0:
            synth[name] = rng.permutation(synth[name].to_numpy())
    return synth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--target", default="label")
    args = parser.parse_args(argv)
    real, metadata = generated(args.rows, args.columns)
    synth = synthetic_like(real)
    card = run_card("bench", real, synth, metadata, method="bench", epsilon=1.0, delta=1e-9)
    started = time.perf_counter()
    report = evaluate(real, synth, metadata, card, target=args.target or None)
    evaluated = time.perf_counter() - started
    html = render_html(report)
    total = time.perf_counter() - started
    figures = {"rows": args.rows, "columns": args.columns, "target": args.target, "evaluate_s": round(evaluated, 2),
               "with_html_s": round(total, 2), "target_s": TARGET_SECONDS, "within_target": total <= TARGET_SECONDS,
               "overall": round(report.verdict.overall, 1), "baseline": round(report.verdict.baseline_overall, 1),
               "warnings": len(report.verdict.warnings), "html_kb": round(len(html) / 1024)}
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
