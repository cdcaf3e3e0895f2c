"""DP domain discovery for a confirmed review: the budget split, and the columns nobody declared.

A confirmed column is either *declared* (the user, a schema file or the ``as_confirmed`` mode says its
entry is public) or not. An undeclared column's entry is only a suggestion: every structural fact of it
— kind, exclusion, nullable, integer, decimals, date format, categories, bounds — is derived here with DP
(:mod:`method.preprocess_common.discovery`), charged to the run's ledger under ``domain:*`` stages, and its
binning is the public default. A declared column whose entry leaves a fact open (no category list, no
bounds, no date format) gets just that fact from here. Every fact is recorded as a :class:`Decision` with
its source, which the privacy report lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from method.api.metadata import MAX_DP_RESOLUTION, ColumnSpec
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger
from method.preprocess_common import discovery
from web_app.data_inference import OTHER_LABEL
from web_app.ingestion.datetimes import DATE_SHAPE, DATETIME_FORMATS

Source = Literal["declared", "dp", "default"]
DEFAULT_BINS = 32
#: The finest resolution PrivTree may split an undeclared numeric column down to (its leaves adapt): one
#: whole number per cell up to a range of 2^17 (Adult's capital-gain: [0, 131072], 92 % zeros).
DP_BINNING_RESOLUTION = MAX_DP_RESOLUTION
#: Shares of a column's discovery budget: the structure counts, the date-format test (text columns), the
#: decimals of numbers that are not whole.
STRUCTURE_SHARE, FORMAT_SHARE, DECIMALS_SHARE = 0.15, 0.10, 0.10


@dataclass(frozen=True, slots=True)
class Decision:
    """One structural fact of the release and where it came from.

    Attributes:
        column: the column (``""`` for a table-level decision such as the null token).
        decision: ``kind``, ``excluded``, ``nullable``, ``integer``, ``dtype``, ``datetime_format``,
            ``categories``, ``bounds``, ``binning``, ``other_label``, ``null_token``.
        value: the JSON value the release uses.
        source: ``declared`` (public by the user's word), ``dp`` (derived with DP, charged) or
            ``default`` (a fixed public default that never looked at the rows).
        rho: ρ charged for it (``dp`` only; facts released together share one charge).
    """

    column: str
    decision: str
    value: Any
    source: Source
    rho: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"column": self.column, "decision": self.decision, "value": self.value, "source": self.source,
                "rho": self.rho}


@dataclass(slots=True)
class DomainBudget:
    """What discovery may spend: ``rho`` and ``delta`` in all, split equally over the columns that need it.

    Args:
        ledger: the run's ledger (total ρ of the job); discovery charges it first.
        rho: ρ for discovery (``domain_budget_fraction`` of the job's ρ).
        delta: the δ kept for category thresholds (``PrivacySpec.threshold_delta``).
        noise: the entropy of the discovery's noise (never the stream that samples records).
        max_categories: a public cap on a discovered category list.
    """

    ledger: BudgetLedger
    rho: float
    delta: float
    noise: NoiseSource
    max_categories: int = 1000
    columns: int = 0  # set once the columns that need discovery are counted

    def column_rho(self) -> float:
        return self.rho / max(self.columns, 1)

    def column_delta(self) -> float:
        return self.delta / max(self.columns, 1)


@dataclass(frozen=True, slots=True)
class DiscoveredColumn:
    """An undeclared column after discovery: its spec (``None`` when DP excluded it), date format, facts,
    and the decimals its values are written with (``None``: full precision, or not a number)."""

    spec: ColumnSpec | None
    datetime_format: str | None
    decisions: tuple[Decision, ...]
    decimals: int | None = None


def public_dtype(kind: str, integer: bool, nullable: bool) -> str:
    """The output dtype from public facts only (never the input column's dtype).

    >>> public_dtype("numerical", True, True), public_dtype("numerical", False, False)
    ('Int64', 'float64')
    """
    if kind == "datetime":
        return "datetime64[ns]"
    if kind == "categorical":
        return "object"
    if integer:
        return "Int64" if nullable else "int64"
    return "float64"


def default_bins(integer: bool, lower: float, upper: float, bins: int = DEFAULT_BINS) -> int:
    """``bins``, but no more than the whole numbers between the bounds of an integer column."""
    return int(max(1, min(bins, upper - lower + 1))) if integer else bins


def epoch_ns(series: pd.Series, fmt: str) -> np.ndarray:
    """Dates parsed with ``fmt`` as float ns since the epoch (unparseable → NaN)."""
    stamps = pd.to_datetime(series.astype("str").where(series.notna()), format=fmt, errors="coerce")
    ns = stamps.astype("datetime64[ns]").to_numpy().view("int64").astype("float64")
    return np.where(stamps.notna().to_numpy(), ns, np.nan)


def discover_categories(series: pd.Series, budget: DomainBudget, rho: float) -> tuple[Any, ...]:
    return discovery.dp_categories(series, budget.ledger, rho, budget.column_delta(), budget.noise,
                                   max_categories=budget.max_categories)


def discover_bounds(values: np.ndarray, name: str, budget: DomainBudget, rho: float,
                    integer: bool) -> tuple[float, float] | None:
    return discovery.dp_bounds(values, budget.ledger, rho, budget.noise, measured=name, integer=integer)


def discover_format(series: pd.Series, budget: DomainBudget, rho: float) -> str | None:
    return discovery.dp_datetime_format(series, DATETIME_FORMATS, budget.ledger, rho, budget.noise,
                                        screen=DATE_SHAPE)


def discover_column(name: str, series: pd.Series, budget: DomainBudget) -> DiscoveredColumn:
    """Every fact of an undeclared column, with DP (module docstring)."""
    rho = budget.column_rho()
    structure = discovery.dp_structure(series, budget.ledger, STRUCTURE_SHARE * rho, budget.noise)
    rest = (1 - STRUCTURE_SHARE) * rho
    facts = [Decision(name, "nullable", structure.nullable, "dp", STRUCTURE_SHARE * rho)]
    if structure.kind == "excluded":
        facts.append(Decision(name, "excluded", structure.reason, "dp", STRUCTURE_SHARE * rho))
        return DiscoveredColumn(None, None, tuple(facts))
    fmt = None
    if structure.kind == "text":
        fmt = discover_format(series, budget, FORMAT_SHARE * rho)
        rest -= FORMAT_SHARE * rho
        facts.append(Decision(name, "datetime_format", fmt, "dp", FORMAT_SHARE * rho))
    if structure.kind == "text" and fmt is None and structure.near_unique:
        facts.append(Decision(name, "excluded", "near-unique text values: looks like an identifier", "dp",
                              STRUCTURE_SHARE * rho))
        return DiscoveredColumn(None, None, tuple(facts))
    if structure.kind == "text" and fmt is None:
        categories = discover_categories(series, budget, rest)
        facts += [Decision(name, "kind", "categorical", "dp", STRUCTURE_SHARE * rho),
                  Decision(name, "categories", list(categories), "dp", rest),
                  Decision(name, "other_label", OTHER_LABEL, "default")]
        spec = ColumnSpec(name, "categorical", dtype="object", categories=categories, other_token=True,
                          other_value=OTHER_LABEL, nullable=structure.nullable, provenance="dp")
        return DiscoveredColumn(spec, None, _with_dtype(facts, spec))
    kind = "datetime" if fmt is not None else "numerical"
    integer = kind == "datetime" or structure.integer
    values = epoch_ns(series, fmt) if fmt is not None else pd.to_numeric(series, errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    decimals = None
    if not integer:
        decimals = discovery.dp_decimals(values, budget.ledger, DECIMALS_SHARE * rho, budget.noise, measured=name)
        rest -= DECIMALS_SHARE * rho
        facts.append(Decision(name, "decimals", decimals, "dp", DECIMALS_SHARE * rho))
    bounds = discover_bounds(values, name, budget, rest, integer)
    facts.append(Decision(name, "kind", kind, "dp", STRUCTURE_SHARE * rho))
    if bounds is None:
        facts.append(Decision(name, "excluded", "no range found with DP at this budget", "dp", rest))
        return DiscoveredColumn(None, None, tuple(facts))
    lower, upper = bounds
    bins = default_bins(integer, lower, upper, DP_BINNING_RESOLUTION)
    facts += [Decision(name, "integer", integer, "dp" if kind == "numerical" else "default",
                       STRUCTURE_SHARE * rho if kind == "numerical" else 0.0),
              Decision(name, "bounds", [lower, upper], "dp", rest),
              Decision(name, "binning", {"method": "privtree", "bins": bins}, "default")]
    spec = ColumnSpec(name, kind, dtype=public_dtype(kind, integer, structure.nullable), lower=lower,  # type: ignore[arg-type]
                      upper=upper, binning="privtree", bins=bins, integer=integer, nullable=structure.nullable,
                      provenance="dp")
    return DiscoveredColumn(spec, fmt, _with_dtype(facts, spec), decimals)


def _with_dtype(facts: list[Decision], spec: ColumnSpec) -> tuple[Decision, ...]:
    return (*facts, Decision(spec.name, "dtype", spec.dtype, "default"))

