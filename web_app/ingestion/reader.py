"""Reading an uploaded file into a pandas DataFrame: the entry points of the data layer's input side.

:func:`ingest_path` (a file on disk) and :func:`ingest_upload` (a stream, copied under the byte cap first)
return an :class:`IngestedTable`; anything wrong raises :class:`~web_app.ingestion.errors.IngestionError`
with a code. The steps:

1. archive/gzip extraction, binary and encoding detection (:mod:`web_app.ingestion.source`);
2. dialect sniffing and header cleaning from a 64 KiB sample (:mod:`web_app.ingestion.dialect`);
3. the whole file is parsed by pyarrow's multi-threaded CSV reader (quoted fields with embedded delimiters
   and newlines, CRLF, every-field-quoted, decimal comma, null tokens), with the cleaned header supplied;
   columns pyarrow cannot convert consistently are re-read as text;
4. text columns are trimmed (option) and re-checked for null tokens and numbers; ISO dates stay text so
   that inference can record their format; integer columns with missing cells become ``Int64``.

No web framework here: the worker and the CLI import this module.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from web_app.ingestion.dialect import (
    Dialect,
    HeaderRename,
    clean_header,
    dominant_null_token,
    read_header,
    sniff_dialect,
)
from web_app.ingestion.errors import IngestionError, IngestionLimits, too_large
from web_app.ingestion.source import (
    CHUNK,
    SAMPLE_BYTES,
    copy_limited,
    decode_sample,
    detect_encoding,
    materialize_csv,
    read_sample,
)

__all__ = ["IngestedTable", "IngestionError", "IngestionLimits", "IngestionOptions", "copy_limited",
           "ingest_path", "ingest_upload"]

DEFAULT_NULL_TOKENS = ("NA", "N/A", "?", "")
_CONVERSION_ERROR = re.compile(r"In CSV column #(\d+): .*CSV conversion error")


@dataclass(frozen=True, slots=True)
class IngestionOptions:
    """How to read a file.

    Args:
        null_tokens: cell values read as missing (compared after trimming when ``trim_whitespace``).
        trim_whitespace: strip leading/trailing spaces from text cells (``" 25"`` is then a number).
        delimiter: force a delimiter instead of sniffing it.
        encoding: force an encoding instead of detecting it.
    """

    null_tokens: tuple[str, ...] = DEFAULT_NULL_TOKENS
    trim_whitespace: bool = True
    delimiter: str | None = None
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class IngestedTable:
    """A parsed upload and how it was read.

    Args:
        frame: the table; column names are the cleaned header, in file order.
        dialect: the delimiter, quoting, decimal mark and line ending found.
        encoding: the text encoding used (``utf-8``, ``utf-16``, ``cp1252``…).
        header_renames: header cells renamed because they were empty or duplicates.
        warnings: human-readable notes for the review step (renames, columns read as text…).
        null_token: the token the file writes for a missing cell (e.g. ``?``; ``""`` for empty cells), so
            synthetic output can write missing cells the same way.
        sha256: hex SHA-256 of the file as given (the archive for a .zip/.gz), so a run can name its input
            in a way the curator can check with ``sha256sum``.
    """

    frame: pd.DataFrame
    dialect: Dialect
    encoding: str
    header_renames: tuple[HeaderRename, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    null_token: str = ""
    sha256: str = ""

    @property
    def dialect_description(self) -> str:
        return self.dialect.describe()

    @property
    def output_format(self) -> dict[str, str]:
        """The file's delimiter, decimal mark and encoding (the review's suggestion for the output's look)."""
        return {"delimiter": self.dialect.delimiter, "decimal": self.dialect.decimal, "encoding": self.encoding}


