"""The confirmed schema: validate an edited ``domain_data``/``info_data`` payload and turn it into metadata.

:func:`metadata_from_confirmed` is the inverse of :func:`web_app.review.payload.draft_payload`. It checks
every field of every entry (a :class:`~web_app.ingestion.errors.SchemaError` names the column and the bad
value), then uses an entry only if the column is *declared*: listed in ``info_data["declared_public"]``,
or every column in the ``as_confirmed`` mode (``info_data["domain_mode"]`` or the request's). A declared
entry is public by the user's word — kind, categories, bounds, nullable, integer, date format, binning and
"other" label as written — and a fact it leaves open (no category list, a null bound, no date format) is
discovered with DP. An undeclared column is discovered with DP entirely (:mod:`web_app.review.discover`,
the default ``dp`` mode), so a payload sent back unchanged never carries a fact read off the rows into
the release. Structural facts are never read off the data here: the output dtype follows the kind and
the declared or DP integer/nullable flags. Values outside a category list map to the "other" bucket
(``map_to_special``) or are redrawn from the list (``resample``, :func:`web_app.review.apply.prepare_table`);
missing cells of a non-nullable column are redrawn the same way. Exclusions in ``excluded_columns`` are the
user's (the draft never excludes a column by itself) and are always honoured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from method.api.base import PrivacySpec
from method.api.errors import InvalidMetadataError
from method.api.metadata import (
    BINNINGS,
    COLUMN_KINDS,
    DP_BINNINGS,
    MAX_BINS,
    MAX_DP_RESOLUTION,
    ColumnSpec,
    Provenance,
    TableMetadata,
)
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger
from method.preprocess_common.binning import explicit_edges
from method.preprocess_common.categorical import normalise
from web_app.data_inference import OTHER_LABEL
from web_app.ingestion.column_stats import value_counts
from web_app.ingestion.errors import IngestionLimits, SchemaError
from web_app.ingestion.json_text import JsonLimitError, parse_json
from web_app.review.discover import (
    Decision,
    DomainBudget,
    Source,
    discover_bounds,
    discover_categories,
    discover_column,
    discover_format,
    epoch_ns,
    public_dtype,
)
from web_app.review.output import CsvFormat, declared_decimals, format_declared, output_dialect
from web_app.review.payload import REMAP_STRATEGIES, Payload
from web_app.synthesis_service import DomainStory, SynthesisRequest

DOMAIN_MODES = ("dp", "as_confirmed")


def run_privacy(domain_data: Payload | str, info_data: Payload | str, request: SynthesisRequest) -> PrivacySpec:
    """The run's privacy spec: half of δ is kept for DP thresholds when anything is to be discovered."""
    count = needs_discovery(domain_data, info_data, request.domain_mode)
    return PrivacySpec(epsilon=request.epsilon, delta=request.delta,
                       threshold_delta=request.delta / 2 if count else 0.0)


def discovery_noise(seed: int | None) -> NoiseSource:
    """The discovery's noise: fresh OS entropy per call, or, for a seeded research run, the seed's third
    child (the fit's noise and sampling streams are its first two, :func:`method.api.base.seed_sequences`).
    """
    return NoiseSource(None if seed is None else np.random.SeedSequence(seed).spawn(3)[2])


