"""The schema payload: the legacy ``domain_data`` / ``info_data`` JSON drafted from an inference.

This JSON is what ``POST /synthesize`` returns for review, what the predecessor's browser UI edits and posts
back to ``/confirm_synthesis``, and the CLI's schema file (``privsyn infer -o schema.json``, which holds
``{"domain_data": …, "info_data": …}``). :func:`draft_payload` writes it; the inverse, validation and
provenance live in :mod:`web_app.review.confirm`. The format is documented in ``docs/data.md``.

Per column, ``domain_data[name]`` has the legacy fields (``type``; categorical: ``categories``,
``categories_preview``, ``value_counts``, ``categories_from_data``, ``category_null_token``,
``special_token``, ``excluded_strategy``, ``numeric_candidate_summary``; numerical: ``bounds``,
``numeric_summary``, ``binning``, ``size``; ``binning.bin_count`` repeats ``bins``) plus ours (``dtype``,
``provenance``, ``integer``, ``nullable``, ``datetime_format``, ``decimals``). The draft is a *suggestion* read
off the data, for the owner's eyes: ``info_data["domain_mode"]`` is ``dp`` and ``info_data["declared_public"]``
is empty, so confirming it unchanged uses none of it (every fact is discovered with DP at confirm,
:mod:`web_app.review.confirm`). The draft never excludes a column by itself: a column inference would leave
out (an identifier, an empty column) stays in ``domain_data`` with that suggestion in
``info_data["inference_report"]`` (``kind: excluded``, ``suggested_fix: exclude``), so ``excluded_columns``
only ever holds the user's exclusions. ``info_data`` also carries the predecessor's ``num_columns``,
``cat_columns``, ``n_num_features``, ``n_cat_features`` and ``inference_settings`` keys.
``info_data["null_token"]`` and ``info_data["output_format"]`` (the input's delimiter, decimal mark and
encoding) suggest how the output file is written; they are used only when ``info_data["declared_format"]`` is
true (the user declares the file's format public) or the schema is declared (:mod:`web_app.review.output`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pandas as pd

from web_app.data_inference import OTHER_LABEL, ColumnInference, InferredMetadata, default_bins
from web_app.review.output import inferred_decimals

SCHEMA_VERSION = 1
NULL_TOKEN = "<NA>"
PREVIEW = 20
VALUE_COUNTS = 50
REMAP_STRATEGIES = ("map_to_special", "resample")

Payload = dict[str, Any]


def draft_payload(
    inferred: InferredMetadata, frame: pd.DataFrame, *, name: str = "dataset", warnings: tuple[str, ...] = (),
    null_token: str = "", output_format: dict[str, str] | None = None,
) -> tuple[Payload, Payload]:
    """The legacy ``(domain_data, info_data)`` for review (every value provenance ``data``).

    Args:
        inferred: the inference of ``frame``.
        frame: the ingested table (its row count is ``train_size``).
        name: the dataset's display name.
        warnings: ingestion warnings to show in the review (header renames…).
        null_token: how the input wrote missing cells (a suggestion for the output).
        output_format: the input's delimiter, decimal mark and encoding (a suggestion for the output; the
            confirm uses it only if the confirmed ``info_data`` still holds it, :mod:`web_app.review.output`).

    Returns:
        ``domain_data`` (kept columns, table order) and ``info_data``; both JSON-serialisable.
    """
    domain_data = {c.name: column_payload(c, inferred.settings.bins) for c in inferred.columns}
    for column in inferred.columns:
        if column.kind == "numerical" and not column.integer:
            domain_data[column.name]["decimals"] = inferred_decimals(frame[column.name])
    info_data = {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "train_size": int(len(frame)),
        "columns": [str(c) for c in frame.columns],
        "excluded_columns": [],
        "domain_mode": "dp",
        "declared_public": [],
        "null_token": null_token,
        **({"output_format": output_format} if output_format else {}),
        "inference_settings": _settings_json(inferred),
        "inference_report": {c.name: _report(c) for c in inferred.columns},
        "warnings": list(warnings),
        **_legacy_counts(domain_data),
    }
    return domain_data, info_data


def _legacy_counts(domain_data: Payload) -> Payload:
    """The predecessor's column lists: categorical columns, and every other kind as numerical."""
    categorical = [name for name, entry in domain_data.items() if entry["type"] == "categorical"]
    numerical = [name for name, entry in domain_data.items() if entry["type"] != "categorical"]
    return {"num_columns": numerical, "cat_columns": categorical,
            "n_num_features": len(numerical), "n_cat_features": len(categorical)}


