"""The evaluation encoding: cells computed from the *real* values, independent of the synthesizer's binning.

:func:`fit_encoding` looks at each real column and chooses its cells:

* ``categories`` (categorical columns): the real column's own values (compared under
  :func:`~method.preprocess_common.categorical.normalise`, so ``1``, ``1.0`` and ``"1"`` are one value); at
  most :data:`MAX_CELLS` of them, and those rarer than :data:`RARE_SHARE` of the real rows are pooled in
  ``(rare real values)``.
* ``values`` (numerical columns whose real values are whole numbers with at most :data:`MAX_CODES` distinct
  values: codes, counts, ages): the same, on the numbers.
* ``bins`` (other numerical and datetime columns): every real value holding at least ``1 / QUANTILE_BINS`` of
  the rows is a cell of its own (a point mass such as capital-gain's zeros), the rest is cut at its
  :data:`QUANTILE_BINS`-quantiles, plus ``(below real min)`` and ``(above real max)`` cells.

Every column also has ``(not a real value)`` (categorical/values: a value that never occurs in the real
column; bins: a value that does not parse as a number/date) and ``(missing)``. :meth:`ColumnEncoding.codes`
codes any table; :meth:`ColumnEncoding.out_of_domain` counts the synthetic values the real column rules
out: codes that never occur in it, numbers outside its range, numbers with more decimals than any real value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from method.api.metadata import ColumnSpec, TableMetadata
from method.preprocess_common.categorical import normalise

MAX_CELLS = 50
RARE_SHARE = 0.001
MAX_CODES = 1000
QUANTILE_BINS = 20
MAX_DECIMALS = 6
MISSING, UNSEEN, RARE, BELOW, ABOVE = "(missing)", "(not a real value)", "(rare real values)", "(below real min)", \
    "(above real max)"


def numeric_values(series: pd.Series) -> np.ndarray:
    """The column as float64 (datetimes as nanoseconds); text that is not a number becomes NaN."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = np.asarray(series.astype("datetime64[ns]").to_numpy(), dtype="datetime64[ns]")
        return np.where(np.isnat(stamps), np.nan, stamps.view("int64").astype("float64"))
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.asarray(series.astype("float64").to_numpy(), dtype="float64")
    return np.asarray(pd.to_numeric(series, errors="coerce"), dtype="float64")


def normalised(series: pd.Series) -> np.ndarray:
    """Each present value's :func:`normalise` text (``None`` where missing); computed once per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([normalise(u) for u in uniques] + [None], dtype=object)
    return np.asarray(texts[codes], dtype=object)  # code -1 (missing) picks the trailing None


def decimals(values: np.ndarray) -> int | None:
    """The fewest decimals that write every value exactly (``None`` beyond :data:`MAX_DECIMALS`)."""
    for k in range(MAX_DECIMALS + 1):
        scaled = values * 10.0**k
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return k
    return None


@dataclass(frozen=True, slots=True)
class ColumnEncoding:
    """One column's evaluation cells (module docstring). ``labels[i]`` names cell ``i``."""

    name: str
    kind: str  # categorical | numerical | datetime (the metadata's)
    encoding: str  # categories | values | bins
    labels: tuple[str, ...]
    keys: tuple[str, ...] = ()  # categories/values: the normalised real values with a cell of their own
    real_keys: frozenset[str] = frozenset()  # every normalised real value (pooled ones included)
    atoms: tuple[float, ...] = ()  # bins: the point masses
    edges: tuple[float, ...] = ()  # bins: the interior quantile edges of the rest
    lower: float = 0.0
    upper: float = 0.0
    precision: int | None = None  # decimals of the real values (numerical)

    @property
    def size(self) -> int:
        return len(self.labels)

    def codes(self, series: pd.Series) -> np.ndarray:
        """The cell of every row of ``series`` (int64)."""
        size = self.size
        if self.encoding != "bins":
            inverse, keys = _factorized(series, self.kind)
            lookup = {key: i for i, key in enumerate(self.keys)}
            rare = size - 3 if self.labels[size - 3] == RARE else -1
            table = np.array([lookup.get(k, rare if k in self.real_keys else size - 2) for k in keys] + [size - 1],
                             dtype=np.int64)
            return np.asarray(table[inverse], dtype=np.int64)  # inverse -1 (missing) picks the last
        values = numeric_values(series)
        out = np.full(len(values), size - 1, dtype=np.int64)  # (missing)
        present = ~np.isnan(values)
        unparsed = series.notna().to_numpy() & ~present
        out[unparsed] = size - 2
        v = values[present]
        atoms = np.asarray(self.atoms)
        code = len(atoms) + np.searchsorted(np.asarray(self.edges), v, side="right")
        for i, atom in enumerate(atoms):
            code[v == atom] = i
        code[v < self.lower] = size - 4
        code[v > self.upper] = size - 3
        out[present] = code
        return out

    def out_of_domain(self, series: pd.Series) -> dict[str, int]:
        """Counts of present values the real column rules out (each value counted once, first reason wins)."""
        if self.kind == "categorical":
            return {"unseen": self._unseen(series)}
        values = numeric_values(series)
        present = ~np.isnan(values)
        unparsed = int((series.notna().to_numpy() & ~present).sum())
        v = values[present]
        outside = (v < self.lower) | (v > self.upper)
        counts = {"unparsed": unparsed, "out_of_range": int(outside.sum())}
        inside = v[~outside]
        if self.kind == "numerical" and self.precision is not None:
            scaled = inside * 10.0**self.precision
            wrong = np.abs(scaled - np.round(scaled)) > 1e-6 * np.maximum(1.0, np.abs(scaled))
            counts["wrong_precision"] = int(wrong.sum())
            inside = inside[~wrong]
        if self.encoding == "values":
            counts["unseen"] = self._unseen(pd.Series(inside))
        return counts

    def _unseen(self, series: pd.Series) -> int:
        inverse, keys = _factorized(series, self.kind)
        counts = np.bincount(inverse[inverse >= 0], minlength=len(keys))
        return int(sum(int(c) for k, c in zip(keys, counts, strict=True) if k not in self.real_keys))


