"""Inference: kinds and reason codes per rule, identifier/constant/all-missing handling, wide tables."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from web_app.data_inference import SWITCHABLE_REASONS, InferenceSettings, infer_metadata
from web_app.ingestion.errors import IngestionError, IngestionLimits, check_synthesis_size


def _frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "row_id": np.arange(n, dtype="int64"),
        "customer": [f"c-{i:05d}" for i in range(n)],
        "grade": rng.integers(1, 6, n),
        "floors": rng.choice([1.0, 1.5, 2.0], n),
        "income": rng.normal(5e4, 1e4, n),
        "count": rng.integers(0, 10_000, n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "flag": rng.random(n) > 0.5,
        "constant": ["same"] * n,
        "empty": pd.array([None] * n, dtype="str"),
        "when": pd.Series(pd.date_range("2020-01-01", periods=n, freq="D").strftime("%d/%m/%Y"), dtype="str"),
    })


def test_each_rule_has_its_reason_code() -> None:
    inferred = infer_metadata(_frame())
    codes = {c.name: (c.kind, c.reasons[0].code) for c in inferred.columns}
    assert codes == {
        "row_id": ("excluded", "identifier_integer"),
        "customer": ("excluded", "identifier_text"),
        "grade": ("categorical", "integer_unique_below_threshold"),
        "floors": ("categorical", "float_unique_low"),
        "income": ("numerical", "float_continuous"),
        "count": ("numerical", "integer_many_unique"),
        "colour": ("categorical", "non_numeric"),
        "flag": ("categorical", "boolean"),
        "constant": ("categorical", "constant"),
        "empty": ("excluded", "all_missing"),
        "when": ("datetime", "datetime_format"),
    }
    assert all(reason.message for column in inferred.columns for reason in column.reasons)


def test_values_and_flags() -> None:
    inferred = infer_metadata(_frame())
    assert inferred["grade"].categories == (1, 2, 3, 4, 5) and inferred["grade"].switchable
    assert not inferred["colour"].switchable and inferred["colour"].categories == ("blue", "green", "red")
    assert inferred["when"].datetime_format == "%d/%m/%Y" and inferred["when"].lower < inferred["when"].upper
    assert inferred["count"].integer and not inferred["income"].integer
    assert inferred["constant"].categories == ("same",)
    assert set(inferred.excluded) == {"row_id", "customer", "empty"}
    metadata = inferred.to_table_metadata()
    assert set(metadata.non_dp_provenance()) == set(metadata.names) == set(inferred.kept)


def test_sparse_integers_are_switchable_categories() -> None:
    frame = pd.DataFrame({"code": np.random.default_rng(1).integers(0, 40, 10_000)})
    column = infer_metadata(frame)["code"]
    assert column.reasons[0].code == "integer_sparse_unique" and column.reasons[0].code in SWITCHABLE_REASONS


def test_identifiers_can_be_kept_and_cardinality_is_capped() -> None:
    frame = pd.DataFrame({"word": [f"w{i % 300}" for i in range(3000)], "id": [f"x{i}" for i in range(3000)]})
    inferred = infer_metadata(frame, InferenceSettings(max_categories=50, exclude_identifiers=False))
    word = inferred["word"]
    assert word.high_cardinality and word.suggested_fix == "merge_rare" and word.other_token
    assert len(word.categories) == 50 and {r.code for r in word.reasons} >= {"cardinality_capped", "high_cardinality"}
    assert inferred["id"].kind == "categorical" and inferred["id"].suggested_fix == "exclude"


def test_missing_cells_make_a_column_nullable() -> None:
    frame = pd.DataFrame({"a": pd.array([1, None, 3] * 10, dtype="Int64"), "b": ["x", None, "y"] * 10})
    inferred = infer_metadata(frame)
    assert inferred["a"].nullable and inferred["b"].nullable and inferred["a"].missing == 10


@pytest.mark.parametrize("kind", ["float", "text"])
def test_wide_tables_infer_quickly_and_synthesis_is_refused(kind: str) -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(100, 10_000))
    frame = pd.DataFrame(values if kind == "float" else (values > 0).astype(int).astype(str),
                         columns=[f"c{i}" for i in range(10_000)])
    started = time.perf_counter()
    inferred = infer_metadata(frame)
    assert time.perf_counter() - started < 10  # generous: ~0.3 s (float) / ~1 s (text) on the dev machine
    assert len(inferred.columns) == 10_000
    with pytest.raises(IngestionError) as caught:
        check_synthesis_size(len(inferred.kept), IngestionLimits())
    assert caught.value.code == "too_many_columns_for_synthesis" and "10,000" in caught.value.message
