"""Applying a confirmed schema to tables: the private table before fitting, the synthetic one after sampling.

:func:`prepare_table` keeps the confirmed columns in order, converts numerical and datetime columns to the
values their codecs read (numbers, ``datetime64``; a value that does not parse becomes missing), redraws
values outside a ``resample`` column's category list uniformly from the list, and fills the missing cells
of a non-nullable column from its public domain (the "other" bucket, a uniform category, or a uniform value
between its bounds) — row by row, so it reads no other record. The synthetic CSV is written by
:func:`web_app.review.output.write_csv`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from method.api.metadata import ColumnSpec
from method.preprocess_common.categorical import normalise
from web_app.review.confirm import ConfirmedSchema


def prepare_table(
    frame: pd.DataFrame, schema: ConfirmedSchema, rng: np.random.Generator, *, resample: bool = True,
    strict: bool = True,
) -> pd.DataFrame:
    """The kept columns of ``frame`` as the synthesizer's codecs expect them.

    Args:
        frame: the table (the private one, or a synthetic one read back for evaluation).
        schema: the confirmed schema.
        rng: draws the replacements of ``resample`` columns.
        resample: apply the ``resample`` remap (off when evaluating: out-of-list values must stay visible).
        strict: a missing column raises ``KeyError``; otherwise it is left out (evaluation reports it).
    """
    columns = {}
    for spec in schema.metadata.columns:
        if spec.name not in frame.columns and not strict:
            continue
        series = frame[spec.name]
        if spec.kind == "datetime":
            fmt = schema.datetime_formats.get(spec.name, "ISO8601")
            text = series if pd.api.types.is_datetime64_any_dtype(series.dtype) else series.astype("str").where(
                series.notna())
            series = pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[ns]")
        elif spec.kind == "numerical":
            numbers = series if pd.api.types.is_bool_dtype(series.dtype) else pd.to_numeric(series, errors="coerce")
            series = numbers.astype("float64")
        elif spec.kind == "categorical" and resample and schema.remap.get(spec.name) == "resample":
            series = _resample_outside(series, spec.categories, rng)
        if resample and not spec.nullable and bool(series.isna().any()):
            series = _fill_missing(series, spec, rng)
        columns[spec.name] = series
    return pd.DataFrame(columns, index=frame.index)


def _fill_missing(series: pd.Series, spec: ColumnSpec, rng: np.random.Generator) -> pd.Series:
    """Missing cells of a non-nullable column, redrawn from its public domain (row by row)."""
    missing = series.isna().to_numpy()
    count = int(missing.sum())
    if spec.kind == "categorical":
        values = series.to_numpy(dtype=object).copy()
        if spec.other_token or not spec.categories:
            values[missing] = spec.other_value
        else:
            choices = np.empty(len(spec.categories), dtype=object)
            choices[:] = list(spec.categories)
            values[missing] = choices[rng.integers(0, len(spec.categories), size=count)]
        return pd.Series(values, index=series.index, name=series.name).infer_objects()
    lower, upper = float(spec.lower or 0.0), float(spec.upper or 0.0)
    draws = rng.uniform(lower, upper, size=count) if upper > lower else np.full(count, lower)
    if spec.integer:
        draws = np.round(draws)
    if spec.kind == "datetime":
        filled = series.copy()
        filled[missing] = pd.to_datetime(draws.astype("int64"), unit="ns")
        return filled
    filled = series.to_numpy(dtype="float64").copy()
    filled[missing] = draws
    return pd.Series(filled, index=series.index, name=series.name)


def _resample_outside(series: pd.Series, categories: tuple[Any, ...], rng: np.random.Generator) -> pd.Series:
    allowed = {normalise(value) for value in categories}
    values = series.to_numpy(dtype=object)
    outside = np.array([not pd.isna(v) and normalise(v) not in allowed for v in values], dtype=bool)
    if not outside.any():
        return series
    replaced = values.copy()
    choices = np.empty(len(categories), dtype=object)
    choices[:] = list(categories)
    replaced[outside] = choices[rng.integers(0, len(categories), size=int(outside.sum()))]
    return pd.Series(replaced, index=series.index, name=series.name).infer_objects()
