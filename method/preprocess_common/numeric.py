"""The numeric and datetime codecs: values ↔ the index of their bin, decoded by sampling inside the bin.

A :class:`NumericCodec` clips values to ``[lower, upper]`` and codes them by bin (edges from
:mod:`method.preprocess_common.binning`, the edge convention is documented there); a null code follows
the bins when the column is nullable. Decoding draws a value uniformly inside the bin (a uniform integer
for integer columns), so a synthetic column has many distinct values and never leaves its bounds.

A :class:`DatetimeCodec` is a numeric codec on integer nanoseconds since the epoch (UTC), decoded back to
``datetime64`` of the column's original unit and time zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from method.api.errors import InvalidMetadataError
from method.preprocess_common.binning import assign_bins, sample_in_bins

_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class NumericCodec:
    """Bin codes for one numerical column; ``edges`` are the bin edges (int64 when ``integer``)."""

    name: str
    edges: np.ndarray
    integer: bool
    nullable: bool

    @property
    def bins(self) -> int:
        return len(self.edges) - 1

    @property
    def null_code(self) -> int | None:
        return self.bins if self.nullable else None

    @property
    def size(self) -> int:
        return self.bins + int(self.nullable)

    @property
    def lower(self) -> float:
        return self.edges[0]

    @property
    def upper(self) -> float:
        return self.edges[-1] - 1 if self.integer else self.edges[-1]

    def encode(self, series: pd.Series) -> np.ndarray:
        """Codes of ``series`` after clipping to the bounds; raises for non-numeric values."""
        values, missing = self._numbers(series)
        self._reject_missing(int(missing.sum()))
        codes = np.empty(len(values), dtype=np.int64)
        present = ~missing
        codes[present] = assign_bins(np.clip(values[present], self.lower, self.upper), self.edges)
        if self.null_code is not None:
            codes[missing] = self.null_code
        return codes

    def _numbers(self, series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        missing = series.isna().to_numpy()
        numbers = pd.to_numeric(series, errors="coerce")
        bad = numbers.isna().to_numpy() & ~missing
        if bad.any():
            examples = ", ".join(repr(v) for v in pd.unique(series[bad].to_numpy(dtype=object))[:_EXAMPLES])
            raise InvalidMetadataError(
                f"column {self.name!r}: {int(bad.sum())} row(s) are not numbers, e.g. {examples}"
            )
        if self.integer and pd.api.types.is_integer_dtype(numbers.dtype):
            return numbers.to_numpy(dtype=np.int64, na_value=0), missing  # exact for ns timestamps
        return numbers.to_numpy(dtype=float, na_value=np.nan), missing

    def _reject_missing(self, count: int) -> None:
        if count and not self.nullable:
            raise InvalidMetadataError(
                f"column {self.name!r} has {count} missing value(s) but is declared nullable=False"
            )

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
        """A value sampled uniformly inside each code's bin; the null code decodes to missing."""
        codes = np.asarray(codes, dtype=np.int64)
        missing = codes == self.null_code if self.null_code is not None else np.zeros(codes.shape, bool)
        present = ~missing
        values = sample_in_bins(codes[present], self.edges, integer=self.integer, rng=rng)
        if self.integer:
            out = pd.array(np.zeros(codes.size, dtype=np.int64), dtype="Int64")
            out[present] = values
            out[missing] = pd.NA
            series = pd.Series(out, name=self.name)
            return series if missing.any() else series.astype("int64")
        result = np.full(codes.size, np.nan)
        result[present] = values
        return pd.Series(result, name=self.name)


def datetime_dtype(observed: object, declared: str) -> object:
    """The datetime dtype to decode to: the input column's, else the metadata's, else ``datetime64[ns]``.

    >>> str(datetime_dtype(np.dtype("int64"), "datetime64[s, UTC]"))
    'datetime64[s, UTC]'
    """
    for candidate in (observed, declared):
        try:
            dtype = pd.api.types.pandas_dtype(candidate)
        except TypeError:
            continue
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return dtype
    return np.dtype("datetime64[ns]")


def to_epoch_ns(series: pd.Series, column: str) -> pd.Series:
    """Nanoseconds since the epoch (UTC) as a nullable ``Int64`` series; missing stays missing.

    >>> to_epoch_ns(pd.Series(pd.to_datetime(["1970-01-01 00:00:01", None])), "t").tolist()
    [1000000000, <NA>]
    """
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        try:
            series = pd.to_datetime(series, format="mixed")
        except (ValueError, TypeError) as error:
            raise InvalidMetadataError(
                f"column {column!r} holds values that are not datetimes: {error}"
            ) from error
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = series.isna().to_numpy()
    ns = series.dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").view(np.int64)
    out = pd.array(ns, dtype="Int64")
    out[missing] = pd.NA
    return pd.Series(out, index=series.index, name=series.name)


@dataclass(frozen=True, slots=True)
class DatetimeCodec:
    """A :class:`NumericCodec` on integer ns since the epoch, decoded to ``dtype`` (unit and tz kept)."""

    numeric: NumericCodec
    dtype: object

    @property
    def name(self) -> str:
        return self.numeric.name

    @property
    def size(self) -> int:
        return self.numeric.size

    @property
    def edges(self) -> np.ndarray:
        """Bin edges in ns since the epoch."""
        return self.numeric.edges

    def encode(self, series: pd.Series) -> np.ndarray:
        return self.numeric.encode(to_epoch_ns(series, self.name))

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
        ns = self.numeric.decode(codes, rng).astype("Int64")
        stamps = pd.to_datetime(ns, unit="ns")
        tz_aware = isinstance(self.dtype, pd.DatetimeTZDtype)
        if tz_aware:
            stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(self.dtype.tz)
        unit = self.dtype.unit if tz_aware else np.datetime_data(self.dtype)[0]
        return stamps.dt.as_unit(unit).rename(self.name)