def confirm_run(domain_data: Payload | str, info_data: Payload | str, frame: pd.DataFrame,
                request: SynthesisRequest, *, limits: IngestionLimits) -> tuple[ConfirmedSchema, DomainStory]:
    """Confirm a review for one run: reserve the threshold δ if anything is discovered, open the run's
    ledger, discover what nobody declared, and return the schema with the story its report tells.

    Args:
        request: the run (ε, δ, ``domain_mode``, ``domain_budget``, ``seed``).
        limits: ``max_categories`` caps confirmed and discovered category lists.
    """
    privacy = run_privacy(domain_data, info_data, request)
    threshold_delta = privacy.threshold_delta
    ledger = BudgetLedger(privacy.rho)
    budget = DomainBudget(ledger, request.domain_budget * privacy.rho, threshold_delta,
                          discovery_noise(request.seed), limits.max_categories)
    schema = metadata_from_confirmed(domain_data, info_data, frame, limits=limits, budget=budget,
                                     mode=request.domain_mode)
    story = DomainStory(schema.mode, schema.declared, tuple(d.to_json() for d in schema.decisions),
                        tuple(ledger.entries), threshold_delta)
    return schema, story


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
        mode: ``dp`` or ``as_confirmed``.
        declared: the kept columns whose entries were declared public.
        decisions: every structural fact of the release with its source (the privacy report lists them).
        null_token: how the synthetic CSV writes a missing cell.
        decimals: per numerical column, the decimals its synthetic values are written with.
        output_dialect: the declared ``output_format`` (delimiter, decimal mark, encoding), ``None`` for
            standard CSV.
    """

    metadata: TableMetadata
    columns: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    provenance: dict[str, Provenance] = field(default_factory=dict)
    remap: dict[str, str] = field(default_factory=dict)
    datetime_formats: dict[str, str] = field(default_factory=dict)
    mode: str = "dp"
    declared: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    null_token: str = ""
    decimals: dict[str, int] = field(default_factory=dict)
    output_dialect: dict[str, str] | None = None

    def csv_format(self) -> CsvFormat:
        """How this schema's synthetic CSV is written."""
        return CsvFormat(**(self.output_dialect or {}), null_token=self.null_token,
                         datetime_formats=self.datetime_formats, decimals=self.decimals)

    @property
    def discovered(self) -> bool:
        """Whether any fact was derived with DP (then the run reserved ``threshold_delta``)."""
        return any(decision.source == "dp" for decision in self.decisions)


