"""Adult encoded as the AIM paper encoded it, to compare our AIM with the paper's published figures.

    python -m bench.paper_adult --out out/paper-adult     # writes adult.csv + adult-domain.json there

The paper (ALGORITHMS.md §5) used all 15 columns with every numeric column that has more than 32 values cut
into 32 equal-width bins: domain sizes 2–42, 4.09 × 10¹⁶ cells in all. Our bundled
``data/adult-encoded.csv`` keeps 100 bins (85–100 values for five columns), which makes every 3-way marginal
that holds two of them far sparser. Run ``bench.synth`` and ``bench.tvd`` on the output as on the bundled file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.tvd import equal_width_codes

RAW_ADULT = Path(__file__).resolve().parent.parent / "data" / "adult.csv.zip"
BINS = 32


def paper_encoding(raw: pd.DataFrame, bins: int = BINS) -> tuple[pd.DataFrame, dict[str, int]]:
    """Integer codes: numeric columns with more than ``bins`` values in ``bins`` equal-width bins, every other
    column's values numbered in order of appearance (a missing marker such as ``?`` is a value)."""
    codes, domain = {}, {}
    for name, column in raw.items():
        if pd.api.types.is_numeric_dtype(column) and column.nunique() > bins:
            codes[name], domain[name] = equal_width_codes(column, column.min(), column.max(), bins), bins
        else:
            values, uniques = pd.factorize(column.astype("string"))
            codes[name], domain[name] = values, len(uniques)
    return pd.DataFrame(codes), domain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=RAW_ADULT, help="the raw 15-column Adult (CSV or zip)")
    parser.add_argument("--out", type=Path, required=True, help="directory for adult.csv + adult-domain.json")
    args = parser.parse_args()
    table, domain = paper_encoding(pd.read_csv(args.raw))
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "adult.csv", index=False)
    (args.out / "adult-domain.json").write_text(json.dumps(domain))
    cells = float(np.prod([float(size) for size in domain.values()]))
    summary = {"rows": len(table), "columns": len(domain), "domain": domain, "cells": f"{cells:.3g}"}
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
