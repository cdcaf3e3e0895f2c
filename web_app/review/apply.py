"""Applying a confirmed schema to tables: the private table before fitting, the synthetic one after sampling.

:func:`prepare_table` keeps the confirmed columns in order, converts numerical and datetime columns to the
values their codecs read (numbers, ``datetime64``; a value that does not parse becomes missing), redraws
values outside a ``resample`` column's category list uniformly from the list, and fills the missing cells
of a non-nullable column from its public domain (the "other" bucket, a uniform category, or a uniform value
between its bounds) — row by row, so it reads no other record. :func:`restore_table` writes datetime
columns back in their input format. :func:`spreadsheet_safe` protects CSV cells that a spreadsheet would
run as a formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from method.api.metadata import ColumnSpec
from method.preprocess_common.categorical import normalise
from web_app.review.confirm import ConfirmedSchema

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def restore_table(synthetic: pd.DataFrame, datetime_formats: Mapping[str, str]) -> pd.DataFrame:
    """``synthetic`` with datetime columns written back in their input format (missing stays missing)."""
    out = synthetic.copy()
    for name, fmt in datetime_formats.items():
        if name in out.columns and fmt != "ISO8601":
            stamps = pd.to_datetime(out[name])
            out[name] = stamps.dt.strftime(fmt).where(stamps.notna(), None)
    return out


def synthetic_csv(synthetic: pd.DataFrame, datetime_formats: Mapping[str, str], null_token: str = "") -> bytes:
    """The synthetic table as the CSV users download: dates in their input format, formula-like cells
    defused, missing cells written with the input's own null token."""
    safe = spreadsheet_safe(restore_table(synthetic, datetime_formats))
    text: str = safe.to_csv(index=False, na_rep=null_token)
    return text.encode()


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with ``= + - @`` (or tab/CR) get a leading ``'`` so spreadsheets show them as text;
    so do column names (the header row is cells too).

    >>> spreadsheet_safe(pd.DataFrame({"a": ["=1+1", "x", None], "b": [-1, 2, 3]}))["a"].tolist()[:2]
    ["'=1+1", 'x']
    >>> list(spreadsheet_safe(pd.DataFrame({"=HYPERLINK(1)": [1], "b": [2]})).columns)
    ["'=HYPERLINK(1)", 'b']
    """
    out = frame.copy()
    out.columns = [f"'{name}" if str(name).startswith(_FORMULA_START) else name for name in out.columns]
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
            continue
        text = column.astype("str")
        risky = text.str.startswith(_FORMULA_START) & column.notna()
        if risky.any():
            out[name] = column.where(~risky, "'" + text)
    return out
