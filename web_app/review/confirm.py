"""The confirmed schema: validate an edited ``domain_data``/``info_data`` payload and turn it into metadata.

:func:`metadata_from_confirmed` is the inverse of :func:`web_app.review.payload.draft_payload`. It checks
every field (a :class:`~web_app.ingestion.errors.SchemaError` names the column and the bad value), applies
type switches, and decides each column's provenance: a value the user left as inferred is read off the
data (``data``, not DP); a column becomes ``public`` only when every data-derived value of it (both bounds,
or the category list) was replaced by the user. A column switched to numerical gets its bounds from the
payload, else from the data. Values outside a confirmed category list either map to the special token
(``map_to_special``: ``ColumnSpec.other_token``) or are redrawn uniformly from the list (``resample``, applied
by :func:`web_app.review.apply.prepare_table`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from method.api.errors import InvalidMetadataError
from method.api.metadata import BINNINGS, COLUMN_KINDS, DP_BINNINGS, ColumnSpec, Provenance, TableMetadata
from method.preprocess_common.binning import explicit_edges
from method.preprocess_common.categorical import normalise
from web_app.data_inference import SPECIAL_TOKEN
from web_app.ingestion.column_stats import value_counts
from web_app.ingestion.errors import IngestionLimits, SchemaError
from web_app.review.payload import REMAP_STRATEGIES, Payload


@dataclass(frozen=True, slots=True)
class ConfirmedSchema:
    """What synthesis needs from a confirmed review.

    Args:
        metadata: one :class:`ColumnSpec` per kept column, in table order (provenance per column).
        columns: the kept columns, in table order.
        excluded: the columns left out of synthesis.
        provenance: per kept column, ``data`` or ``public``.
        remap: per categorical column, ``map_to_special`` or ``resample``.
        datetime_formats: per datetime column, the format its values are written in.
    """

    metadata: TableMetadata
    columns: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    provenance: dict[str, Provenance] = field(default_factory=dict)
    remap: dict[str, str] = field(default_factory=dict)
    datetime_formats: dict[str, str] = field(default_factory=dict)


def load_json(value: Payload | str | bytes, what: str) -> Payload:
    """A payload given as a dict or a JSON string (``malformed_json`` / ``malformed_payload`` otherwise)."""
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise SchemaError("malformed_json", f"{what} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise SchemaError("malformed_payload", f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def metadata_from_confirmed(
    domain_data: Payload | str, info_data: Payload | str, frame: pd.DataFrame, *, limits: IngestionLimits | None = None
) -> ConfirmedSchema:
    """Validate a confirmed payload against ``frame`` and build the :class:`ConfirmedSchema`.

    Args:
        domain_data: per kept column, its confirmed description (a dict or its JSON text).
        info_data: the info payload (its ``excluded_columns`` are left out even if in ``domain_data``).
        frame: the ingested table the payload describes.
        limits: ``max_categories`` caps confirmed category lists.

    Raises:
        SchemaError: ``malformed_json``, ``malformed_payload``, ``unknown_column``, ``no_columns``,
            ``unknown_type``, ``invalid_categories``, ``too_many_categories``, ``invalid_strategy``,
            ``invalid_bounds``, ``invalid_binning``, ``bin_edges_not_increasing``, ``not_numeric``,
            ``not_datetime``, ``invalid_column``.
    """
    limits = limits or IngestionLimits()
    domain = load_json(domain_data, "domain_data")
    info = load_json(info_data, "info_data")
    excluded = set(_name_list(info.get("excluded_columns", []), "info_data.excluded_columns"))
    unknown = [name for name in [*domain, *excluded] if name not in frame.columns]
    if unknown:
        raise SchemaError("unknown_column", f"column(s) {', '.join(map(repr, unknown))} are not in the table; "
                          f"its columns are {', '.join(map(repr, map(str, frame.columns)))}")
    kept = tuple(str(name) for name in frame.columns if name in domain and name not in excluded)
    if not kept:
        raise SchemaError("no_columns", "the confirmed schema keeps no column", hint="keep at least one column")
    builder = _Builder(limits)
    specs = tuple(builder.column(name, domain[name], frame[name]) for name in kept)
    try:
        metadata = TableMetadata(specs)
    except InvalidMetadataError as error:
        raise SchemaError("invalid_column", str(error)) from error
    return ConfirmedSchema(
        metadata, kept, tuple(str(c) for c in frame.columns if c not in kept),
        {spec.name: spec.provenance for spec in specs}, builder.remap, builder.formats,
    )


def _name_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SchemaError("malformed_payload", f"{what} must be a list of column names, got {value!r}")
    return value


def _finite(value: Any, column: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} must be finite, got {value!r}")
    return number


class _Builder:
    """Builds one :class:`ColumnSpec` per confirmed column, collecting the side tables of the schema."""

    def __init__(self, limits: IngestionLimits) -> None:
        self.limits = limits
        self.remap: dict[str, str] = {}
        self.formats: dict[str, str] = {}

    def column(self, name: str, entry: Any, series: pd.Series) -> ColumnSpec:
        if not isinstance(entry, dict):
            raise SchemaError("malformed_payload", f"column {name!r}: its entry must be an object, got {entry!r}")
        kind = entry.get("type")
        if kind not in COLUMN_KINDS:
            raise SchemaError("unknown_type", f"column {name!r}: type {kind!r} is not one of {', '.join(COLUMN_KINDS)}")
        nullable = bool(entry.get("nullable", False)) or bool(series.isna().any())
        try:
            if kind == "categorical":
                return self._categorical(name, entry, series, nullable)
            return self._numeric(name, kind, entry, series, nullable)
        except InvalidMetadataError as error:
            raise SchemaError("invalid_column", str(error)) from error

    def _categorical(self, name: str, entry: Payload, series: pd.Series, nullable: bool) -> ColumnSpec:
        data_values = [value for value, _ in value_counts(series)]
        confirmed = entry.get("categories")
        if confirmed is None:
            confirmed = data_values[: self.limits.max_categories]
        if not isinstance(confirmed, list):
            raise SchemaError("invalid_categories", f"column {name!r}: categories must be a list, got {confirmed!r}")
        bad = [value for value in confirmed if not (value is None or isinstance(value, str | int | float | bool))]
        if bad or any(value is None for value in confirmed):
            raise SchemaError("invalid_categories", f"column {name!r}: categories must be text or numbers, "
                                                    f"got {(bad or [None])[0]!r}")
        if len(confirmed) > self.limits.max_categories:
            raise SchemaError("too_many_categories", f"column {name!r}: {len(confirmed):,} categories exceed the "
                              f"limit of {self.limits.max_categories:,}",
                              hint="merge rare values, bin the column as numerical, or exclude it")
        if len({normalise(v) for v in confirmed}) != len(confirmed):
            raise SchemaError("invalid_categories", f"column {name!r}: categories contain duplicates")
        strategy = entry.get("excluded_strategy", "map_to_special")
        if strategy not in REMAP_STRATEGIES:
            raise SchemaError("invalid_strategy", f"column {name!r}: excluded_strategy {strategy!r} is not one of "
                              f"{', '.join(REMAP_STRATEGIES)}")
        data_set = {normalise(v) for v in data_values}
        outside = bool(data_set - {normalise(v) for v in confirmed})
        if not confirmed and strategy == "resample":
            raise SchemaError("invalid_categories", f"column {name!r}: resample needs at least one category")
        self.remap[name] = strategy
        inferred = {normalise(v) for v in data_values[: self.limits.max_categories]}
        provenance: Provenance = "data" if {normalise(v) for v in confirmed} == inferred else "public"
        special = entry.get("special_token", SPECIAL_TOKEN)
        return ColumnSpec(
            name, "categorical", dtype=str(series.dtype), categories=tuple(confirmed),
            other_token=strategy == "map_to_special" and (outside or provenance == "public" or not confirmed),
            other_value=special if isinstance(special, str | int | float) else SPECIAL_TOKEN,
            nullable=nullable, provenance=provenance,
        )

    def _numeric(self, name: str, kind: str, entry: Payload, series: pd.Series, nullable: bool) -> ColumnSpec:
        fmt = None
        if kind == "datetime":
            fmt = entry.get("datetime_format")
            values = _as_datetime_ns(series, fmt, name)
            self.formats[name] = fmt or "ISO8601"
        else:
            values = _as_numbers(series, name)
        present = values.dropna()
        data_bounds = (float(present.min()), float(present.max())) if len(present) else (0.0, 0.0)
        method, bins, raw_edges = _binning(name, entry.get("binning"))
        bounds = entry.get("bounds") or entry.get("numeric_summary") or {}
        if not isinstance(bounds, dict):
            raise SchemaError("invalid_bounds",
                              f"column {name!r}: bounds must be an object {{min, max}}, got {bounds!r}")
        lower = self._bound(name, kind, fmt, bounds.get("min"), data_bounds[0], "min")
        upper = self._bound(name, kind, fmt, bounds.get("max"), data_bounds[1], "max")
        edges = tuple(self._bound(name, kind, fmt, edge, 0.0, "a bin edge") for edge in raw_edges)
        for left, right in zip(edges, edges[1:], strict=False):
            if not right > left:
                raise SchemaError("bin_edges_not_increasing", f"column {name!r}: bin edges must increase strictly, "
                                  f"but {right:g} follows {left:g}")
        if edges:
            lower, upper, bins = edges[0], edges[-1], len(edges) - 1
        if lower > upper:
            raise SchemaError("invalid_bounds", f"column {name!r}: min {lower:g} is greater than max {upper:g}")
        integer = bool(entry.get("integer", _whole(present))) or kind == "datetime"
        if edges:
            explicit_edges(edges, integer=integer, column=name)  # an integer bin must hold a whole number
        from_data = lower == data_bounds[0] or upper == data_bounds[1]
        dtype = "datetime64[ns]" if kind == "datetime" else (
            str(series.dtype) if pd.api.types.is_numeric_dtype(series.dtype) else ("int64" if integer else "float64"))
        return ColumnSpec(name, kind, dtype=dtype, lower=lower, upper=upper, binning=method, bins=bins,  # type: ignore[arg-type]
                          edges=edges, integer=integer, nullable=nullable,
                          provenance="data" if from_data else "public")

    def _bound(self, name: str, kind: str, fmt: str | None, value: Any, data: float, what: str) -> float:
        if value is None:
            return data
        if kind == "datetime" and isinstance(value, str):
            parsed = pd.to_datetime(pd.Series([value]), format=fmt or "ISO8601", errors="coerce").iloc[0]
            if pd.isna(parsed):
                raise SchemaError("invalid_bounds",
                                  f"column {name!r}: {what} {value!r} is not a date in format {fmt!r}")
            return float(pd.Timestamp(parsed).as_unit("ns").value)
        return _finite(value, name, what)


def _binning(name: str, value: Any) -> tuple[str, int, list[Any]]:
    """Method, bins and the raw explicit edges (parsed by the caller, which knows the column's kind)."""
    if value is None:
        return "uniform", 32, []
    if isinstance(value, str):
        value = {"method": value}
    if not isinstance(value, dict):
        raise SchemaError("invalid_binning",
                          f"column {name!r}: binning must be an object {{method, bins}}, got {value!r}")
    method = value.get("method", "uniform")
    if method not in BINNINGS:
        raise SchemaError("invalid_binning", f"column {name!r}: binning method {method!r} is not one of "
                          f"{', '.join(BINNINGS)}")
    bins = value.get("bins", value.get("bin_count", 32))
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 100_000:
        raise SchemaError("invalid_binning", f"column {name!r}: bins must be an integer in [1, 100000], got {bins!r}")
    raw = value.get("edges", value.get("bin_edges"))
    if raw is None:
        return method, bins, []
    if not isinstance(raw, list) or len(raw) < 2 or any(edge is None for edge in raw):
        raise SchemaError("invalid_binning", f"column {name!r}: bin edges must be a list of at least 2 numbers, "
                          f"got {raw!r}")
    if method in DP_BINNINGS:
        raise SchemaError("invalid_binning", f"column {name!r}: explicit bin edges are public; the DP binning "
                          f"{method!r} chooses its own", hint="use method uniform with edges")
    return method, bins, raw


def _as_numbers(series: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    numbers = pd.to_numeric(series, errors="coerce")
    bad = numbers.isna() & series.notna()
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[bad].to_numpy(dtype=object))[:3])
        raise SchemaError("not_numeric", f"column {name!r} cannot be numerical: {int(bad.sum())} value(s) are not "
                          f"numbers, e.g. {examples}", hint="keep it categorical")
    return numbers.astype("float64")


def _as_datetime_ns(series: pd.Series, fmt: Any, name: str) -> pd.Series:
    if fmt is not None and not isinstance(fmt, str):
        raise SchemaError("not_datetime", f"column {name!r}: datetime_format must be text, got {fmt!r}")
    stamps = pd.to_datetime(series, format=fmt or "ISO8601", errors="coerce")
    bad = stamps.isna() & series.notna()
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[bad].to_numpy(dtype=object))[:3])
        raise SchemaError("not_datetime", f"column {name!r}: {int(bad.sum())} value(s) do not match the format "
                          f"{fmt or 'ISO8601'!r}, e.g. {examples}")
    ns = stamps.astype("datetime64[ns]").to_numpy().view("int64").astype("float64")
    return pd.Series(ns, index=series.index).where(stamps.notna())


def _whole(values: pd.Series) -> bool:
    return bool(len(values)) and bool((values == values.round()).all())
