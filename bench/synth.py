"""Run one synthesizer end to end and print one JSON line of figures.

    python -m bench.synth --method privsyn --data data/adult-encoded.csv \\
        --domain data/adult-encoded-domain.json --epsilon 1 --delta 1e-9 --seed 0 --out out/adult.csv

Encode → fit → sample → decode through the same pipeline the service uses. With ``--domain`` (a JSON
object column → size) the columns are integer codes 0..size-1 and the domain is public. Without it, the file
is read and its metadata inferred exactly as the service does (``web_app.ingestion.reader`` and
``web_app.data_inference``: bounds and category lists read off the data, *not* DP; the figures say so in
``non_dp_columns``). Prints ``wall_s``, ``fit_s``, ``sample_s``, ``peak_rss_mb``,
``rho_total``, ``rho_spent``, ``rows`` and the ledger by stage.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

import method.synthesis  # noqa: F401  (registers the methods)
from method.api import ColumnSpec, PrivacySpec, RunConfig, TableMetadata, registry
from web_app.data_inference import infer_metadata
from web_app.ingestion.reader import ingest_path
from web_app.synthesis_service import SEEDED_RUN_NOTE


def metadata_from_domain(domain: dict[str, int], table: pd.DataFrame) -> TableMetadata:
    """Public metadata for integer-coded columns 0..size-1."""
    return TableMetadata(tuple(
        ColumnSpec(name, "categorical", dtype=str(table[name].dtype), categories=tuple(range(size)), nullable=False)
        for name, size in domain.items()
    ))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", required=True, help=f"one of {', '.join(registry.list())}")
    parser.add_argument("--data", required=True, type=Path, help="CSV (or a zip holding one CSV)")
    parser.add_argument("--domain", type=Path, help="JSON {column: size} for integer-coded data")
    parser.add_argument("--epsilon", type=float, required=True)
    parser.add_argument("--delta", type=float, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rows", type=int, default=None, help="rows to sample (default: the DP estimate of n)")
    parser.add_argument("--time-budget", type=float, default=None, help="wall-clock budget in seconds")
    parser.add_argument("--knob", action="append", default=[], metavar="NAME=JSON", help="method knob, repeatable")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.domain:
        table = pd.read_csv(args.data)
        metadata = metadata_from_domain(json.loads(args.domain.read_text()), table)
    else:
        table = ingest_path(args.data).frame
        metadata = infer_metadata(table).to_table_metadata()
    knobs = {name: json.loads(value) for name, value in (k.split("=", 1) for k in args.knob)}
    synthesizer = registry.create(args.method, **knobs)
    privacy = PrivacySpec(epsilon=args.epsilon, delta=args.delta)
    if args.seed is not None:
        sys.stderr.write(f"warning: --seed {args.seed}: {SEEDED_RUN_NOTE}\n")
    config = RunConfig(seed=args.seed, time_budget_s=args.time_budget)

    fit_started = time.perf_counter()
    fitted = synthesizer.fit(table[list(metadata.names)], metadata, privacy, config)
    sample_started = time.perf_counter()
    synthetic = fitted.sample(args.rows)
    finished = time.perf_counter()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    synthetic.to_csv(args.out, index=False)
    figures = {
        "method": args.method,
        "epsilon": args.epsilon,
        "delta": args.delta,
        "seed": args.seed,
        "wall_s": round(finished - started, 3),
        "fit_s": round(sample_started - fit_started, 3),
        "sample_s": round(finished - sample_started, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rho_total": fitted.ledger.total_rho,
        "rho_spent": fitted.ledger.spent,
        "rows": len(synthetic),
        "rho_by_stage": fitted.ledger.spent_by_stage(),
        "non_dp_columns": list(metadata.non_dp_provenance()),
    }
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
