"""The per-column codec contract and the one factory that builds a codec from a :class:`ColumnSpec`.

A :class:`ColumnCodec` maps one column to integer codes ``0..size-1`` and back. The factory
:func:`make_codec` picks the codec by ``spec.kind`` (:data:`CODEC_KINDS`) and, for numerical and datetime
columns, the bin edges: the spec's explicit ``edges`` if it has any, else by ``spec.binning``: public
binnings (:data:`PUBLIC_BINNINGS`) read only the bounds; DP binnings (:data:`DP_BINNINGS`) partition a fine
histogram of the data with ε-DP noise. The factory draws that noise but charges no ledger:
:class:`~method.preprocess_common.TableEncoder` charges the budget before calling it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd

from method.api.errors import InvalidMetadataError, InvalidParameterError
from method.api.metadata import ColumnSpec
from method.preprocess_common.binning import explicit_edges, exponential_edges, uniform_edges
from method.preprocess_common.categorical import CategoricalCodec
from method.preprocess_common.dawa import dawa_partition
from method.preprocess_common.numeric import DatetimeCodec, NumericCodec, datetime_dtype
from method.preprocess_common.privtree import privtree_partition


class ColumnCodec(Protocol):
    """Codes for one column: ``encode`` a series to ``0..size-1``, ``decode`` codes back to values."""

    @property
    def size(self) -> int: ...

    def encode(self, series: pd.Series) -> np.ndarray: ...

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series: ...


EdgeBuilder = Callable[..., np.ndarray]  # (lower, upper, bins, *, integer) -> edges
Partitioner = Callable[[np.ndarray, float, np.random.Generator], np.ndarray]  # cell boundaries

PUBLIC_BINNINGS: dict[str, EdgeBuilder] = {"uniform": uniform_edges, "exponential": exponential_edges}
DP_BINNINGS: dict[str, Partitioner] = {"privtree": privtree_partition, "dawa": dawa_partition}


def _binning_names() -> str:
    return ", ".join([*PUBLIC_BINNINGS, *DP_BINNINGS])


def _wrap(spec: ColumnSpec, numeric: NumericCodec, observed_dtype: object) -> NumericCodec | DatetimeCodec:
    if spec.kind == "datetime":
        return DatetimeCodec(numeric, datetime_dtype(observed_dtype, spec.dtype))
    return numeric


def _dp_edges(
    spec: ColumnSpec, column: pd.Series, fine: NumericCodec, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    codes = _wrap(spec, fine, column.dtype).encode(column)
    counts = np.bincount(codes[codes < fine.bins], minlength=fine.bins)
    cuts = DP_BINNINGS[spec.binning](counts, epsilon, rng)
    return fine.edges[cuts]


def make_numeric_codec(
    spec: ColumnSpec,
    column: pd.Series | None,
    *,
    epsilon: float | None,
    rng: np.random.Generator | None,
) -> NumericCodec | DatetimeCodec:
    """A numerical or datetime codec whose edges follow ``spec.binning``.

    Args:
        spec: the column's spec (bounds, binning, bins, integer, nullable).
        column: the private column; read only by a DP binning.
        epsilon: the pure-DP budget of a DP binning (already charged by the caller); unused otherwise.
        rng: the noise generator of a DP binning (``None`` when ``spec`` needs none).

    Raises:
        InvalidMetadataError: unknown binning, or bounds that hold no integer.
        InvalidParameterError: a DP binning without a positive epsilon or without the column.
    """
    integer = spec.integer or spec.kind == "datetime"
    lower, upper = spec.lower, spec.upper  # validated finite by the spec; integer ns stay exact
    observed = None if column is None else column.dtype
    if spec.edges:
        edges = explicit_edges(spec.edges, integer=integer, column=spec.name)
        return _wrap(spec, NumericCodec(spec.name, edges, integer, spec.nullable), observed)
    if spec.binning in PUBLIC_BINNINGS:
        edges = PUBLIC_BINNINGS[spec.binning](lower, upper, spec.bins, integer=integer)
        return _wrap(spec, NumericCodec(spec.name, edges, integer, spec.nullable), observed)
    if spec.binning not in DP_BINNINGS:
        raise InvalidMetadataError(
            f"column {spec.name!r}: binning {spec.binning!r} is not one of {_binning_names()}"
        )
    if epsilon is None or not epsilon > 0 or column is None or rng is None:
        raise InvalidParameterError(
            f"column {spec.name!r}: the DP binning {spec.binning!r} needs the column, "
            "an epsilon > 0 "
            "and a noise generator"
        )
    fine = NumericCodec(spec.name, uniform_edges(lower, upper, spec.bins, integer=integer), integer, True)
    edges = _dp_edges(spec, column, fine, epsilon, rng)
    return _wrap(spec, NumericCodec(spec.name, edges, integer, spec.nullable), observed)


def make_codec(
    spec: ColumnSpec,
    column: pd.Series | None,
    *,
    epsilon: float | None,
    rng: np.random.Generator | None,
) -> ColumnCodec:
    """The codec for ``spec``, chosen by ``spec.kind`` (see :data:`CODEC_KINDS`)."""
    if spec.kind not in CODEC_KINDS:
        raise InvalidMetadataError(
            f"column {spec.name!r}: kind {spec.kind!r} is not one of {', '.join(CODEC_KINDS)}"
        )
    return CODEC_KINDS[spec.kind](spec, column, epsilon=epsilon, rng=rng)


def _make_categorical(
    spec: ColumnSpec,
    column: pd.Series | None,
    *,
    epsilon: float | None,
    rng: np.random.Generator | None,
) -> CategoricalCodec:
    del column, epsilon, rng  # the category list is confirmed metadata: nothing is read from the data
    return CategoricalCodec.from_spec(spec)


CODEC_KINDS: dict[str, Callable[..., ColumnCodec]] = {
    "categorical": _make_categorical,
    "numerical": make_numeric_codec,
    "datetime": make_numeric_codec,
}
