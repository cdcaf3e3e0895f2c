"""Average 1-, 2- and 3-way marginal TVD between a real and a synthetic table (benchmark figures).

    python -m bench.tvd --real data/adult-encoded.csv --synth out/adult.csv [--bins 100]

TVD of a marginal = ½‖p_real − p_synth‖₁ over the cells of the attribute set; the figure for k-way is the
mean over *all* k-attribute sets. Columns are compared as categories (values as they appear in the files),
except numeric columns with more than ``--bins`` distinct values, which are cut into that many
equal-width bins over the real column's range first. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from itertools import combinations

import numpy as np
import pandas as pd


def equal_width_codes(values: np.ndarray | pd.Series, lower: float, upper: float, bins: int) -> np.ndarray:
    """The bin (0..bins-1) of each value among ``bins`` equal-width bins over ``[lower, upper]``.

    >>> equal_width_codes(np.array([0, 24, 25, 99, 100]), 0, 100, 4).tolist()
    [0, 0, 1, 3, 3]
    """
    return np.searchsorted(np.linspace(lower, upper, bins + 1)[1:-1], values, side="right")


def _binned(real: pd.Series, synth: pd.Series, bins: int) -> tuple[pd.Series, pd.Series]:
    """Numeric columns with more than ``bins`` distinct values: equal-width bins over the real range."""
    real_numbers = pd.to_numeric(real, errors="coerce")
    synth_numbers = pd.to_numeric(synth, errors="coerce")
    parsed = real_numbers.notna() | real.isna() | (real == "")
    if not parsed.all() or real_numbers.nunique() <= bins:
        return real, synth
    lower, upper = real_numbers.min(), real_numbers.max()

    def to_bins(numbers: pd.Series, raw: pd.Series) -> pd.Series:
        labels = pd.Series(equal_width_codes(numbers, lower, upper, bins), index=raw.index).astype("string")
        return labels.where(numbers.notna(), raw)

    return to_bins(real_numbers, real), to_bins(synth_numbers, synth)


def encode_pair(
    real: pd.DataFrame, synth: pd.DataFrame, bins: int = 32
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Integer-code both tables on the union of their values per column (missing is its own value);
    numeric columns with many distinct values are first cut into ``bins`` equal-width bins."""
    real_codes, synth_codes, sizes = [], [], []
    for column in real.columns:
        real_column, synth_column = _binned(real[column], synth[column], bins)
        both = pd.concat([real_column, synth_column], ignore_index=True).astype("string").fillna("\x00<NA>")
        codes, uniques = pd.factorize(both)
        real_codes.append(codes[: len(real)])
        synth_codes.append(codes[len(real) :])
        sizes.append(len(uniques))
    return np.column_stack(real_codes), np.column_stack(synth_codes), sizes


def marginal_tvds(real: np.ndarray, synth: np.ndarray, sizes: Sequence[int], k: int) -> Iterator[tuple[tuple, float]]:
    """(attribute set, TVD) for every k-attribute marginal."""
    for attrs in combinations(range(len(sizes)), k):
        shape = tuple(sizes[a] for a in attrs)
        cells = int(np.prod(shape))
        p = np.bincount(np.ravel_multi_index(real[:, attrs].T, shape), minlength=cells) / len(real)
        q = np.bincount(np.ravel_multi_index(synth[:, attrs].T, shape), minlength=cells) / len(synth)
        yield attrs, 0.5 * float(np.abs(p - q).sum())


def average_tvd(real: np.ndarray, synth: np.ndarray, sizes: Sequence[int], k: int) -> float:
    """Mean TVD over all k-attribute marginals."""
    values = [tvd for _, tvd in marginal_tvds(real, synth, sizes, k)]
    return float(np.mean(values)) if values else float("nan")


def tvd_report(real: pd.DataFrame, synth: pd.DataFrame, max_way: int = 3, bins: int = 100) -> dict[str, float]:
    missing = [c for c in real.columns if c not in synth.columns]
    if missing:
        raise SystemExit(f"synthetic table lacks columns {missing}")
    real_codes, synth_codes, sizes = encode_pair(real, synth[real.columns], bins)
    return {f"tvd_{k}way": round(average_tvd(real_codes, synth_codes, sizes, k), 5) for k in range(1, max_way + 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", required=True)
    parser.add_argument("--synth", required=True)
    parser.add_argument("--max-way", type=int, default=3)
    parser.add_argument("--bins", type=int, default=100, help="bin numeric columns with more distinct values")
    args = parser.parse_args(argv)
    real = pd.read_csv(args.real, dtype=str, keep_default_na=False)
    synth = pd.read_csv(args.synth, dtype=str, keep_default_na=False)
    sys.stdout.write(json.dumps(tvd_report(real, synth, args.max_way, args.bins)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
