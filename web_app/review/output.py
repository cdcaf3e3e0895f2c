"""How the synthetic CSV is written, so the output looks like the input: :class:`CsvFormat` and its writer.

The review drafts the input's own look as a suggestion (``info_data["output_format"]``: delimiter, decimal
mark, encoding; ``info_data["null_token"]``; ``domain_data[name]["decimals"]`` per numerical column, inferred
from the values). Like every structural fact of a release (docs/privacy.md) they are used only as declared:
the file's format (output format and null token) when the user declares it (``info_data["declared_format"]``
true, or the ``as_confirmed`` mode; otherwise standard CSV: comma, decimal point, UTF-8, empty cells for
missing values); a column's ``decimals`` when the column is declared, else discovered with DP
(:func:`method.preprocess_common.discovery.dp_decimals`).

:func:`write_csv` rounds each column to its decimals, writes dates in their input format, defuses
formula-like cells (headers included) and writes missing cells with the chosen null token;
:func:`read_csv` reads it back.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from method.preprocess_common.discovery import MAX_DECIMALS, decimals_needed
from web_app.ingestion.errors import SchemaError

DELIMITERS = (",", ";", "\t", "|")
DECIMAL_MARKS = (".", ",")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """The look of the synthetic CSV.

    Args:
        delimiter: field separator (``,`` ``;`` tab ``|``).
        decimal: decimal mark of numbers (``.`` or ``,``; never the delimiter).
        encoding: text encoding of the file.
        null_token: how a missing cell is written.
        datetime_formats: per datetime column, its ``strftime`` format (ISO 8601 when absent).
        decimals: per numerical column, the decimals its values are rounded to (absent: as sampled).
    """

    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    null_token: str = ""
    datetime_formats: Mapping[str, str] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)

    def dialect_json(self) -> dict[str, str]:
        return {"delimiter": self.delimiter, "decimal": self.decimal, "encoding": self.encoding}


def format_declared(info: Mapping[str, Any], mode: str) -> bool:
    """Whether the user declared the file's format public (then the output is written like the input)."""
    return mode == "as_confirmed" or info.get("declared_format") is True


def output_dialect(info: Mapping[str, Any], mode: str) -> dict[str, str] | None:
    """The confirmed ``info_data["output_format"]`` validated, if declared (``None``: standard CSV).

    Raises:
        SchemaError: ``invalid_output_format`` naming the bad entry and the valid ones.
    """
    given = info.get("output_format")
    if given is None or not format_declared(info, mode):
        return None
    if not isinstance(given, dict):
        raise SchemaError("invalid_output_format", "info_data.output_format must be an object like "
                          '{"delimiter": ";", "decimal": ",", "encoding": "utf-8"}')
    chosen = {"delimiter": given.get("delimiter", ","), "decimal": given.get("decimal", "."),
              "encoding": str(given.get("encoding", "utf-8")).lower()}
    for key, allowed in (("delimiter", DELIMITERS), ("decimal", DECIMAL_MARKS), ("encoding", ENCODINGS)):
        if chosen[key] not in allowed:
            raise SchemaError("invalid_output_format", f"output_format.{key} {chosen[key]!r} is not one of "
                              f"{', '.join(map(repr, allowed))}")
    if chosen["delimiter"] == chosen["decimal"]:
        raise SchemaError("invalid_output_format", "output_format: the decimal mark cannot be the delimiter")
    return chosen


def declared_decimals(entry: Mapping[str, Any], name: str) -> int | None:
    """A confirmed column's ``decimals`` (``None``: not given, values as sampled)."""
    value = entry.get("decimals")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
        raise SchemaError("invalid_decimals", f"column {name!r}: decimals must be a whole number from 0 to "
                          f"{MAX_DECIMALS} (or null for full precision), got {value!r}")
    return value


def inferred_decimals(values: pd.Series) -> int | None:
    """The decimals the column's numbers are written with (the most any value needs, up to
    :data:`MAX_DECIMALS`); ``None`` when some value needs more (full precision). For the review only.

    >>> inferred_decimals(pd.Series([1.5, 0.25, 3.0])), inferred_decimals(pd.Series([1 / 3]))
    (2, None)
    """
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return None
    needed = decimals_needed(numbers)
    return int(needed.max()) if needed.max() <= MAX_DECIMALS else None


def write_csv(synthetic: pd.DataFrame, fmt: CsvFormat) -> bytes:
    """The synthetic table as the CSV users download (module docstring)."""
    out = synthetic.copy()
    for name, places in fmt.decimals.items():
        if name in out.columns and pd.api.types.is_float_dtype(out[name].dtype):
            out[name] = out[name].round(places)
    for name, date_format in fmt.datetime_formats.items():
        if name in out.columns and date_format != "ISO8601":
            stamps = pd.to_datetime(out[name])
            out[name] = stamps.dt.strftime(date_format).where(stamps.notna(), None)
    safe = spreadsheet_safe(out)
    text: str = safe.to_csv(index=False, na_rep=fmt.null_token, sep=fmt.delimiter, decimal=fmt.decimal)
    return text.encode(fmt.encoding, errors="replace")


def read_csv(data: bytes, fmt: CsvFormat) -> pd.DataFrame:
    """A CSV :func:`write_csv` wrote, read back as a table (for the owner's evaluation)."""
    return pd.read_csv(io.BytesIO(data), sep=fmt.delimiter, decimal=fmt.decimal, encoding=fmt.encoding,
                       keep_default_na=False, na_values=[fmt.null_token])


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
