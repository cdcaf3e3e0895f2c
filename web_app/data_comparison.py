"""Fidelity of a synthetic table against the real one, on the real values (non-DP: it reads the real data).

:func:`compare` codes both tables with the evaluation encoding of :mod:`web_app.evaluation.encoding`,
which is computed from the *real* values (the real categories with rare ones pooled, quantile bins of the real
numbers, cells for values the real column never has), never from the synthesizer's own binning: what a
coarse binning destroyed shows up here. On that encoding it measures 1-, 2- and 3-way marginal TVD (sampled
sets when there are many) and Cramér's V; on the raw numbers the Kolmogorov–Smirnov statistic, the
Wasserstein distance (divided by the real range) and Pearson correlations; per column the missing rates,
the real cells the synthetic covers and the values the real column rules out (out of domain).

The same measurements run on a baseline table whose columns are resampled independently from the real
columns: a synthesizer that does not beat it on pairs learnt nothing about the relationships. The verdict
(:mod:`web_app.evaluation.verdict`) turns these figures into the quality score and the warnings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from method.api.metadata import TableMetadata
from web_app.evaluation.encoding import ColumnEncoding, fit_encodings, numeric_values, table_codes
from web_app.evaluation.metrics import (
    attribute_sets,
    cramers_v,
    dense_marginal,
    ks_wasserstein,
    one_way,
    tvd_against,
)
from web_app.ingestion.errors import DataError

LABEL = "non-DP evaluation, owner only: these figures read the real data and must not be published"


class EvaluationError(DataError):
    """The two tables cannot be compared (missing columns, an empty table, an unknown target)."""


@dataclass(frozen=True, slots=True)
class MarginalScores:
    """Mean and worst TVD over the evaluated ``way``-attribute marginals."""

    way: int
    mean: float
    worst: float
    count: int
    sampled: bool


@dataclass(frozen=True, slots=True)
class OutOfDomain:
    """Synthetic values the real column rules out: a code/category it never has (``unseen``), a number
    outside its range, more decimals than any real value, text in a numeric column (``unparsed``)."""

    unseen: int = 0
    out_of_range: int = 0
    wrong_precision: int = 0
    unparsed: int = 0

    @property
    def total(self) -> int:
        return self.unseen + self.out_of_range + self.wrong_precision + self.unparsed


@dataclass(frozen=True, slots=True)
class ColumnResult:
    """One column's checks. ``shape`` (0–1, 1 = same distribution) is 1 − KS for a ``bins`` column and
    1 − TVD on the evaluation cells otherwise; columns are listed worst shape first."""

    name: str
    kind: str
    encoding: str
    cells: int
    distinct_real: int
    shape: float
    tvd: float
    ks: float | None
    wasserstein: float | None
    pair_tvd: float | None
    missing_real: float
    missing_synth: float
    coverage: float | None
    out_of_domain: int
    out_of_domain_share: float
    out_of_domain_detail: OutOfDomain


@dataclass(frozen=True, slots=True)
class PairResult:
    """A pair of columns: 2-way TVD on the evaluation cells, Cramér's V and (two numeric columns) Pearson r
    on both tables, and its pair-trend similarity (SDMetrics' definitions, see the verdict)."""

    a: str
    b: str
    tvd: float
    v_real: float | None
    v_synth: float | None
    r_real: float | None
    r_synth: float | None
    trend: float


@dataclass(frozen=True, slots=True)
class MarginalPlot:
    """Real vs synthetic 1-way marginal of one column over its evaluation cells."""

    column: str
    labels: tuple[str, ...]
    real: tuple[float, ...]
    synth: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Scores:
    """What the verdict needs of one table (the synthetic or the baseline): marginals, column shapes,
    pair trends."""

    marginals: tuple[MarginalScores, ...]
    column_shapes: float
    pair_trends: float | None


@dataclass(frozen=True, slots=True)
class ComparisonReport:
    """Everything :func:`compare` measured; see the module docstring."""

    rows_real: int
    rows_synth: int
    marginals: tuple[MarginalScores, ...]
    baseline: tuple[MarginalScores, ...]
    synthetic_scores: Scores
    baseline_scores: Scores
    columns: tuple[ColumnResult, ...]
    pairs: tuple[PairResult, ...]
    pearson_diff: float | None
    cramers_v_diff: float | None
    plots: tuple[MarginalPlot, ...]
    label: str = LABEL

    def to_json(self) -> dict[str, object]:
        """A JSON-serialisable dict (NaN becomes ``None``)."""
        return cast(dict[str, object], clean(dataclasses.asdict(self)))


def clean(value: object) -> object:
    """``value`` with every non-finite float replaced by ``None`` (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def check_tables(real: pd.DataFrame, synth: pd.DataFrame, metadata: TableMetadata) -> None:
    """Raise :class:`EvaluationError` unless both tables have rows and every column of ``metadata``."""
    for table, what in ((real, "real"), (synth, "synthetic")):
        missing = [name for name in metadata.names if name not in table.columns]
        if missing:
            raise EvaluationError("missing_columns",
                                  f"the {what} table lacks column(s) {', '.join(map(repr, missing))}")
        if len(table) == 0:
            raise EvaluationError("empty_table", f"the {what} table has no rows")


def independent_baseline(real: pd.DataFrame, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """``rows`` rows whose columns are drawn independently (with replacement) from the real columns."""
    return pd.DataFrame({c: real[c].to_numpy()[rng.integers(0, len(real), rows)] for c in real.columns})


def compare(
    real: pd.DataFrame,
    synth: pd.DataFrame,
    metadata: TableMetadata,
    *,
    rng: np.random.Generator,
    max_pairs: int = 1000,
    max_triples: int = 300,
    plot_columns: int = 6,
    encodings: list[ColumnEncoding] | None = None,
) -> ComparisonReport:
    """Compare ``synth`` with ``real`` on the columns of ``metadata`` (module docstring).

    Args:
        real, synth: the tables; extra columns are ignored.
        metadata: the confirmed metadata of the job (only its column names and kinds are used).
        rng: draws the sampled attribute sets and the baseline table.
        max_pairs, max_triples: evaluate at most this many 2-/3-way marginals (sampled beyond).
        plot_columns: how many of the worst columns get a marginal plot.
        encodings: the evaluation encoding when the caller already fitted it on ``real``.

    Raises:
        EvaluationError: ``missing_columns`` or ``empty_table``.
    """
    check_tables(real, synth, metadata)
    names = metadata.names
    real, synth = real[list(names)].reset_index(drop=True), synth[list(names)].reset_index(drop=True)
    encodings = encodings or fit_encodings(real, metadata)
    sizes = tuple(e.size for e in encodings)
    d = len(sizes)
    pairs, pairs_sampled = attribute_sets(d, 2, max_pairs, rng)
    triples, triples_sampled = attribute_sets(d, 3, max_triples, rng)
    sets: Sets = {1: ([(j,) for j in range(d)], False), 2: (pairs, pairs_sampled), 3: (triples, triples_sampled)}
    truth = _Real.of(real, encodings, sets)
    baseline = independent_baseline(real, len(synth), rng)
    s, tvds, pair_rows, shapes = _measure(synth, truth, sets, with_v=True)
    _, base_tvds, base_pairs, base_shapes = _measure(baseline, truth, sets, with_v=False)
    columns = _column_results(encodings, real, synth, truth.codes, s, tvds, shapes, pairs)
    plots = tuple(_plot(encodings[names.index(c.name)], truth.codes, s, names.index(c.name))
                  for c in columns[:plot_columns])
    r_diffs = [abs(p.r_real - p.r_synth) for p in pair_rows if p.r_real is not None and p.r_synth is not None]
    v_diffs = [abs(p.v_real - p.v_synth) for p in pair_rows if p.v_real is not None and p.v_synth is not None]
    return ComparisonReport(
        len(real), len(synth), _summaries(tvds, sets), _summaries(base_tvds, sets),
        _scores(tvds, sets, shapes, pair_rows), _scores(base_tvds, sets, base_shapes, base_pairs),
        columns, tuple(pair_rows), float(np.mean(r_diffs)) if r_diffs else None,
        float(np.mean(v_diffs)) if v_diffs else None, plots)


Sets = dict[int, tuple[list[tuple[int, ...]], bool]]
Shape = tuple[float, float | None, float | None]


@dataclass(frozen=True, slots=True)
class _Real:
    """What is measured once on the real table: its cells and marginals, its sorted numbers, Pearson r and
    Cramér's V of every evaluated pair."""

    encodings: list[ColumnEncoding]
    sizes: tuple[int, ...]
    codes: np.ndarray
    numbers: dict[int, np.ndarray]
    sorted_numbers: dict[int, np.ndarray]
    marginals: dict[tuple[int, ...], np.ndarray | None]
    pearson: dict[tuple[int, ...], float | None]
    cramers: dict[tuple[int, ...], float | None]

    @classmethod
    def of(cls, real: pd.DataFrame, encodings: list[ColumnEncoding], sets: Sets) -> _Real:
        sizes = tuple(e.size for e in encodings)
        codes = table_codes(real, encodings)
        numbers = _numbers(real, encodings)
        marginals = {attrs: dense_marginal(codes, attrs, sizes) for attrs_list, _ in sets.values()
                     for attrs in attrs_list}
        pairs = sets[2][0]
        pearson: dict[tuple[int, ...], float | None] = {
            (a, b): _pearson(numbers[a], numbers[b]) for a, b in pairs if a in numbers and b in numbers}
        cramers: dict[tuple[int, ...], float | None] = {
            (a, b): _finite(cramers_v(codes, a, b, sizes)) for a, b in pairs}
        ordered = {j: np.sort(x[~np.isnan(x)]) for j, x in numbers.items()}
        return cls(encodings, sizes, codes, numbers, ordered, marginals, pearson, cramers)


def _numbers(table: pd.DataFrame, encodings: list[ColumnEncoding]) -> dict[int, np.ndarray]:
    return {j: numeric_values(table[e.name]) for j, e in enumerate(encodings) if e.kind != "categorical"}


def _measure(table: pd.DataFrame, truth: _Real, sets: Sets,
             with_v: bool) -> tuple[np.ndarray, dict[int, list[float]], list[PairResult], list[Shape]]:
    """One table's cells, marginal TVDs, pairs and column shapes against the real table."""
    encodings, sizes = truth.encodings, truth.sizes
    s = table_codes(table, encodings)
    numbers = _numbers(table, encodings)
    tvds = {k: [tvd_against(truth.marginals[a], truth.codes, s, a, sizes) for a in attrs]
            for k, (attrs, _) in sets.items()}
    shapes: list[Shape] = []
    for j, e in enumerate(encodings):
        ks = w = None
        if j in numbers:
            x, y = truth.sorted_numbers[j], numbers[j][~np.isnan(numbers[j])]
            if len(x) and len(y):
                ks, distance = ks_wasserstein(x, y)
                w = distance / (float(x[-1] - x[0]) or 1.0)
        shape = 1 - ks if e.encoding == "bins" and ks is not None else 1 - tvds[1][j]
        shapes.append((float(shape), ks, w))
    pairs = []
    for (a, b), tvd in zip(sets[2][0], tvds[2], strict=True):
        r_real = truth.pearson.get((a, b))
        r_synth = _pearson(numbers[a], numbers[b]) if r_real is not None else None
        trend = 1 - abs(r_real - r_synth) / 2 if r_real is not None and r_synth is not None else 1 - tvd
        v_synth = _finite(cramers_v(s, a, b, sizes)) if with_v else None
        pairs.append(PairResult(encodings[a].name, encodings[b].name, tvd, truth.cramers[(a, b)], v_synth, r_real,
                                r_synth, float(trend)))
    return s, tvds, pairs, shapes


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    keep = ~(np.isnan(x) | np.isnan(y))
    if keep.sum() < 3 or np.std(x[keep]) == 0 or np.std(y[keep]) == 0:
        return None
    return float(np.corrcoef(x[keep], y[keep])[0, 1])


def _summaries(tvds: dict[int, list[float]], sets: Sets) -> tuple[MarginalScores, ...]:
    return tuple(MarginalScores(k, float(np.mean(v)), float(np.max(v)), len(v), sets[k][1])
                 for k, v in tvds.items() if v)


def _scores(tvds: dict[int, list[float]], sets: Sets, shapes: list[Shape],
            pairs: list[PairResult]) -> Scores:
    trends = float(np.mean([p.trend for p in pairs])) if pairs else None
    return Scores(_summaries(tvds, sets), float(np.mean([shape for shape, _, _ in shapes])), trends)


def _column_results(encodings: list[ColumnEncoding], real: pd.DataFrame, synth: pd.DataFrame, r: np.ndarray,
                    s: np.ndarray, tvds: dict[int, list[float]],
                    shapes: list[Shape],
                    pairs: list[tuple[int, ...]]) -> tuple[ColumnResult, ...]:
    totals, counts = np.zeros(len(encodings)), np.zeros(len(encodings))
    for (a, b), tvd in zip(pairs, tvds[2], strict=True):
        totals[[a, b]] += tvd
        counts[[a, b]] += 1
    results = []
    for j, e in enumerate(encodings):
        real_cells = np.flatnonzero(np.bincount(r[:, j], minlength=e.size)[: e.size - 1])
        coverage = float(np.isin(real_cells, s[:, j]).mean()) if len(real_cells) else None
        ood = OutOfDomain(**e.out_of_domain(synth[e.name]))
        present = max(int(synth[e.name].notna().sum()), 1)
        shape, ks, w = shapes[j]
        results.append(ColumnResult(
            e.name, e.kind, e.encoding, e.size, int(real[e.name].nunique()), shape, tvds[1][j], ks, w,
            float(totals[j] / counts[j]) if counts[j] else None, float(real[e.name].isna().mean()),
            float(synth[e.name].isna().mean()), coverage, ood.total, ood.total / present, ood))
    return tuple(sorted(results, key=lambda c: c.shape))


def _plot(encoding: ColumnEncoding, r: np.ndarray, s: np.ndarray, j: int) -> MarginalPlot:
    real, synth = one_way(r, j, encoding.size), one_way(s, j, encoding.size)
    keep = [i for i in range(encoding.size) if real[i] > 0 or synth[i] > 0]  # no empty special cells
    return MarginalPlot(encoding.name, tuple(encoding.labels[i] for i in keep), tuple(float(real[i]) for i in keep),
                        tuple(float(synth[i]) for i in keep))
