"""DP domain discovery: the facts about a column that nobody declared, derived with DP and charged.

A column the caller did not declare public gets every structural fact from here, each charged to the
job's :class:`~method.api.privacy.BudgetLedger` under a ``domain:*`` stage (``docs/privacy.md``):

* :func:`dp_structure` — the kind, nullable, integer flag and identifier test from one Gaussian release
  of five counts (present, missing, not a number, not whole, distinct), each of sensitivity 1;
* :func:`dp_datetime_format` — for text columns, the first public candidate format whose noisy count of
  values it fails to parse is small;
* :func:`dp_categories` — the category list by a thresholded Gaussian histogram over the values that
  occur (a stability-based histogram; Bun–Steinke approximate zCDP: ρ, plus a failure probability δ_τ
  for a value only one record holds), values below the threshold go to the public "other" bucket;
* :func:`dp_decimals` — for numbers that are not whole, the decimals they are written with, from one
  Gaussian release of the counts of values needing more than 0, 1, … decimals;
* :func:`dp_bounds` — lower and upper bounds from Gaussian histograms over *public* bins: powers of
  two first, then equal sub-bins of that range, then the two tails beyond the sub-bins (no δ: the bins
  do not depend on the data).

Each record contributes one value to each column, so every histogram here has L2 sensitivity 1 and a
vector of ``k`` counts has sensitivity √k. Decisions are post-processing of the noisy releases. The
functions never read an exact statistic into anything they return.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from method.api.errors import InvalidParameterError
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger

STRUCTURE_STAGE = "domain:structure"
FORMAT_STAGE = "domain:datetime_format"
CATEGORIES_STAGE = "domain:categories"
BOUNDS_STAGE = "domain:bounds"
DECIMALS_STAGE = "domain:decimals"
#: The most decimals a column is written with; a column needing more is written at full precision.
MAX_DECIMALS = 6

#: Magnitude bins of the first bounds stage: ±[2^k, 2^(k+1)) for k in this range, plus one bin around 0.
_MIN_EXPONENT, _MAX_EXPONENT = -20, 64
#: Equal sub-bins of the first stage's range in the second.
_SUB_BINS = 256
#: Family-wise chance that an empty bin passes a bounds threshold (sets z of the threshold).
_EMPTY_BIN_PASS = 0.01
_ID_NAME = re.compile(r"(^|[^a-z])(id|key|uuid|guid)([^a-z]|$)|_id$|^id", re.IGNORECASE)


def threshold(sigma: float, delta: float) -> float:
    """The release threshold of a stability-based histogram: a value held by one record passes it with
    probability at most ``delta`` (sub-Gaussian tail, valid for the Gaussian and the discrete Gaussian).

    >>> round(threshold(10.0, 1e-10), 2)
    68.86
    """
    if not 0 < delta < 1:
        raise InvalidParameterError(f"the threshold's delta must be in (0, 1), got {delta!r}")
    return 1.0 + sigma * math.sqrt(2.0 * math.log(1.0 / delta))


def _z(bins: int) -> float:
    return math.sqrt(2.0 * math.log(bins / _EMPTY_BIN_PASS))


def noisy_counts(ledger: BudgetLedger, stage: str, counts: Mapping[str, int], rho: float,
                 noise: NoiseSource, *, measured: str) -> tuple[dict[str, float], float]:
    """Release ``counts`` (each of sensitivity 1) with one Gaussian draw of sensitivity √k.

    Returns:
        The noisy counts by name and the noise scale σ.
    """
    names = list(counts)
    values = np.array([counts[name] for name in names], dtype=float)
    sensitivity = math.sqrt(len(names))
    noisy = ledger.gaussian(stage, values, rho, noise, measured=measured, sensitivity=sensitivity)
    return dict(zip(names, (float(v) for v in noisy), strict=True)), sensitivity / math.sqrt(2.0 * rho)


@dataclass(frozen=True, slots=True)
class Structure:
    """What :func:`dp_structure` decided for one column (every field a function of noisy counts).

    Attributes:
        kind: ``numerical``, ``text`` (datetime or categorical, decided next) or ``excluded``.
        nullable: the noisy missing count clears its threshold.
        integer: numerical only: the noisy count of non-whole numbers is below its threshold.
        near_unique: the noisy distinct count is at least 95 % of the noisy present count.
        reason: why, in words a report can show.
    """

    kind: str
    nullable: bool
    integer: bool
    near_unique: bool
    reason: str


def _numbers(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return pd.Series(np.nan, index=series.index)
    return pd.to_numeric(series, errors="coerce")


#: Noise crosses a threshold of ``_MARGIN`` σ with probability 3·10⁻⁵: decisions do not flicker.
_MARGIN = 4.0


def _mostly(count: float, total: float, sigma: float, share: float) -> bool:
    """``count`` of ``total`` is all but a small ``share`` — and clearly so under noise σ (a count that
    noise alone could explain is not evidence; small tables default to the safer answer)."""
    return total - count >= _MARGIN * sigma and count <= share * total + _MARGIN * sigma


def dp_structure(series: pd.Series, ledger: BudgetLedger, rho: float, noise: NoiseSource) -> Structure:
    """Kind, nullable and integer flag of an undeclared column from five noisy counts.

    Rules on the noisy counts: fewer than ``4σ`` present values → excluded; all but 1 % numbers, clearly
    → numerical (integer when all but 0.1 % of them are whole, clearly), and excluded as an identifier
    if near-unique and named like one; else text. Missing cells above ``4σ`` make the column nullable.
    """
    present = series.notna()
    numbers = _numbers(series[present])
    finite = numbers[np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))]
    counts = {
        "present": int(present.sum()),
        "missing": int((~present).sum()),
        "not_number": int(present.sum() - len(finite)),
        "not_whole": int((finite != finite.round()).sum()),
        "distinct": int(series[present].nunique()),
    }
    noisy, sigma = noisy_counts(ledger, STRUCTURE_STAGE, counts, rho, noise, measured=str(series.name))
    nullable = noisy["missing"] > _MARGIN * sigma
    near_unique = noisy["distinct"] >= 0.95 * noisy["present"]
    if noisy["present"] < _MARGIN * sigma:
        return Structure("excluded", nullable, False, near_unique,
                         "too few values to describe with DP at this budget")
    if _mostly(noisy["not_number"], noisy["present"], sigma, 0.01):
        integer = _mostly(noisy["not_whole"], noisy["present"] - noisy["not_number"], sigma, 0.001)
        if near_unique and integer and _ID_NAME.search(str(series.name)):
            return Structure("excluded", nullable, True, near_unique,
                             "near-unique whole numbers named like an identifier")
        return Structure("numerical", nullable, integer, near_unique, "numbers")
    return Structure("text", nullable, False, near_unique, "text values")


def decimals_needed(numbers: np.ndarray) -> np.ndarray:
    """Per finite number, the fewest decimals (0..MAX_DECIMALS) that write it exactly, MAX_DECIMALS + 1 if none.

    >>> decimals_needed(np.array([2.0, 0.1, 0.125, 1e-9])).tolist()
    [0, 1, 3, 7]
    """
    needed = np.full(numbers.shape, MAX_DECIMALS + 1, dtype=np.int64)
    for places in range(MAX_DECIMALS, -1, -1):
        exact = np.isclose(np.round(numbers, places), numbers, rtol=1e-12, atol=0.0)
        needed[exact] = places
    return needed


def dp_decimals(values: np.ndarray, ledger: BudgetLedger, rho: float, noise: NoiseSource, *,
                measured: str) -> int | None:
    """The fewest decimals that write all but 0.1 % of the present numbers, clearly, by the noisy counts of
    values needing more than 0, 1, …, ``MAX_DECIMALS - 1`` decimals (and the present count); ``None``
    (full precision) when none does. One release of ``MAX_DECIMALS + 1`` counts of sensitivity 1 each."""
    numbers = values[np.isfinite(values)]
    needed = decimals_needed(numbers)
    counts = {"present": int(numbers.size)}
    counts |= {f"over_{places}": int((needed > places).sum()) for places in range(MAX_DECIMALS)}
    noisy, sigma = noisy_counts(ledger, DECIMALS_STAGE, counts, rho, noise, measured=measured)
    present = noisy.pop("present")
    return next((places for places in range(MAX_DECIMALS) if _mostly(noisy[f"over_{places}"], present, sigma, 0.001)),
                None)


def dp_datetime_format(series: pd.Series, formats: tuple[str, ...], ledger: BudgetLedger, rho: float,
                       noise: NoiseSource, *, screen: re.Pattern[str] | None = None) -> str | None:
    """The first candidate format, in the caller's order of preference, that parses all but 1 % of the
    present values, clearly, by the noisy counts of failures; ``None`` (not dates) if none does.
    Preference breaks the ties the data cannot (all days ≤ 12: day-first and month-first both parse).
    ``screen``, a pattern every value any of ``formats`` parses matches, only saves time: values it
    rejects fail every format without being parsed (the counts are the same)."""
    if not formats:
        return None
    text = series.dropna().astype(str).str.strip()
    shaped = text[text.str.match(screen)] if screen is not None else text
    unshaped = len(text) - len(shaped)
    failures = {fmt: unshaped + int(pd.to_datetime(shaped, format=fmt, errors="coerce").isna().sum())
                for fmt in formats}
    failures["present"] = len(text)
    noisy, sigma = noisy_counts(ledger, FORMAT_STAGE, failures, rho, noise, measured=str(series.name))
    present = noisy.pop("present")
    return next((fmt for fmt in formats if _mostly(noisy[fmt], present, sigma, 0.01)), None)


def dp_categories(series: pd.Series, ledger: BudgetLedger, rho: float, delta: float, noise: NoiseSource,
                  *, max_categories: int) -> tuple[Any, ...]:
    """The values whose noisy count clears :func:`threshold`, most frequent first up to
    ``max_categories``, then sorted (numbers by value, then text).

    Args:
        series: the column (missing values are not categories).
        rho: spent on the histogram (σ = 1/√(2ρ)).
        delta: the chance a value only one record holds is released; add it to the run's δ.
        max_categories: a public cap on the list (the most frequent noisy counts are kept).
    """
    counts = series.dropna().value_counts(sort=False)
    sigma = 1.0 / math.sqrt(2.0 * rho)
    noisy = ledger.gaussian(CATEGORIES_STAGE, counts.to_numpy(dtype=float), rho, noise,
                            measured=str(series.name))
    kept = np.flatnonzero(noisy > threshold(sigma, delta))
    kept = kept[np.argsort(-noisy[kept], kind="stable")][:max_categories]
    values = [plain_scalar(value) for value in counts.index[kept]]
    return tuple(sorted(values, key=category_order))


def _magnitude_edges() -> np.ndarray:
    positive = 2.0 ** np.arange(_MIN_EXPONENT, _MAX_EXPONENT + 1)
    return np.concatenate([-positive[::-1], positive])


def dp_bounds(values: np.ndarray, ledger: BudgetLedger, rho: float, noise: NoiseSource, *,
              measured: str, integer: bool = False) -> tuple[float, float] | None:
    """``(lower, upper)`` from three Gaussian releases over public bins, or ``None`` if the first finds
    no bin above its threshold ``zσ``.

    1. (40 % of ρ) counts in the magnitude bins ``±[2^k, 2^(k+1))`` (and one bin around 0): the range
       of the kept bins is the coarse range;
    2. (40 %) counts in 256 equal sub-bins of the coarse range: the outermost kept sub-bins give the
       fine range;
    3. (20 %) the two counts of values below and above the fine range: a side whose noisy count clears
       ``zσ`` — a tail too thin per sub-bin but heavy in all — keeps the coarse range's edge instead,
       so the tail is not cut off (Adult's ages over 65, capital gains over 15,000).

    Values outside the result are clipped by the encoder. Integer columns keep the whole numbers inside.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    edges = _magnitude_edges()
    coarse = np.bincount(np.searchsorted(edges, values, side="right"), minlength=edges.size + 1)
    noisy = ledger.gaussian(BOUNDS_STAGE, coarse.astype(float), 0.4 * rho, noise, measured=measured)
    kept = np.flatnonzero(noisy > _z(coarse.size) / math.sqrt(0.8 * rho))
    if not kept.size:
        return None
    outer = np.concatenate([[-(2.0**(_MAX_EXPONENT + 1))], edges, [2.0**(_MAX_EXPONENT + 1)]])
    low, high = float(outer[kept[0]]), float(outer[kept[-1] + 1])
    fine_edges = np.linspace(low, high, _SUB_BINS + 1)
    inside = values[(values >= low) & (values <= high)]
    fine = np.bincount(np.clip(np.searchsorted(fine_edges, inside, side="right") - 1, 0, _SUB_BINS - 1),
                       minlength=_SUB_BINS)
    noisy = ledger.gaussian(BOUNDS_STAGE, fine.astype(float), 0.4 * rho, noise, measured=measured)
    kept = np.flatnonzero(noisy > _z(_SUB_BINS) / math.sqrt(0.8 * rho))
    if kept.size:
        fine_low, fine_high = float(fine_edges[kept[0]]), float(fine_edges[kept[-1] + 1])
        tails = np.array([(inside < fine_low).sum(), (inside > fine_high).sum()], dtype=float)
        noisy = ledger.gaussian(BOUNDS_STAGE, tails, 0.2 * rho, noise, measured=measured,
                                sensitivity=math.sqrt(2.0))
        cut = _z(2) * math.sqrt(2.0) / math.sqrt(0.4 * rho)
        low = low if noisy[0] > cut else fine_low
        high = high if noisy[1] > cut else fine_high
    if integer:  # the whole numbers inside the range (a bin edge a hair below 0 must not give -1)
        low, high = float(math.ceil(low - 1e-9)), float(math.floor(high + 1e-9))
    return low, max(low, high)


def category_order(value: Any) -> tuple[int, Any]:
    """The order of a category list: booleans and numbers by value, then text.

    >>> sorted(["b", 2, True, 1.5], key=category_order)
    [True, 1.5, 2, 'b']
    """
    if isinstance(value, bool | np.bool_):
        return (0, int(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return (0, float(value))
    return (1, str(value))


def plain_scalar(value: Any) -> Any:
    """A JSON-friendly Python scalar (``np.int64(3)`` → ``3``)."""
    return value.item() if isinstance(value, np.generic) else value
