"""Shared fixtures of the encoder tests: the raw Adult table and metadata built from it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from method.api import ColumnSpec, TableMetadata

ADULT = Path(__file__).resolve().parents[2] / "data" / "adult.csv.zip"


def metadata_for(table: pd.DataFrame, *, bins: int = 32) -> TableMetadata:
    """Categorical for text columns (sorted unique values), numerical with min/max bounds otherwise;
    a column is nullable when it has missing values."""
    columns = []
    for name in table.columns:
        series = table[name]
        if pd.api.types.is_numeric_dtype(series):
            columns.append(ColumnSpec(
                name, "numerical", dtype=str(series.dtype), lower=series.min(), upper=series.max(),
                integer=pd.api.types.is_integer_dtype(series), bins=bins, provenance="data",
                nullable=bool(series.isna().any()),
            ))
        else:
            categories = tuple(sorted(series.dropna().unique()))
            columns.append(ColumnSpec(name, "categorical", dtype=str(series.dtype), categories=categories,
                                      provenance="data", nullable=bool(series.isna().any())))
    return TableMetadata(tuple(columns))


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    return pd.read_csv(ADULT, na_values=["?"])


@pytest.fixture(scope="session")
def adult_metadata(adult: pd.DataFrame) -> TableMetadata:
    return metadata_for(adult)
