"""Evaluation of a synthetic table against the real one (non-DP: it reads the real data; owner only).

:func:`compare` works on the job's encoded domain: a :class:`~method.preprocess_common.encoding.TableEncoder`
is fitted on the real table from the confirmed metadata with ``binning_rho=0`` (DP binnings are replaced by
uniform ones, every column may be missing and categorical columns get an "other" code), then both tables
are coded with it. So integer-valued categories, numbers read back from a CSV as text, and clipped values all
land in the same cells, and every TVD lies in [0, 1] (the predecessor compared raw values and reported 1.14).

The :class:`ComparisonReport` holds 1-, 2- and 3-way marginal TVD (sampled sets when there are many),
per-column results worst first, correlation differences (Pearson on numeric columns, Cramér's V on all
evaluated pairs), missing-rate, category-coverage and out-of-domain checks, and a baseline: a table whose
columns are drawn independently from the real 1-way marginals, scored the same way. ``to_json()`` gives the
API/CLI JSON; :mod:`web_app.evaluation.report` renders the HTML report.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from method.api.errors import MethodError
from method.api.metadata import ColumnSpec, TableMetadata
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger
from method.preprocess_common.categorical import CategoricalCodec
from method.preprocess_common.encoding import TableEncoder
from method.preprocess_common.numeric import DatetimeCodec, NumericCodec
from web_app.evaluation.metrics import attribute_sets, cramers_v, independent_sample, marginal_tvd, one_way
from web_app.ingestion.errors import DataError

LABEL = "non-DP evaluation, owner only: these figures read the real data and must not be published"


class EvaluationError(DataError):
    """The two tables cannot be compared (missing columns, an empty table, values the metadata rejects)."""


@dataclass(frozen=True, slots=True)
class MarginalScores:
    """Mean and worst TVD over the evaluated ``way``-attribute marginals."""

    way: int
    mean: float
    worst: float
    count: int
    sampled: bool


@dataclass(frozen=True, slots=True)
class ColumnResult:
    """One column's checks. ``score`` (the sort key, worst first) is the mean of its 1-way TVD and of the
    mean 2-way TVD of the evaluated pairs that contain it."""

    name: str
    kind: str
    tvd: float
    pair_tvd: float
    score: float
    missing_real: float
    missing_synth: float
    coverage: float | None
    out_of_domain: int


@dataclass(frozen=True, slots=True)
class PairResult:
    """A pair of columns: 2-way TVD and Cramér's V on both tables."""

    a: str
    b: str
    tvd: float
    v_real: float
    v_synth: float


@dataclass(frozen=True, slots=True)
class MarginalPlot:
    """Real vs synthetic 1-way marginal of one column over its encoded cells (labels are bins/categories)."""

    column: str
    labels: tuple[str, ...]
    real: tuple[float, ...]
    synth: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ComparisonReport:
    """Everything :func:`compare` measured; see the module docstring."""

    rows_real: int
    rows_synth: int
    marginals: tuple[MarginalScores, ...]
    baseline: tuple[MarginalScores, ...]
    columns: tuple[ColumnResult, ...]
    pairs: tuple[PairResult, ...]
    pearson_diff: float | None
    cramers_v_diff: float | None
    plots: tuple[MarginalPlot, ...]
    label: str = LABEL

    def to_json(self) -> dict[str, object]:
        """A JSON-serialisable dict (NaN becomes ``None``)."""
        return cast(dict[str, object], _clean(dataclasses.asdict(self)))


def _clean(value: object) -> object:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


#: Bins of a DP-binned column in the evaluation: its ``bins`` is PrivTree's finest resolution (up to
#: 131,072 cells), far too fine to compare a few hundred synthetic rows with the real ones.
EVALUATION_BINS = 32


def evaluation_metadata(metadata: TableMetadata) -> TableMetadata:
    """The metadata used to code both tables: public binnings (a DP-binned column gets
    :data:`EVALUATION_BINS` uniform bins), nullable columns, an "other" category code."""
    specs = []
    for spec in metadata.columns:
        if spec.kind == "categorical":
            specs.append(dataclasses.replace(spec, other_token=True, nullable=True))
        elif spec.is_dp_binned:
            specs.append(dataclasses.replace(spec, binning="uniform", bins=min(spec.bins, EVALUATION_BINS),
                                             nullable=True))
        else:
            specs.append(dataclasses.replace(spec, nullable=True))
    return TableMetadata(tuple(specs))


