"""Column-type inference: a kind, reasons, and a draft domain (provenance "data") for every column.

:func:`infer_metadata` decides per column, in this order (the codes are listed in ``docs/data.md``):

1. all cells missing → excluded (``all_missing``); one distinct value → categorical (``constant``);
2. booleans → categorical (``boolean``);
3. numbers: near-unique dense integers → excluded identifier (``identifier_integer``); few distinct integers
   → categorical (``integer_unique_below_threshold``, ``integer_sparse_unique``); few distinct floats →
   categorical (``float_unique_low``); else numerical (``integer_many_unique``, ``float_continuous``);
4. text: dates in one format → datetime (``datetime_format``); near-unique → excluded identifier
   (``identifier_text``); else categorical (``non_numeric``), flagged ``high_cardinality`` above
   ``InferenceSettings.high_cardinality`` values and capped to the ``max_categories`` most frequent values
   above that (``cardinality_capped``: the rest map to the special token).

Only the three small-cardinality codes allow the legacy UI to switch a column's type. Category lists and
bounds are read off the private data, so every inferred column has provenance ``data`` (not DP) until the
user confirms public values (:mod:`web_app.review.confirm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from method.api.metadata import ColumnSpec, TableMetadata
from method.preprocess_common.discovery import category_order, plain_scalar
from web_app.ingestion.column_stats import ColumnStats, column_stats, value_counts
from web_app.ingestion.datetimes import DATETIME_FORMATS, detect_datetime_format

InferredKind = Literal["categorical", "numerical", "datetime", "excluded"]
SWITCHABLE_REASONS = ("integer_unique_below_threshold", "integer_sparse_unique", "float_unique_low")
#: The public label of a column's "other" bucket (values outside its category list) in released data.
OTHER_LABEL = "other"
_ID_NAME = re.compile(r"(^|[^a-z])(id|key|uuid|guid)([^a-z]|$)|_id$|^id", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class InferenceSettings:
    """Thresholds of the inference rules (module docstring).

    Args:
        integer_categorical_max: integers with at most this many distinct values are categorical.
        integer_sparse_max, integer_sparse_ratio: integers with at most this many distinct values and a
            distinct/present ratio at most this are categorical too.
        float_categorical_max: floats with at most this many distinct values are categorical.
        identifier_ratio: distinct/present ratio from which a text or dense integer column is an identifier.
        identifier_min_rows: identifiers are only flagged in tables with at least this many present values.
        exclude_identifiers: exclude identifier-like columns by default.
        high_cardinality: categorical columns with more distinct values are flagged.
        max_categories: categories kept per column; the rest map to the special token.
        bins: default number of bins of numerical and datetime columns.
        skewed_binning_skewness: a non-negative numerical column whose skewness exceeds this gets exponential
            bins (fine near zero), so a mass of zeros or small values is not smeared over one wide uniform bin.
            A suggestion read off the data, like every draft value: used only if the user declares the
            column public (an undeclared column gets PrivTree, a DP binning, by public default).
        datetime_formats: the ``strptime`` formats tried on text columns, in order of preference.
    """

    integer_categorical_max: int = 20
    integer_sparse_max: int = 50
    integer_sparse_ratio: float = 0.01
    float_categorical_max: int = 10
    identifier_ratio: float = 0.95
    identifier_min_rows: int = 20
    exclude_identifiers: bool = True
    high_cardinality: int = 100
    max_categories: int = 1000
    bins: int = 32
    skewed_binning_skewness: float = 3.0
    datetime_formats: tuple[str, ...] = DATETIME_FORMATS

    def legacy_json(self) -> dict[str, int | float]:
        """The same thresholds under the predecessor's keys and senses (its UI prints them: integers with
        *fewer than* ``integer_unique_threshold`` distinct values, or sparse ones up to
        ``integer_unique_ratio_threshold`` distinct per value and at most ``integer_unique_max``, are
        categorical; floats need *at least* ``float_unique_threshold`` distinct values to stay numerical).

        >>> InferenceSettings().legacy_json()["integer_unique_threshold"]
        21
        """
        return {"integer_unique_threshold": self.integer_categorical_max + 1,
                "integer_unique_ratio_threshold": self.integer_sparse_ratio,
                "integer_unique_max": self.integer_sparse_max,
                "float_unique_threshold": self.float_categorical_max + 1}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a column got its kind: a stable ``code`` and a sentence with the numbers behind it."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ColumnInference:
    """The inferred description of one column (all values read off the data: provenance ``data``).

    Args:
        name, kind, reasons: the column, its inferred kind and why.
        dtype: the ingested pandas dtype.
        rows, missing, unique: row count, missing cells and distinct values.
        categories, counts: categorical only: the kept values (sorted) and their frequencies.
        other_token: categorical only: values outside ``categories`` map to :data:`OTHER_LABEL`.
        lower, upper: numerical/datetime bounds (datetime: ns since the epoch); also the range of a
            categorical column whose values are numbers.
        integer: whole numbers only.
        datetime_format: the ``strptime`` format of a datetime column.
        binning: numerical only: ``uniform``, or ``exponential`` for a long right tail above zero.
        high_cardinality, suggested_fix: flagged columns and what to do (``bin``, ``merge_rare``, ``exclude``).
    """

    name: str
    kind: InferredKind
    reasons: tuple[Reason, ...]
    dtype: str
    rows: int
    missing: int
    unique: int
    categories: tuple[Any, ...] = ()
    counts: tuple[int, ...] = ()
    other_token: bool = False
    lower: float | None = None
    upper: float | None = None
    integer: bool = False
    datetime_format: str | None = None
    binning: str = "uniform"
    high_cardinality: bool = False
    suggested_fix: str | None = None

    @property
    def nullable(self) -> bool:
        return self.missing > 0

    @property
    def switchable(self) -> bool:
        """The legacy UI may switch this column between categorical and numerical."""
        return any(reason.code in SWITCHABLE_REASONS for reason in self.reasons)

    def to_spec(self, bins: int = 32) -> ColumnSpec:
        """The :class:`ColumnSpec` of this inference (provenance ``data``); not for excluded columns."""
        if self.kind == "categorical":
            return ColumnSpec(self.name, "categorical", dtype=self.dtype, categories=self.categories,
                              other_token=self.other_token, other_value=OTHER_LABEL, nullable=self.nullable,
                              provenance="data")
        if self.kind in ("numerical", "datetime"):
            return ColumnSpec(self.name, self.kind, dtype=self.dtype if self.kind == "numerical" else "datetime64[ns]",
                              lower=self.lower, upper=self.upper, binning=self.binning,  # type: ignore[arg-type]
                              bins=default_bins(self, bins), integer=self.integer, nullable=self.nullable,
                              provenance="data")
        raise ValueError(f"column {self.name!r} is excluded and has no spec")


def default_bins(column: ColumnInference, bins: int) -> int:
    """``bins``, but no more than the integers in the bounds of an integer column."""
    if column.integer and column.kind == "numerical" and column.lower is not None and column.upper is not None:
        return int(max(1, min(bins, column.upper - column.lower + 1)))
    return bins


@dataclass(frozen=True, slots=True)
class InferredMetadata:
    """Inference of a whole table, one :class:`ColumnInference` per column in table order."""

    columns: tuple[ColumnInference, ...]
    rows: int
    settings: InferenceSettings = field(default_factory=InferenceSettings)

    def __getitem__(self, name: str) -> ColumnInference:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"no column {name!r}")

    @property
    def kept(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind != "excluded")

    @property
    def excluded(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind == "excluded")

    def to_table_metadata(self) -> TableMetadata:
        """The kept columns as :class:`TableMetadata` (every column's provenance is ``data``)."""
        return TableMetadata(tuple(c.to_spec(self.settings.bins) for c in self.columns if c.kind != "excluded"))


def infer_metadata(frame: pd.DataFrame, settings: InferenceSettings | None = None) -> InferredMetadata:
    """Infer every column of ``frame`` (see the module docstring for the rules).

    Args:
        frame: an ingested table (:class:`~web_app.ingestion.reader.IngestedTable` ``.frame``).
        settings: thresholds; the defaults suit tables of a few hundred rows and more.

    Returns:
        The :class:`InferredMetadata`, columns in table order.
    """
    settings = settings or InferenceSettings()
    stats = column_stats(frame)
    columns = tuple(_infer_column(frame[name], stats[name], settings) for name in frame.columns)
    return InferredMetadata(columns, len(frame), settings)


def _base(series: pd.Series, stats: ColumnStats) -> dict[str, Any]:
    return {"name": stats.name, "dtype": str(series.dtype), "rows": stats.rows, "missing": stats.missing,
            "unique": stats.unique}


def _infer_column(series: pd.Series, stats: ColumnStats, settings: InferenceSettings) -> ColumnInference:
    base = _base(series, stats)
    if stats.present == 0:
        return ColumnInference(kind="excluded", reasons=(Reason(
            "all_missing", "every cell is missing: the column carries no information and is excluded"),), **base)
    if stats.unique == 1:
        reason = Reason("constant", "the column holds a single value: kept as a one-category column")
        return _categorical(series, stats, settings, base, reason)
    if stats.family == "boolean":
        return _categorical(series, stats, settings, base, Reason("boolean", "true/false values"))
    if stats.family == "numeric":
        return _infer_numeric(series, stats, settings, base)
    return _infer_text(series, stats, settings, base)


def _infer_numeric(
    series: pd.Series, stats: ColumnStats, settings: InferenceSettings, base: dict[str, Any]
) -> ColumnInference:
    if stats.integer:
        if _is_integer_identifier(stats, settings):
            return _identifier(base, settings, Reason("identifier_integer", (
                f"{stats.unique:,} distinct whole numbers in {stats.present:,} rows, densely packed: "
                "looks like a row identifier")))
        if stats.unique <= settings.integer_categorical_max:
            return _categorical(series, stats, settings, base, Reason("integer_unique_below_threshold", (
                f"whole numbers with only {stats.unique} distinct values "
                f"(<= {settings.integer_categorical_max}): treated as categories")))
        if stats.unique <= settings.integer_sparse_max and stats.unique_ratio <= settings.integer_sparse_ratio:
            return _categorical(series, stats, settings, base, Reason("integer_sparse_unique", (
                f"{stats.unique} distinct whole numbers over {stats.present:,} rows "
                f"(ratio {stats.unique_ratio:.4f} <= {settings.integer_sparse_ratio}): treated as categories")))
        reason = Reason("integer_many_unique", f"whole numbers with {stats.unique:,} distinct values: numerical")
    elif stats.unique <= settings.float_categorical_max:
        return _categorical(series, stats, settings, base, Reason("float_unique_low", (
            f"decimal numbers with only {stats.unique} distinct values "
            f"(<= {settings.float_categorical_max}): treated as categories")))
    else:
        reason = Reason("float_continuous", f"decimal numbers with {stats.unique:,} distinct values: numerical")
    binning = "uniform"
    reasons: tuple[Reason, ...] = (reason,)
    skewness = float(pd.to_numeric(series, errors="coerce").skew()) if stats.present > 2 else 0.0
    if (stats.lower or 0.0) >= 0 and skewness > settings.skewed_binning_skewness:
        binning = "exponential"
        reasons += (Reason("skewed_exponential_bins", (
            f"values >= 0 with a long right tail (skewness {skewness:.1f} > {settings.skewed_binning_skewness:g}): "
            "exponential bins keep the values near zero apart instead of one wide first bin")),)
    return ColumnInference(kind="numerical", reasons=reasons, lower=stats.lower, upper=stats.upper,
                           integer=stats.integer, binning=binning, **base)


def _is_integer_identifier(stats: ColumnStats, settings: InferenceSettings) -> bool:
    if stats.present < settings.identifier_min_rows or stats.unique_ratio < settings.identifier_ratio:
        return False
    span = (stats.upper or 0.0) - (stats.lower or 0.0) + 1
    return span <= 2 * stats.unique or bool(_ID_NAME.search(stats.name))


def _identifier(base: dict[str, Any], settings: InferenceSettings, reason: Reason) -> ColumnInference:
    if settings.exclude_identifiers:
        reason = Reason(reason.code, reason.message + "; excluded (include it again in the review if needed)")
        return ColumnInference(kind="excluded", reasons=(reason,), high_cardinality=True, suggested_fix="exclude",
                               **base)
    return ColumnInference(kind="categorical", reasons=(reason,), high_cardinality=True, suggested_fix="exclude",
                           **base)


def _infer_text(
    series: pd.Series, stats: ColumnStats, settings: InferenceSettings, base: dict[str, Any]
) -> ColumnInference:
    detected = detect_datetime_format(series, settings.datetime_formats)
    if detected is not None:
        fmt, stamps, ambiguous = detected
        ns = stamps.dropna().astype("int64")
        message = f"every value parses as a date/time with format {fmt!r}"
        reasons = [Reason("datetime_format", message)]
        if ambiguous:
            reasons.append(Reason("datetime_ambiguous", f"day and month order is ambiguous; {fmt!r} was chosen"))
        return ColumnInference(kind="datetime", reasons=tuple(reasons), lower=float(ns.min()), upper=float(ns.max()),
                               integer=True, datetime_format=fmt, **base)
    if stats.present >= settings.identifier_min_rows and stats.unique_ratio >= settings.identifier_ratio:
        return _identifier(base, settings, Reason("identifier_text", (
            f"{stats.unique:,} distinct text values in {stats.present:,} rows: looks like an identifier")))
    reason = Reason("non_numeric", f"text values ({stats.unique:,} distinct): categorical")
    return _categorical(series, stats, settings, base, reason)


def _categorical(
    series: pd.Series, stats: ColumnStats, settings: InferenceSettings, base: dict[str, Any], reason: Reason
) -> ColumnInference:
    counts = value_counts(series)
    reasons = [reason]
    capped = len(counts) > settings.max_categories
    if capped:
        counts = counts[: settings.max_categories]
        reasons.append(Reason("cardinality_capped", (
            f"{stats.unique:,} distinct values exceed the limit of {settings.max_categories:,}: the most frequent "
            f"{settings.max_categories:,} are kept and the others map to {OTHER_LABEL!r}")))
    high = stats.unique > settings.high_cardinality
    fix = None
    if high:
        fix = "bin" if stats.family == "numeric" else "merge_rare"
        reasons.append(Reason("high_cardinality", (
            f"{stats.unique:,} distinct values (> {settings.high_cardinality}): consider "
            f"{'binning it as numerical' if fix == 'bin' else 'merging rare values'} or excluding it")))
    ordered = sorted(counts, key=lambda item: category_order(item[0]))
    categories = tuple(plain_scalar(value) for value, _ in ordered)
    numbers = stats.family == "numeric"
    return ColumnInference(
        kind="categorical", reasons=tuple(reasons), categories=categories, counts=tuple(int(c) for _, c in ordered),
        other_token=capped, lower=stats.lower if numbers else None, upper=stats.upper if numbers else None,
        integer=stats.integer, high_cardinality=high, suggested_fix=fix, **base,
    )