def ingest_upload(
    source: BinaryIO,
    filename: str,
    workdir: Path,
    *,
    limits: IngestionLimits | None = None,
    options: IngestionOptions | None = None,
    discard_source: bool = False,
) -> IngestedTable:
    """Copy an upload stream to ``workdir`` under the byte cap, then :func:`ingest_path` it.

    Only the suffix of ``filename`` is used (never as a path): ``upload.csv``, ``upload.zip``, ``upload.gz``.
    With ``discard_source`` the stream is truncated once copied, so a spooled upload's temporary file does
    not hold a second copy on disk while the table is read.
    """
    limits = limits or IngestionLimits()
    suffix = Path(filename or "upload.csv").suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".csv"
    target = workdir / f"upload{suffix}"
    copy_limited(source, target, limits.max_bytes)
    if discard_source:
        try:
            source.truncate(0)
        except (OSError, ValueError):  # io.UnsupportedOperation is both: a pipe, stdin
            pass
    return ingest_path(target, limits=limits, options=options)


def ingest_path(
    path: Path, *, limits: IngestionLimits | None = None, options: IngestionOptions | None = None
) -> IngestedTable:
    """Read ``path`` (``.csv``, ``.tsv``, ``.txt``, ``.zip``, ``.gz``) into an :class:`IngestedTable`.

    Raises:
        IngestionError: codes ``file_not_found``, ``file_too_large``, ``empty_file``, ``binary_file``,
            ``header_only``, ``too_many_columns``, ``too_many_rows``, ``ragged_rows``, ``unreadable_csv`` and the
            archive codes of :func:`~web_app.ingestion.source.materialize_csv`.
    """
    limits = limits or IngestionLimits()
    options = options or IngestionOptions()
    path = Path(path)
    if not path.is_file():
        raise IngestionError("file_not_found", f"no such file: {path}")
    with tempfile.TemporaryDirectory(prefix="privsyn-ingest-") as workdir:
        csv_path = materialize_csv(path, Path(workdir), limits)
        table = _ingest_csv(csv_path, limits, options)
    with path.open("rb") as file:
        return replace(table, sha256=hashlib.file_digest(file, "sha256").hexdigest())


def _ingest_csv(path: Path, limits: IngestionLimits, options: IngestionOptions) -> IngestedTable:
    sample = read_sample(path)
    encoding = options.encoding or detect_encoding(path, sample)
    text = decode_sample(sample, encoding, truncated=len(sample) >= SAMPLE_BYTES)
    dialect = sniff_dialect(text, delimiter=options.delimiter)
    header = read_header(text, dialect)
    if not header or (len(header) == 1 and not header[0].strip()):
        raise IngestionError("empty_file", "the file has no header row", hint="the first line must name the columns")
    if len(header) > limits.max_columns:
        raise IngestionError(
            "too_many_columns", f"the file has {len(header):,} columns; the limit is {limits.max_columns:,} "
            "(PRIVSYN_MAX_COLUMNS on the service)", hint="drop columns you do not need before uploading",
        )
    names, renames = clean_header(header)
    _check_row_cap(path, encoding, dialect, names, limits)
    table, as_text = _read_arrow(path, encoding, dialect, names, options)
    if table.num_rows == 0:
        raise IngestionError("header_only", "the file has a header row but no data rows",
                             hint="upload a file with at least one data row")
    if table.num_rows > limits.max_rows:
        raise too_large("rows", table.num_rows, limits.max_rows, unit="rows")
    frame = _to_pandas(_normalise_text(table, options))
    warnings = [f"column {r.position + 1} {r.original!r} renamed to {r.renamed!r}: {r.reason}" for r in renames]
    warnings += [f"column {name!r} has values that are not all numbers or dates; read as text" for name in as_text]
    null_token = dominant_null_token(text, dialect, options.null_tokens, trim=options.trim_whitespace)
    return IngestedTable(frame, dialect, _canonical(encoding), renames, tuple(warnings), null_token)


def _check_row_cap(path: Path, encoding: str, dialect: Dialect, names: list[str], limits: IngestionLimits) -> None:
    """Refuse a file over ``limits.max_rows`` before the full parse materializes it.

    Line breaks bound the rows from above in every supported encoding (a quoted value may hold one, a row
    never has fewer), so a file with at most ``max_rows`` of them needs no look. Otherwise one column is
    streamed block by block and counting stops as soon as the cap is passed: memory stays one block.
    """
    newlines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            newlines += chunk.count(b"\n")
    if newlines <= limits.max_rows:
        return
    read = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding, block_size=1 << 20)
    parse = pacsv.ParseOptions(delimiter=dialect.delimiter, quote_char=dialect.quotechar, newlines_in_values=True)
    convert = pacsv.ConvertOptions(include_columns=[names[0]], column_types={names[0]: pa.string()})
    rows = 0
    try:
        with pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert) as reader:
            for batch in reader:
                rows += batch.num_rows
                if rows > limits.max_rows:
                    raise too_large("rows", rows, limits.max_rows, unit="rows")
    except pa.ArrowInvalid:
        return  # the full parse names the problem