def _aligned(table: pd.DataFrame, spec: ColumnSpec) -> tuple[pd.Series, int]:
    """The column as its codec reads it, and how many present values had to be dropped (not numbers/dates)."""
    series = table[spec.name]
    if spec.kind == "numerical" and not pd.api.types.is_numeric_dtype(series.dtype):
        converted = pd.to_numeric(series, errors="coerce")
    elif spec.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(series.dtype):
        converted = pd.to_datetime(series, format="mixed", errors="coerce")
    else:
        return series, 0
    return converted, int((converted.isna() & series.notna()).sum())


def _align_table(table: pd.DataFrame, metadata: TableMetadata, what: str) -> tuple[pd.DataFrame, list[int]]:
    missing = [name for name in metadata.names if name not in table.columns]
    if missing:
        raise EvaluationError("missing_columns", f"the {what} table lacks column(s) {', '.join(map(repr, missing))}")
    if len(table) == 0:
        raise EvaluationError("empty_table", f"the {what} table has no rows")
    pairs = [_aligned(table, spec) for spec in metadata.columns]
    return pd.DataFrame({s.name: p[0] for s, p in zip(metadata.columns, pairs, strict=True)}), [p[1] for p in pairs]


def _outside_bounds(series: pd.Series, spec: ColumnSpec) -> int:
    if spec.kind == "categorical":
        return 0
    values = series.dropna()
    if spec.kind == "datetime":
        values = values.astype("datetime64[ns]").astype("int64")
    values = values.astype("float64")
    return int(((values < spec.lower) | (values > spec.upper)).sum())


def compare(
    real: pd.DataFrame,
    synth: pd.DataFrame,
    metadata: TableMetadata,
    *,
    rng: np.random.Generator,
    max_pairs: int = 2000,
    max_triples: int = 500,
    plot_columns: int = 6,
) -> ComparisonReport:
    """Compare ``synth`` with ``real`` on the columns of ``metadata`` (module docstring).

    Args:
        real, synth: the tables; extra columns are ignored.
        metadata: the confirmed metadata of the job (its DP binnings are replaced by uniform ones).
        rng: draws the sampled attribute sets and the baseline table.
        max_pairs, max_triples: evaluate at most this many 2-/3-way marginals (sampled beyond).
        plot_columns: how many of the worst columns get a marginal plot.

    Raises:
        EvaluationError: ``missing_columns``, ``empty_table`` or ``incompatible_values``.
    """
    meta = evaluation_metadata(metadata)
    real_t, _ = _align_table(real, meta, "real")
    synth_t, unparsed = _align_table(synth, meta, "synthetic")
    try:
        # the evaluation metadata has no DP binning: the noise source is never asked for a generator
        encoder = TableEncoder.fit(real_t, meta, BudgetLedger(1.0), NoiseSource(), binning_rho=0.0)
        r, s = encoder.transform(real_t), encoder.transform(synth_t)
    except MethodError as error:
        message = f"the tables cannot be coded with the metadata: {error}"
        raise EvaluationError("incompatible_values", message) from error
    sizes = encoder.domain.sizes
    d = len(sizes)
    pairs, pairs_sampled = attribute_sets(d, 2, max_pairs, rng)
    triples, triples_sampled = attribute_sets(d, 3, max_triples, rng)
    sets: dict[int, tuple[list[tuple[int, ...]], bool]] = {
        1: ([(j,) for j in range(d)], False), 2: (pairs, pairs_sampled), 3: (triples, triples_sampled)}
    baseline = independent_sample(r, sizes, len(s), rng)
    scores = {k: [marginal_tvd(r, s, a, sizes) for a in attrs] for k, (attrs, _) in sets.items()}
    marginals = tuple(_summary(k, scores[k], sets[k][1]) for k in sets if sets[k][0])
    base = tuple(_summary(k, [marginal_tvd(r, baseline, a, sizes) for a in attrs], sampled)
                 for k, (attrs, sampled) in sets.items() if attrs)
    pair_results = tuple(
        PairResult(meta.names[a], meta.names[b], tvd, cramers_v(r, a, b, sizes), cramers_v(s, a, b, sizes))
        for (a, b), tvd in zip(pairs, scores[2], strict=True)
    )
    columns = _column_results(meta, encoder, r, s, scores[1], pairs, scores[2], real_t, synth_t, unparsed)
    plots = tuple(_plot(encoder, meta.names.index(c.name), r, s) for c in columns[:plot_columns])
    v_diff = _mean_abs([p.v_real - p.v_synth for p in pair_results])
    return ComparisonReport(len(real), len(synth), marginals, base, columns, pair_results,
                            _pearson_diff(real_t, synth_t, meta), v_diff, plots)