def _factorized(series: pd.Series, kind: str) -> tuple[np.ndarray, list[str]]:
    """Each row's index into the distinct normalised values (-1: missing), and those values. A categorical
    column's values are compared as :func:`normalise` texts, a numerical one's as numbers (text that is not a
    number gets a key no real value has)."""
    if kind == "categorical":
        inverse, uniques = pd.factorize(series, use_na_sentinel=True)
        return np.asarray(inverse, dtype=np.int64), [normalise(u) for u in uniques]
    values = numeric_values(series)
    inverse, uniques = pd.factorize(values, use_na_sentinel=True)
    inverse = np.asarray(inverse, dtype=np.int64)
    keys = [normalise(float(u)) for u in uniques]
    unparsed = series.notna().to_numpy() & np.isnan(values)
    if unparsed.any():
        inverse[unparsed] = len(keys)
        keys.append("\1unparsed")
    return inverse, keys


def _value_texts(series: pd.Series) -> np.ndarray:
    """A numerical column's values as :func:`normalise` texts (whole numbers print without ``.0``); computed once
    per distinct number."""
    values = numeric_values(series)
    texts = np.full(len(values), None, dtype=object)
    present = ~np.isnan(values)
    uniques, inverse = np.unique(values[present], return_inverse=True)
    texts[present] = np.array([normalise(float(v)) for v in uniques], dtype=object)[inverse]
    unparsed = series.notna().to_numpy() & ~present
    texts[unparsed] = "\1unparsed"
    return texts


def fit_column(series: pd.Series, spec: ColumnSpec) -> ColumnEncoding:
    """The cells of one real column (module docstring)."""
    if spec.kind == "categorical":
        return _by_value(spec, normalised(series), "categories")
    values = numeric_values(series)
    present = values[~np.isnan(values)]
    precision = decimals(present) if spec.kind == "numerical" and len(present) else None
    lower, upper = (float(present.min()), float(present.max())) if len(present) else (0.0, 0.0)
    if spec.kind == "numerical" and precision == 0 and len(np.unique(present)) <= MAX_CODES:
        encoding = _by_value(spec, _value_texts(series), "values")
        return _replace(encoding, lower=lower, upper=upper, precision=precision)
    return _by_bins(spec, present, lower, upper, precision)


def _replace(encoding: ColumnEncoding, **changes: object) -> ColumnEncoding:
    from dataclasses import replace

    return replace(encoding, **changes)  # type: ignore[arg-type]


def _by_value(spec: ColumnSpec, texts: np.ndarray, encoding: str) -> ColumnEncoding:
    present = pd.Series(texts[texts != None])  # noqa: E711
    counts = present.value_counts(sort=True)
    total = max(len(texts), 1)
    kept = [str(k) for k, c in counts.items() if c / total >= RARE_SHARE][:MAX_CELLS]
    pooled = len(kept) < len(counts)
    labels = tuple(kept) + ((RARE,) if pooled else ()) + (UNSEEN, MISSING)
    return ColumnEncoding(spec.name, spec.kind, encoding, labels, keys=tuple(kept),
                          real_keys=frozenset(str(k) for k in counts.index))


def _by_bins(spec: ColumnSpec, present: np.ndarray, lower: float, upper: float,
             precision: int | None) -> ColumnEncoding:
    uniques, counts = np.unique(present, return_counts=True)
    atoms = uniques[counts >= max(len(present), 1) / QUANTILE_BINS]
    rest = present[~np.isin(present, atoms)]
    bins = max(QUANTILE_BINS - len(atoms), 1)
    edges = np.unique(np.quantile(rest, np.linspace(0, 1, bins + 1)[1:-1])) if len(rest) else np.array([])
    labels = [_number(a, spec) for a in atoms]
    bounds = [float(rest.min()) if len(rest) else lower, *edges.tolist(), float(rest.max()) if len(rest) else upper]
    labels += [f"{_number(lo, spec)}–{_number(hi, spec)}" for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    labels += [BELOW, ABOVE, UNSEEN, MISSING]
    return ColumnEncoding(spec.name, spec.kind, "bins", tuple(labels), atoms=tuple(atoms.tolist()),
                          edges=tuple(edges.tolist()), lower=lower, upper=upper, precision=precision)


def _number(value: float, spec: ColumnSpec) -> str:
    """A short label: dates as days, large numbers as 12.3k / 4.56M (an axis label has ~16 characters)."""
    if spec.kind == "datetime":
        return str(pd.Timestamp(int(value), unit="ns").date())
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= scale:
            return f"{value / (scale if suffix != 'k' else 1e3):.3g}{suffix}"
    return f"{value:.4g}"


def fit_encodings(real: pd.DataFrame, metadata: TableMetadata) -> list[ColumnEncoding]:
    """The evaluation encoding of every column of ``metadata`` (fitted on the real table)."""
    return [fit_column(real[spec.name], spec) for spec in metadata.columns]


def table_codes(table: pd.DataFrame, encodings: list[ColumnEncoding]) -> np.ndarray:
    """The ``rows × columns`` int64 cells of ``table``."""
    return np.column_stack([e.codes(table[e.name]) for e in encodings]).astype(np.int64)
