"""What DP domain discovery costs: the raw Adult CSV on the default path versus the exact domain declared.

    python -m bench.domain_cost [--methods privsyn,aim,mst] [--seeds 0,1,2] [--epsilon 1] [--out DIR]

For each method and seed, the bundled ``data/adult.csv.zip`` goes through what the service does on
confirm — the inferred draft, :func:`web_app.review.confirm.confirm_run`, ``prepare_table``,
``synthesize``, the CSV — twice: with ``domain_mode=dp`` (nothing declared: every fact discovered with DP,
the default) and with ``as_confirmed`` (the draft, read off the data, declared public: the exact domain).
Both are scored against the real file with :func:`bench.tvd.tvd_report` on one fixed encoding — the real
values as categories, numeric columns with more than 32 distinct values in 32 equal-width bins over the
real range, a missing cell one value however it is written — so binning and clipping losses count. Prints
one JSON line per run (the ledger's sum and its ``domain:*`` share included), then the medians.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.tvd import tvd_report
from web_app.data_inference import infer_metadata
from web_app.ingestion.errors import IngestionLimits
from web_app.ingestion.reader import ingest_path
from web_app.review.apply import prepare_table
from web_app.review.confirm import confirm_run
from web_app.review.output import write_csv
from web_app.review.payload import draft_payload
from web_app.synthesis_service import SynthesisRequest, synthesize

ADULT = Path(__file__).resolve().parents[1] / "data" / "adult.csv.zip"
EVALUATION_BINS = 32
#: A missing cell is missing however it is written (Adult writes "?", the DP default writes nothing).
MISSING = ["", "?"]


def run(method: str, mode: str, seed: int, epsilon: float, time_budget: float | None) -> dict[str, object]:
    """One run of the default path (``mode=dp``) or of the declared exact domain (``as_confirmed``)."""
    table = ingest_path(ADULT)
    domain, info = draft_payload(infer_metadata(table.frame), table.frame, null_token=table.null_token)
    request = SynthesisRequest(method, epsilon, 1e-9, seed=seed, time_budget_s=time_budget, domain_mode=mode)
    started = time.perf_counter()
    schema, story = confirm_run(domain, info, table.frame, request, limits=IngestionLimits())
    prepared = prepare_table(table.frame, schema, np.random.default_rng(seed))
    result = synthesize(prepared, schema.metadata, request, story=story)
    wall = time.perf_counter() - started
    csv = write_csv(result.frame, schema.csv_format())
    real = pd.read_csv(ADULT, dtype=str, keep_default_na=False, na_values=MISSING)
    synth = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False, na_values=MISSING)
    privacy = result.privacy
    domain_rho = sum(e.rho for e in privacy.ledger if e.stage.startswith("domain:"))
    return {"method": method, "mode": mode, "seed": seed, "epsilon": epsilon, "rho": privacy.rho,
            "ledger_sum": sum(e.rho for e in privacy.ledger), "domain_rho": domain_rho,
            "wall_s": round(wall, 1),
            **tvd_report(real, synth.reindex(columns=real.columns, fill_value=""), bins=EVALUATION_BINS)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="privsyn,aim,mst")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epsilon", type=float, default=1.0)
    parser.add_argument("--time-budget", type=float, default=None, help="seconds per run (AIM)")
    parser.add_argument("--out", type=Path, default=None, help="append the JSON lines to DIR/domain_cost.jsonl")
    args = parser.parse_args(argv)
    rows = []
    for method in args.methods.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            for mode in ("dp", "as_confirmed"):
                row = run(method, mode, seed, args.epsilon, args.time_budget)
                rows.append(row)
                line = json.dumps(row)
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
                if args.out:
                    args.out.mkdir(parents=True, exist_ok=True)
                    with (args.out / "domain_cost.jsonl").open("a") as sink:
                        sink.write(line + "\n")
    for method in args.methods.split(","):
        medians = {mode: statistics.median(r["tvd_3way"] for r in rows  # type: ignore[misc]
                                           if r["method"] == method and r["mode"] == mode)
                   for mode in ("dp", "as_confirmed")}
        ratio = medians["dp"] / medians["as_confirmed"]
        sys.stdout.write(f"{method}: 3-way TVD median dp {medians['dp']:.4f} vs declared "
                         f"{medians['as_confirmed']:.4f} ({ratio - 1:+.1%})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