def load_json(value: Payload | str | bytes, what: str) -> Payload:
    """A payload given as a dict or a JSON string (``malformed_json`` / ``malformed_payload`` otherwise)."""
    if isinstance(value, str | bytes):
        try:
            value = parse_json(value)
        except JsonLimitError as error:
            raise SchemaError("json_too_complex", f"{what}: {error}") from None
        except ValueError as error:
            raise SchemaError("malformed_json", f"{what} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise SchemaError("malformed_payload", f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def domain_mode(info_data: Payload, requested: str | None = None) -> str:
    """The run's domain mode: the request's, else the payload's, else ``dp``."""
    mode = requested or info_data.get("domain_mode") or "dp"
    if mode not in DOMAIN_MODES:
        raise SchemaError("invalid_domain_mode", f"domain_mode {mode!r} is not one of {', '.join(DOMAIN_MODES)}")
    return str(mode)


def kept_columns(domain_data: Payload | str, info_data: Payload | str) -> int:
    """How many columns the payload keeps (checked against the synthesis limit before any work)."""
    domain = load_json(domain_data, "domain_data")
    excluded = _excluded(load_json(info_data, "info_data"))
    return sum(1 for name in domain if name not in excluded)


def needs_discovery(domain_data: Payload | str, info_data: Payload | str, requested_mode: str | None = None) -> int:
    """How many kept columns need DP discovery (0: the run is fully declared and reserves no δ)."""
    domain = load_json(domain_data, "domain_data")
    info = load_json(info_data, "info_data")
    mode = domain_mode(info, requested_mode)
    excluded = _excluded(info)
    declared = _declared(info, mode, [name for name in domain if name not in excluded])
    return sum(1 for name, entry in domain.items()
               if name not in excluded and (name not in declared or _open_facts(entry)))


def metadata_from_confirmed(
    domain_data: Payload | str, info_data: Payload | str, frame: pd.DataFrame, *,
    limits: IngestionLimits | None = None, budget: DomainBudget | None = None, mode: str | None = None,
    owner_only: bool = False,
) -> ConfirmedSchema:
    """Validate a confirmed payload against ``frame`` and build the :class:`ConfirmedSchema`.

    Args:
        domain_data: per kept column, its confirmed description (a dict or its JSON text).
        info_data: the info payload: ``excluded_columns`` (left out even if in ``domain_data``),
            ``declared_public``, ``domain_mode``, ``null_token``, ``output_format``, ``declared_format``.
        frame: the ingested table the payload describes.
        limits: ``max_categories`` caps confirmed category lists.
        budget: what DP discovery may spend (needed when :func:`needs_discovery` is not 0).
        mode: the request's domain mode (overrides the payload's).
        owner_only: the schema only reads the owner's own table for the owner (the evaluation): open
            facts take the data's values instead of needing a budget. Never for a release.

    Raises:
        SchemaError: ``malformed_json``, ``malformed_payload``, ``unknown_column``, ``no_columns``,
            ``unknown_type``, ``invalid_categories``, ``too_many_categories``, ``invalid_strategy``,
            ``invalid_bounds``, ``invalid_binning``, ``bin_edges_not_increasing``, ``not_numeric``,
            ``not_datetime``, ``invalid_column``, ``invalid_domain_mode``, ``nothing_left``, ``invalid_decimals``,
            ``invalid_output_format``.
    """
    limits = limits or IngestionLimits()
    domain = load_json(domain_data, "domain_data")
    info = load_json(info_data, "info_data")
    run_mode = domain_mode(info, mode)
    excluded = _excluded(info)
    unknown = [name for name in [*domain, *excluded] if name not in frame.columns]
    if unknown:
        raise SchemaError("unknown_column", f"column(s) {', '.join(map(repr, unknown))} are not in the table; "
                          f"its columns are {', '.join(map(repr, map(str, frame.columns)))}")
    kept = tuple(str(name) for name in frame.columns if name in domain and name not in excluded)
    if not kept:
        raise SchemaError("no_columns", "the confirmed schema keeps no column", hint="keep at least one column")
    declared = _declared(info, run_mode, kept)
    builder = _Builder(limits)
    validated = {name: builder.column(name, domain[name], frame[name]) for name in kept}
    open_columns = [name for name in kept if name not in declared or builder.open[name]]
    if open_columns and budget is None and not owner_only:
        raise SchemaError("needs_budget", "this schema needs DP domain discovery but the run has no budget for it")
    if budget is not None:
        budget.columns = len(open_columns)
    specs: list[ColumnSpec] = []
    decisions: list[Decision] = []
    for name in kept:
        if name in declared or budget is None:  # no budget: declared and complete, or owner-only
            spec = builder.declared(name, validated[name], frame[name], budget, decisions)
        else:
            found = discover_column(name, frame[name], budget)
            decisions += found.decisions
            builder.formats.pop(name, None)
            builder.remap.pop(name, None)
            builder.decimals.pop(name, None)
            if found.decimals is not None:
                builder.decimals[name] = found.decimals
            if found.datetime_format is not None:
                builder.formats[name] = found.datetime_format
            if found.spec is None:
                continue
            spec = found.spec
        specs.append(spec)
    if not specs:
        raise SchemaError("nothing_left", "DP domain discovery excluded every column (too few rows for this "
                          "budget)", hint="declare the columns public, or raise epsilon")
    try:
        metadata = TableMetadata(tuple(specs))
    except InvalidMetadataError as error:
        raise SchemaError("invalid_column", str(error)) from error
    null_token = _null_token(info, run_mode)
    source: Source = "declared" if format_declared(info, run_mode) else "default"
    decisions.append(Decision("", "null_token", null_token, source))
    dialect = output_dialect(info, run_mode)
    decisions.append(Decision("", "output_format", dialect or CsvFormat().dialect_json(), source))
    names = tuple(spec.name for spec in specs)
    return ConfirmedSchema(
        metadata, names, tuple(str(c) for c in frame.columns if c not in names),
        {spec.name: spec.provenance for spec in specs},
        {name: builder.remap[name] for name in names if name in builder.remap},
        {name: builder.formats[name] for name in names if name in builder.formats},
        run_mode, tuple(name for name in names if name in declared), tuple(decisions), null_token,
        {name: builder.decimals[name] for name in names if name in builder.decimals}, dialect,
    )


def _declared(info: Payload, mode: str, kept: Any) -> set[str]:
    if mode == "as_confirmed":
        return set(kept)
    names = _name_list(info.get("declared_public", []), "info_data.declared_public")
    return set(names) & set(kept)


def _null_token(info: Payload, mode: str) -> str:
    token = info.get("null_token", "")
    if not format_declared(info, mode) or not isinstance(token, str):
        return ""
    return token


def _open_facts(entry: Any) -> set[str]:
    """The facts a declared entry leaves to DP discovery."""
    if not isinstance(entry, dict):
        return set()
    if entry.get("type") == "categorical":
        return {"categories"} if entry.get("categories") is None else set()
    facts = set()
    binning = entry.get("binning")
    has_edges = isinstance(binning, dict) and (binning.get("edges") or binning.get("bin_edges"))
    bounds = entry.get("bounds") or entry.get("numeric_summary") or {}
    if not has_edges and (not isinstance(bounds, dict) or bounds.get("min") is None or bounds.get("max") is None):
        facts.add("bounds")
    if entry.get("type") == "datetime" and not entry.get("datetime_format"):
        facts.add("datetime_format")
    return facts


def _excluded(info: Payload) -> set[str]:
    """The user's exclusions, ``info_data["excluded_columns"]``."""
    return set(_name_list(info.get("excluded_columns", []), "info_data.excluded_columns"))


def _name_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SchemaError("malformed_payload", f"{what} must be a list of column names, got {value!r}")
    return value


def _finite(value: Any, column: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} is too large to be a finite number") from None
    except ValueError:
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SchemaError("invalid_bounds", f"column {column!r}: {what} must be finite, got {value!r}")
    return number


class _Builder:
    """Validates each confirmed entry into a :class:`ColumnSpec`, collecting the side tables of the schema
    and the facts each entry leaves open (:attr:`open`, by :func:`_open_facts`, the one rule). Open facts
    get data values here only so that the entry can be validated; a declared column gets them from DP in
    :meth:`declared`."""

    def __init__(self, limits: IngestionLimits) -> None:
        self.limits = limits
        self.remap: dict[str, str] = {}
        self.formats: dict[str, str] = {}
        self.decimals: dict[str, int] = {}
        self.open: dict[str, set[str]] = {}

    def column(self, name: str, entry: Any, series: pd.Series) -> ColumnSpec:
        if not isinstance(entry, dict):
            raise SchemaError("malformed_payload", f"column {name!r}: its entry must be an object, got {entry!r}")
        kind = entry.get("type")
        if kind not in COLUMN_KINDS:
            raise SchemaError("unknown_type", f"column {name!r}: type {kind!r} is not one of {', '.join(COLUMN_KINDS)}")
        self.open[name] = _open_facts(entry)
        nullable = bool(entry.get("nullable", True))
        try:
            if kind == "categorical":
                return self._categorical(name, entry, series, nullable)
            return self._numeric(name, kind, entry, series, nullable)
        except InvalidMetadataError as error:
            raise SchemaError("invalid_column", str(error)) from error

    def declared(self, name: str, spec: ColumnSpec, series: pd.Series, budget: DomainBudget | None,
                 decisions: list[Decision]) -> ColumnSpec:
        """A declared column's spec, its open facts discovered with DP, and its decisions recorded."""
        open_facts = self.open.get(name, set())
        decided: dict[str, Any] = {"kind": spec.kind, "nullable": spec.nullable}
        if spec.kind == "categorical":
            decided["other_label"] = spec.other_value if spec.other_token else None
        else:
            decided |= {"integer": spec.integer, "binning": {"method": spec.effective_binning, "bins": spec.bins}}
        if spec.kind == "numerical" and not spec.integer:
            decided["decimals"] = self.decimals.get(name)
        if spec.kind == "datetime" and "datetime_format" not in open_facts:
            decided["datetime_format"] = self.formats.get(name)
        decisions += [Decision(name, key, value, "declared") for key, value in decided.items()]
        if open_facts and budget is not None:
            spec = self._discover_open(name, spec, series, budget, open_facts, decisions)
        elif spec.kind == "categorical":
            decisions.append(Decision(name, "categories", list(spec.categories), "declared"))
        else:
            decisions.append(Decision(name, "bounds", [spec.lower, spec.upper], "declared"))
        decisions.append(Decision(name, "dtype", spec.dtype, "default"))
        return spec

    def _discover_open(self, name: str, spec: ColumnSpec, series: pd.Series, budget: DomainBudget,
                       open_facts: set[str], decisions: list[Decision]) -> ColumnSpec:
        rho = budget.column_rho()
        if spec.kind == "categorical":
            categories = discover_categories(series, budget, rho)
            decisions.append(Decision(name, "categories", list(categories), "dp", rho))
            return replace(spec, categories=categories, other_token=True, provenance="dp")
        fmt = self.formats.get(name)
        if "datetime_format" in open_facts:
            format_rho = rho * 0.1 if "bounds" in open_facts else rho
            fmt = discover_format(series, budget, format_rho) or "ISO8601"
            self.formats[name] = fmt
            rho -= format_rho if "bounds" in open_facts else 0.0
            decisions.append(Decision(name, "datetime_format", fmt, "dp", format_rho))
        if "bounds" not in open_facts:
            decisions.append(Decision(name, "bounds", [spec.lower, spec.upper], "declared"))
            return spec
        values = epoch_ns(series, fmt or "ISO8601") if spec.kind == "datetime" else _as_numbers(series, name).to_numpy(
            dtype="float64", na_value=np.nan)
        bounds = discover_bounds(values, name, budget, rho, spec.integer)
        if bounds is None:
            raise SchemaError("no_dp_bounds", f"column {name!r}: DP discovery found no range for its values at this "
                              "budget", hint="declare its min and max, or raise epsilon")
        decisions.append(Decision(name, "bounds", list(bounds), "dp", rho))
        return replace(spec, lower=bounds[0], upper=bounds[1], provenance="dp")

    def _categorical(self, name: str, entry: Payload, series: pd.Series, nullable: bool) -> ColumnSpec:
        confirmed = entry.get("categories")
        if confirmed is None:
            confirmed = [value for value, _ in value_counts(series)][: self.limits.max_categories]
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
        if not confirmed and strategy == "resample":
            raise SchemaError("invalid_categories", f"column {name!r}: resample needs at least one category")
        self.remap[name] = strategy
        special = entry.get("special_token", OTHER_LABEL)
        return ColumnSpec(
            name, "categorical", dtype=public_dtype("categorical", False, nullable), categories=tuple(confirmed),
            other_token=strategy == "map_to_special",
            other_value=special if isinstance(special, str | int | float) else OTHER_LABEL,
            nullable=nullable, provenance="public",
        )

    def _numeric(self, name: str, kind: str, entry: Payload, series: pd.Series, nullable: bool) -> ColumnSpec:
        fmt = None
        if kind == "datetime":
            fmt = entry.get("datetime_format")
            values = _as_datetime_ns(series, fmt, name)
            self.formats[name] = fmt or "ISO8601"
        else:
            values = _as_numbers(series, name)
            places = declared_decimals(entry, name)
            if places is not None and not entry.get("integer", False):
                self.decimals[name] = places
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
        integer = bool(entry.get("integer", False)) or kind == "datetime"
        if edges:
            explicit_edges(edges, integer=integer, column=name)  # an integer bin must hold a whole number
        return ColumnSpec(name, kind, dtype=public_dtype(kind, integer, nullable),  # type: ignore[arg-type]
                          lower=lower, upper=upper, binning=method,  # type: ignore[arg-type]
                          bins=bins, edges=edges, integer=integer, nullable=nullable, provenance="public")

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
    most = MAX_DP_RESOLUTION if method in DP_BINNINGS else MAX_BINS  # a DP binning's bins: its finest resolution
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= most:
        raise SchemaError("invalid_binning", f"column {name!r}: bins must be an integer in [1, {most}], got {bins!r}")
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