def _canonical(encoding: str) -> str:
    return {"utf_8": "utf-8", "latin_1": "latin-1", "utf_16": "utf-16"}.get(encoding, encoding.replace("_", "-"))


def _read_arrow(
    path: Path, encoding: str, dialect: Dialect, names: list[str], options: IngestionOptions
) -> tuple[pa.Table, list[str]]:
    """Parse with pyarrow; a column whose later blocks do not fit the type inferred from the first is re-read
    as text (at most once per column)."""
    read = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding, block_size=4 << 20)
    parse = pacsv.ParseOptions(delimiter=dialect.delimiter, quote_char=dialect.quotechar, newlines_in_values=True)
    forced = _date_columns(path, read, parse, options)
    as_text: list[str] = []
    while True:
        try:
            return _read_once(path, read, parse, dialect, options, forced), as_text
        except pa.ArrowInvalid as error:
            message = str(error)
            match = _CONVERSION_ERROR.search(message)
            if match and names[int(match.group(1))] not in forced:
                forced[names[int(match.group(1))]] = pa.string()
                as_text.append(names[int(match.group(1))])
                continue
            raise _parse_error(message) from error


def _read_once(
    path: Path, read: pacsv.ReadOptions, parse: pacsv.ParseOptions, dialect: Dialect, options: IngestionOptions,
    forced: dict[str, pa.DataType],
) -> pa.Table:
    convert = pacsv.ConvertOptions(
        null_values=list(options.null_tokens), strings_can_be_null=True, quoted_strings_can_be_null=True,
        decimal_point=dialect.decimal, column_types=forced, true_values=["true", "True", "TRUE"],
        false_values=["false", "False", "FALSE"],
    )
    return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)


def _date_columns(
    path: Path, read: pacsv.ReadOptions, parse: pacsv.ParseOptions, options: IngestionOptions
) -> dict[str, pa.DataType]:
    """Columns pyarrow would turn into dates or timestamps: keep them as text (their format is inferred later)."""
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse,
                                convert_options=pacsv.ConvertOptions(null_values=list(options.null_tokens)))
        schema = reader.schema
        reader.close()
    except (pa.ArrowInvalid, StopIteration):
        return {}
    temporal = (pa.types.is_date, pa.types.is_timestamp, pa.types.is_time)
    return {f.name: pa.string() for f in schema if any(check(f.type) for check in temporal)}


def _parse_error(message: str) -> IngestionError:
    if "Expected" in message and "columns" in message:
        return IngestionError(
            "ragged_rows", f"a row has a different number of fields than the header: {message.split(': ', 1)[-1]}",
            hint="check the delimiter and that text fields holding it are quoted",
        )
    return IngestionError("unreadable_csv", f"the CSV cannot be parsed: {message}")


def _normalise_text(table: pa.Table, options: IngestionOptions) -> pa.Table:
    """Trim text cells, apply null tokens again after trimming, and turn all-number text columns into numbers."""
    columns = []
    nulls = pa.array(list(options.null_tokens), pa.string())
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            if options.trim_whitespace:
                column = pc.utf8_trim_whitespace(column)
            column = pc.if_else(pc.is_in(column, value_set=nulls), pa.scalar(None, column.type), column)
            column = _maybe_numeric(column)
        elif pa.types.is_null(column.type):
            column = column.cast(pa.string())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _maybe_numeric(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if column.null_count == len(column):
        return column
    for target in (pa.int64(), pa.float64()):
        try:
            return column.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return column


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.Int64Dtype) and not column.hasnans:
            frame[name] = column.astype("int64")
    return frame