def _summary(way: int, values: list[float], sampled: bool) -> MarginalScores:
    return MarginalScores(way, float(np.mean(values)), float(np.max(values)), len(values), sampled)


def _mean_abs(values: list[float]) -> float | None:
    finite = [abs(v) for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def _column_results(
    meta: TableMetadata, encoder: TableEncoder, r: np.ndarray, s: np.ndarray, tvd1: list[float],
    pairs: list[tuple[int, ...]], tvd2: list[float], real_t: pd.DataFrame, synth_t: pd.DataFrame, unparsed: list[int],
) -> tuple[ColumnResult, ...]:
    totals, counts = np.zeros(len(tvd1)), np.zeros(len(tvd1))
    for (a, b), tvd in zip(pairs, tvd2, strict=True):
        totals[[a, b]] += tvd
        counts[[a, b]] += 1
    results = []
    for j, spec in enumerate(meta.columns):
        codec = encoder.codecs[j]
        pair_mean = float(totals[j] / counts[j]) if counts[j] else float("nan")
        coverage, other = None, 0
        if isinstance(codec, CategoricalCodec):
            m = len(codec.categories)
            present = np.flatnonzero(np.bincount(r[:, j], minlength=codec.size)[:m])
            coverage = float(np.isin(present, s[:, j]).mean()) if len(present) else None
            other = int((s[:, j] == codec.other_code).sum())
        score = tvd1[j] if np.isnan(pair_mean) else (tvd1[j] + pair_mean) / 2
        results.append(ColumnResult(
            spec.name, spec.kind, tvd1[j], pair_mean, float(score), float(real_t[spec.name].isna().mean()),
            float(synth_t[spec.name].isna().mean()), coverage,
            other + unparsed[j] + _outside_bounds(synth_t[spec.name], spec),
        ))
    return tuple(sorted(results, key=lambda c: -c.score))


def _pearson_diff(real: pd.DataFrame, synth: pd.DataFrame, meta: TableMetadata) -> float | None:
    numeric = [spec.name for spec in meta.columns if spec.kind != "categorical"]
    if len(numeric) < 2:
        return None

    def corr(table: pd.DataFrame) -> np.ndarray:
        values = table[numeric].apply(
            lambda c: c.astype("datetime64[ns]").astype("int64") if pd.api.types.is_datetime64_any_dtype(c) else c
        ).astype("float64")
        return np.asarray(values.corr().to_numpy(), dtype=float)

    diff = np.abs(corr(real) - corr(synth))[np.triu_indices(len(numeric), 1)]
    return _mean_abs(diff.tolist())


def _plot(encoder: TableEncoder, j: int, r: np.ndarray, s: np.ndarray) -> MarginalPlot:
    codec = encoder.codecs[j]
    size = encoder.domain.sizes[j]
    return MarginalPlot(encoder.domain.names[j], _labels(codec, size), tuple(one_way(r, j, size).tolist()),
                        tuple(one_way(s, j, size).tolist()))


def _labels(codec: object, size: int) -> tuple[str, ...]:
    if isinstance(codec, CategoricalCodec):
        labels = [str(c) for c in codec.categories] + (["(other)"] if codec.other_token else [])
    elif isinstance(codec, DatetimeCodec):
        labels = [str(pd.Timestamp(int(e), unit="ns").date()) for e in codec.numeric.edges[:-1]]
    elif isinstance(codec, NumericCodec):
        edges = codec.edges
        labels = [f"{float(lo):.4g}–{float(hi):.4g}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    else:
        labels = [str(code) for code in range(size)]
    return tuple(labels + ["(missing)"] * (size - len(labels)))