def column_payload(column: ColumnInference, bins: int = 32) -> Payload:
    """``domain_data[name]`` of one inferred column (a column inference would exclude is drafted as a
    categorical column with no category list: DP discovery decides, unless the user excludes it)."""
    common = {"dtype": column.dtype, "provenance": "data", "integer": column.integer, "nullable": column.nullable}
    if column.kind == "excluded":  # the preview holds only the "other" label: the legacy UI needs one value
        return {"type": "categorical", "categories": None, "categories_preview": [OTHER_LABEL],
                "categories_from_data": False, "special_token": OTHER_LABEL, "excluded_strategy": "map_to_special",
                **common}
    if column.kind == "categorical":
        return {"type": "categorical", **_categorical(column), **common}
    bounds = _bounds(column)
    count = default_bins(column, bins)
    payload: Payload = {
        "type": column.kind,
        "bounds": bounds,
        "numeric_summary": dict(bounds),
        "binning": {"method": column.binning, "bins": count, "bin_count": count},
        "size": count,
        **common,
    }
    if column.kind == "datetime":
        payload["datetime_format"] = column.datetime_format
    return payload


def _categorical(column: ColumnInference) -> Payload:
    categories = list(column.categories)
    by_count = sorted(zip(categories, column.counts, strict=True), key=lambda item: -item[1])[:VALUE_COUNTS]
    value_counts = {_label(value): count for value, count in by_count}
    if column.missing:
        value_counts[NULL_TOKEN] = column.missing
    payload: Payload = {
        "categories": categories,
        "categories_preview": categories[:PREVIEW],
        "value_counts": value_counts,
        "categories_from_data": True,
        "category_null_token": NULL_TOKEN,
        "special_token": OTHER_LABEL,
        "excluded_strategy": "map_to_special",
    }
    if column.lower is not None and column.upper is not None:
        payload["numeric_candidate_summary"] = {"min": _number(column.lower), "max": _number(column.upper)}
    return payload


def _bounds(column: ColumnInference) -> dict[str, Any]:
    if column.kind == "datetime":
        return {"min": format_datetime(column.lower, column.datetime_format),
                "max": format_datetime(column.upper, column.datetime_format)}
    return {"min": _number(column.lower), "max": _number(column.upper)}


def format_datetime(ns: float | None, fmt: str | None) -> str | None:
    """Nanoseconds since the epoch written with ``fmt`` (ISO 8601 without one).

    >>> format_datetime(86400e9, "%d/%m/%Y")
    '02/01/1970'
    """
    if ns is None:
        return None
    stamp = pd.Timestamp(int(ns), unit="ns")
    return str(stamp.strftime(fmt) if fmt else stamp.isoformat())


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _report(column: ColumnInference) -> Payload:
    return {
        "kind": column.kind,
        "reasons": [{"code": r.code, "message": r.message} for r in column.reasons],
        "switchable": column.switchable,
        "high_cardinality": column.high_cardinality,
        "suggested_fix": column.suggested_fix,
        "missing": column.missing,
        "unique": column.unique,
    }


def _settings_json(inferred: InferredMetadata) -> Payload:
    ours = {key: list(value) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(inferred.settings).items()}
    return {**ours, **inferred.settings.legacy_json(), "max_categorical_preview_values": PREVIEW}


def schema_document(domain_data: Payload, info_data: Payload) -> Payload:
    """The CLI's schema file: both payloads in one JSON object."""
    return {"domain_data": domain_data, "info_data": info_data}
