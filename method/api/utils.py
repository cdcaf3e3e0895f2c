"""Table helpers that every synthesizer adapter shares: split a table by column kind, and make a
synthetic table match the input's schema (column order, names, dtypes, missing values).
"""

from __future__ import annotations

import pandas as pd

from method.api.errors import InvalidMetadataError
from method.api.metadata import TableMetadata


def split_df_by_type(table: pd.DataFrame, metadata: TableMetadata) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(categorical columns, numerical and datetime columns)`` of ``table`` per ``metadata``."""
    categorical = [c.name for c in metadata.columns if c.kind == "categorical"]
    numeric = [c.name for c in metadata.columns if c.kind != "categorical"]
    check_columns(table, metadata)
    return table[categorical], table[numeric]


def check_columns(table: pd.DataFrame, metadata: TableMetadata) -> None:
    """Raise :class:`InvalidMetadataError` when metadata names a column the table lacks."""
    missing = [name for name in metadata.names if name not in table.columns]
    if missing:
        raise InvalidMetadataError(
            f"the table has no column(s) {', '.join(map(repr, missing))}; it has {', '.join(map(repr, table.columns))}"
        )


def enforce_schema(table: pd.DataFrame, metadata: TableMetadata) -> pd.DataFrame:
    """Reorder ``table`` to the metadata's columns and cast each back to its declared dtype
    (:attr:`~method.api.metadata.ColumnSpec.output_dtype`: text when a categorical column's values do not fit it).

    Missing values stay missing: an integer or boolean column that holds missing values is given the
    matching pandas nullable dtype (``Int64``, ``boolean``) rather than being silently filled.

    >>> import pandas as pd
    >>> from method.api.metadata import ColumnSpec, TableMetadata
    >>> meta = TableMetadata((ColumnSpec("b", "numerical", dtype="int64", lower=0, upper=9),
    ...                       ColumnSpec("a", "categorical", dtype="str", categories=("x",))))
    >>> out = enforce_schema(pd.DataFrame({"a": ["x"], "b": [3.0]}), meta)
    >>> list(out.columns), str(out["b"].dtype)
    (['b', 'a'], 'int64')
    """
    check_columns(table, metadata)
    return pd.DataFrame({spec.name: _cast(table[spec.name], spec.output_dtype) for spec in metadata.columns})


def _cast(column: pd.Series, dtype: str) -> pd.Series:
    has_missing = bool(column.isna().any())
    if dtype.startswith(("int", "uint")) and has_missing:
        return column.astype(dtype.capitalize().replace("Uint", "UInt"))
    if dtype == "bool" and has_missing:
        return column.astype("boolean")
    if dtype in ("object", "str", "string") or dtype.startswith("string"):
        return column.astype(dtype).where(column.notna(), None) if dtype == "object" else column.astype(dtype)
    return column.astype(dtype)
