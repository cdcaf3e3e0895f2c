"""The data layer's error types and limits: :class:`IngestionError`, :class:`SchemaError`, :class:`IngestionLimits`.

Every bad upload, bad schema file or oversize table raises one of the two errors with a stable ``code`` (a
short snake_case string clients can switch on), a ``message`` naming the bad value, an optional ``hint`` and
the HTTP ``status`` it maps to (413 for "too large", 422 otherwise). The web layer maps them to the error
envelope in one place; the CLI prints ``message`` and ``hint`` and exits non-zero.

No web framework here: the worker and the CLI import this module.
"""

from __future__ import annotations

from dataclasses import dataclass


class DataError(Exception):
    """Base class of the data layer's errors (ingestion, schema payloads, evaluation input).

    Args:
        code: stable machine-readable reason, e.g. ``empty_file``.
        message: one sentence naming the bad value (and the valid choices where there is a closed set).
        hint: what the user can do about it.
        status: HTTP status the web layer answers with (413 or 422).
    """

    def __init__(self, code: str, message: str, *, hint: str = "", status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def to_detail(self) -> dict[str, str]:
        """The ``detail`` object of the API's error envelope (docs/api.md)."""
        detail = {"error": self.code, "message": self.message}
        if self.hint:
            detail["hint"] = self.hint
        return detail


class IngestionError(DataError):
    """An upload could not be read into a table (size, format, encoding, header or limit problem)."""


class SchemaError(DataError):
    """A confirmed schema payload (domain/info JSON or a CLI schema file) is malformed or inconsistent."""


MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IngestionLimits:
    """Caps applied while reading an upload and before synthesis.

    Args:
        max_bytes: size of the uploaded file as sent (413 above it).
        max_uncompressed_bytes: size of the CSV inside a ``.zip``/``.gz`` (413 above it).
        max_compression_ratio: a zip/gzip member expanding more than this many times is refused as a zip bomb.
        max_rows: data rows (413 above it).
        max_columns: columns an upload may have (422 above it); inference still works up to this many.
        max_synthesis_columns: columns a synthesis run may use (wider tables are refused before fitting).
        max_categories: categories kept per categorical column; rarer values beyond it go to the special token.
    """

    max_bytes: int = 1024 * MB
    max_uncompressed_bytes: int = 4096 * MB
    max_compression_ratio: float = 200.0
    max_rows: int = 10_000_000
    max_columns: int = 10_000
    max_synthesis_columns: int = 500
    max_categories: int = 1000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_uncompressed_bytes", "max_rows", "max_columns", "max_synthesis_columns",
                     "max_categories"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"IngestionLimits.{name} must be an integer >= 1, got {value!r}")
        if not self.max_compression_ratio > 1:
            raise ValueError(f"IngestionLimits.max_compression_ratio must be > 1, got {self.max_compression_ratio!r}")


def too_large(what: str, size: int, limit: int, unit: str = "bytes") -> IngestionError:
    """A 413 :class:`IngestionError` that names the limit."""
    if unit == "bytes":
        shown, shown_limit, unit = f"{size / MB:.1f}", f"{limit / MB:.1f}", "MB"
    else:
        shown, shown_limit = f"{size:,}", f"{limit:,}"
    code = {"file": "file_too_large", "uncompressed": "uncompressed_too_large", "rows": "too_many_rows"}[what]
    return IngestionError(
        code,
        f"the {what if what != 'file' else 'upload'} is too large: {shown} {unit} > limit {shown_limit} {unit}",
        hint="upload a smaller file, or sample the rows before uploading",
        status=413,
    )


def check_synthesis_size(n_columns: int, limits: IngestionLimits) -> None:
    """Refuse a synthesis run over more columns than ``limits.max_synthesis_columns``.

    Raises:
        IngestionError: code ``too_many_columns_for_synthesis`` (422).
    """
    if n_columns > limits.max_synthesis_columns:
        raise IngestionError(
            "too_many_columns_for_synthesis",
            f"synthesis over {n_columns:,} columns is refused: the limit is {limits.max_synthesis_columns:,} "
            "(PRIVSYN_MAX_SYNTHESIS_COLUMNS)",
            hint="exclude columns in the schema review (the marginal-based methods scale with the number of pairs)",
        )
