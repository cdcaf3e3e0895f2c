"""Typed description of a table: per-column specs, the table's metadata, and the encoded domain.

``ColumnSpec`` says how a column is synthesized (categorical with a category list, or numerical/datetime
with bounds and a binning) and where each bound or category list came from (its *provenance*):

* ``public`` — confirmed by the caller (costs no budget);
* ``data`` — read off the private data without DP and accepted by the caller (reported as not DP);
* ``dp`` — derived from the data by a DP procedure whose spend is in the job's ledger.

``Domain`` is the integer-coded domain the mechanisms work on (attribute names and sizes); the
``TableEncoder`` in ``method.preprocess_common`` is its only producer.
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from method.api.errors import InvalidMetadataError

ColumnKind = Literal["categorical", "numerical", "datetime"]
Provenance = Literal["public", "data", "dp"]
Binning = Literal["uniform", "exponential", "privtree", "dawa"]

COLUMN_KINDS: tuple[str, ...] = ("categorical", "numerical", "datetime")
PROVENANCES: tuple[str, ...] = ("public", "data", "dp")
BINNINGS: tuple[str, ...] = ("uniform", "exponential", "privtree", "dawa")
DP_BINNINGS: tuple[str, ...] = ("privtree", "dawa")
#: Most bins of a public binning; a DP binning's ``bins`` is its finest resolution (its leaves adapt),
#: fine enough for one whole number per cell over a range of 2^17.
MAX_BINS, MAX_DP_RESOLUTION = 100_000, 2**17


def _one_of(value: str, valid: tuple[str, ...], what: str, column: str) -> None:
    if value not in valid:
        raise InvalidMetadataError(f"column {column!r}: {what} {value!r} is not one of {', '.join(valid)}")


def _holds(dtype: str, value: Any) -> bool:
    """Whether a column of ``dtype`` can hold ``value`` unchanged (text dtypes hold anything)."""
    kind = dtype.lower()
    if kind.startswith(("int", "uint")):
        return isinstance(value, numbers.Integral | np.integer) and not isinstance(value, bool | np.bool_)
    if kind.startswith("float"):
        return isinstance(value, numbers.Real | np.number) and not isinstance(value, bool | np.bool_)
    if kind in ("bool", "boolean"):
        return isinstance(value, bool | np.bool_)
    if kind.startswith("datetime"):
        return isinstance(value, datetime.datetime | np.datetime64)
    return True


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """How one column is encoded and synthesized.

    Args:
        name: column name as in the input table.
        kind: ``categorical``, ``numerical`` or ``datetime``.
        dtype: the input column's dtype (``str(series.dtype)``); the output is cast back to it.
        categories: categorical only: the confirmed values, in order.
        other_token: categorical only: map values outside ``categories`` to one extra "other" code
            (decoded as ``other_value``) instead of rejecting the table.
        lower, upper: numerical/datetime only: the bounds values are clipped to (datetime: ns since epoch).
        binning: numerical/datetime only: ``uniform``, ``exponential`` (public), ``privtree``, ``dawa`` (DP).
        bins: target number of bins (uniform/exponential: exact; DP binnings: the finest resolution).
        edges: numerical/datetime only: explicit public bin edges ``lower = e_0 < … < e_k = upper``, used
            instead of the binning's own (``bins`` is then ``k``; a DP binning cannot take them). Bin ``i`` is
            ``[e_i, e_{i+1})``, the last bin is closed; integer columns round each edge up to a whole number.
        integer: decode numeric values to whole numbers.
        nullable: reserve a code for missing values (set False when the column is known to be complete).
        provenance: where the bounds/categories came from (``public``, ``data`` or ``dp``).
    """

    name: str
    kind: ColumnKind
    dtype: str = "object"
    categories: tuple[Any, ...] = ()
    other_token: bool = False
    other_value: Any = "other"
    lower: float | None = None
    upper: float | None = None
    binning: Binning = "uniform"
    bins: int = 32
    edges: tuple[float, ...] = ()
    integer: bool = False
    nullable: bool = True
    provenance: Provenance = "public"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidMetadataError(f"a column name must be a non-empty string, got {self.name!r}")
        _one_of(self.kind, COLUMN_KINDS, "kind", self.name)
        _one_of(self.provenance, PROVENANCES, "provenance", self.name)
        if self.kind == "categorical":
            self._validate_categorical()
        else:
            self._validate_numeric()

    def _validate_categorical(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        if len(set(self.categories)) != len(self.categories):
            raise InvalidMetadataError(f"column {self.name!r}: categories contain duplicates")
        if not self.categories and not self.other_token:
            raise InvalidMetadataError(
                f"column {self.name!r}: a categorical column needs at least one category (or other_token)"
            )

    def _validate_numeric(self) -> None:
        _one_of(self.binning, BINNINGS, "binning", self.name)
        if self.lower is None or self.upper is None:
            raise InvalidMetadataError(f"column {self.name!r}: a {self.kind} column needs lower and upper bounds")
        if not (math.isfinite(self.lower) and math.isfinite(self.upper)) or self.lower > self.upper:
            raise InvalidMetadataError(
                f"column {self.name!r}: bounds must be finite with lower <= upper, got [{self.lower}, {self.upper}]"
            )
        most = MAX_DP_RESOLUTION if self.binning in DP_BINNINGS else MAX_BINS
        if not (isinstance(self.bins, int) and 1 <= self.bins <= most):
            raise InvalidMetadataError(
                f"column {self.name!r}: bins must be an integer in [1, {most}], got {self.bins!r}"
            )
        if self.edges:
            self._validate_edges()

    def _validate_edges(self) -> None:
        edges = tuple(float(edge) for edge in self.edges)
        object.__setattr__(self, "edges", edges)
        if self.binning in DP_BINNINGS:
            raise InvalidMetadataError(f"column {self.name!r}: explicit bin edges are public; the DP binning "
                                       f"{self.binning!r} chooses its own")
        if len(edges) < 2 or not all(math.isfinite(edge) for edge in edges):
            raise InvalidMetadataError(f"column {self.name!r}: bin edges must be at least 2 finite numbers")
        if any(not right > left for left, right in zip(edges, edges[1:], strict=False)):
            raise InvalidMetadataError(f"column {self.name!r}: bin edges must increase strictly, got {list(edges)}")
        if (edges[0], edges[-1]) != (self.lower, self.upper) or self.bins != len(edges) - 1:
            raise InvalidMetadataError(
                f"column {self.name!r}: bin edges must run from lower to upper ({self.lower:g}..{self.upper:g}) "
                f"with bins = {len(edges) - 1}, got {edges[0]:g}..{edges[-1]:g} and bins = {self.bins}"
            )

    @property
    def effective_binning(self) -> str | None:
        """What sets the bin edges, for reports: the binning, ``explicit`` for the caller's own edges,
        ``None`` for a categorical column.

        >>> ColumnSpec("x", "numerical", lower=0, upper=2, bins=2, edges=(0, 1, 2)).effective_binning
        'explicit'
        """
        if self.kind == "categorical":
            return None
        return "explicit" if self.edges else self.binning

    @property
    def output_dtype(self) -> str:
        """The dtype the synthetic column is cast to: ``dtype``, unless a categorical column can decode to a
        value that dtype cannot hold (an "other" label or a category that is text in an integer, float,
        boolean or datetime column) — then ``object``: the column is text by its own declaration, decided from
        the spec alone (never from the rows), so no draw can fail the cast.

        >>> ColumnSpec("n", "categorical", dtype="int64", categories=(1, 2), other_token=True).output_dtype
        'object'
        >>> ColumnSpec("n", "categorical", dtype="int64", categories=(1,), other_token=True, other_value=0).output_dtype
        'int64'
        """
        if self.kind != "categorical":
            return self.dtype
        decoded = [*self.categories, *([self.other_value] if self.other_token else [])]
        return self.dtype if all(_holds(self.dtype, value) for value in decoded) else "object"

    @property
    def is_dp_binned(self) -> bool:
        return self.kind != "categorical" and self.binning in DP_BINNINGS

    @property
    def domain_provenance(self) -> Provenance:
        """The least private source of the column's domain: bounds/categories read off the data make it
        ``data`` even when its bin edges are DP; public bounds with DP edges make it ``dp``.

        >>> ColumnSpec("x", "numerical", lower=0, upper=1, binning="privtree", provenance="data").domain_provenance
        'data'
        >>> ColumnSpec("x", "numerical", lower=0, upper=1, binning="privtree").domain_provenance
        'dp'
        """
        return "dp" if self.is_dp_binned and self.provenance == "public" else self.provenance


@dataclass(frozen=True, slots=True)
class TableMetadata:
    """The confirmed description of a table: one :class:`ColumnSpec` per synthesized column, in order."""

    columns: tuple[ColumnSpec, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.columns:
            raise InvalidMetadataError("metadata must describe at least one column")
        names = [column.name for column in self.columns]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise InvalidMetadataError(f"duplicate column names: {', '.join(map(repr, duplicates))}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def __getitem__(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise InvalidMetadataError(f"no column {name!r}; columns are {', '.join(self.names)}")

    def non_dp_provenance(self) -> tuple[str, ...]:
        """Columns whose bounds or categories were read off the data without DP."""
        return tuple(column.name for column in self.columns if column.provenance == "data")


@dataclass(frozen=True, slots=True)
class Domain:
    """Attribute names and their sizes; attribute ``a`` takes the values ``0 .. size(a)-1``.

    >>> d = Domain(("a", "b"), (2, 3))
    >>> d.size(), d["b"], d.project(["b"]).names
    (6, 3, ('b',))
    """

    names: tuple[str, ...]
    sizes: tuple[int, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        if len(self.names) != len(self.sizes):
            raise InvalidMetadataError("a domain needs one size per attribute")
        if len(set(self.names)) != len(self.names):
            raise InvalidMetadataError("domain attribute names must be unique")
        if any(size < 1 for size in self.sizes):
            raise InvalidMetadataError(f"domain sizes must be >= 1, got {self.sizes}")
        object.__setattr__(self, "_index", {name: i for i, name in enumerate(self.names)})

    @classmethod
    def from_dict(cls, sizes: dict[str, int]) -> Domain:
        return cls(tuple(sizes), tuple(sizes.values()))

    def __getitem__(self, name: str) -> int:
        return self.sizes[self.index(name)]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        try:
            return self._index[name]
        except KeyError:
            raise InvalidMetadataError(f"no attribute {name!r}; attributes are {', '.join(self.names)}") from None

    def indices(self, names: Iterable[str]) -> tuple[int, ...]:
        return tuple(self.index(name) for name in names)

    def project(self, names: Sequence[str]) -> Domain:
        return Domain(tuple(names), tuple(self[name] for name in names))

    def shape(self, names: Sequence[str]) -> tuple[int, ...]:
        return tuple(self[name] for name in names)

    def size(self, names: Sequence[str] | None = None) -> int:
        return math.prod(self.shape(self.names if names is None else names))

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.names, self.sizes, strict=True))
