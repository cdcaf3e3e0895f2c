"""Integer categorical columns with the predecessor UI's special token appended never fail a job (issue #20, item 1).

The predecessor's UI appends its ``special_token`` (``__OTHER__``) to a categorical column's ``categories``; a
synthetic row that draws that "other" code once failed the final cast of an integer column
(``invalid literal for int() with base 10: '__OTHER__'``). 50 seeds × privsyn, aim, mst run the service's
whole job pipeline in process (legacy payload → confirm → prepare → the real synthesizer → CSV), on a small
table whose "other" bucket holds real rows (one category excluded), so nearly every run draws it; once with the
service's specs and once with the input's ``int64`` declared on the categorical columns, as a direct caller of
``method`` would (the cast that failed: ``ColumnSpec.output_dtype`` makes such a column text).
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from method.api.metadata import ColumnSpec, TableMetadata
from method.api.utils import enforce_schema
from test.api import legacy_ui
from web_app.data_inference import infer_metadata
from web_app.ingestion.errors import IngestionLimits
from web_app.review.apply import prepare_table
from web_app.review.confirm import confirm_run
from web_app.review.legacy import from_legacy
from web_app.review.output import CsvFormat, write_csv
from web_app.review.payload import draft_payload
from web_app.synthesis_service import SynthesisRequest, synthesize

SEEDS = range(50)
KNOBS: dict[str, dict[str, Any]] = {
    "privsyn": {"update_iterations": 2, "consist_iterations": 3},
    "mst": {"iters": 10},
    "aim": {"max_iters": 10, "round_iters": 5, "rounds": 2, "degree": 2},
}


@pytest.fixture(scope="module")
def legacy_run() -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"level": rng.integers(1, 6, 120), "grade": rng.integers(1, 4, 120),
                          "score": rng.integers(0, 3, 120)})
    domain, info = draft_payload(infer_metadata(frame), frame, name="fuzz")
    preview = {"unique_id": "fuzz", "domain_data": domain, "info_data": info}
    columns = legacy_ui.review(preview)
    for name in ("level", "grade"):  # the UI's special token; the largest value is left out: "other" has rows
        columns[name]["special_token"] = legacy_ui.SPECIAL_TOKEN
        columns[name]["selected_categories"] = columns[name]["categories"][:-1]
    confirmed_domain, confirmed_info = legacy_ui.confirmed(preview, columns)
    assert confirmed_domain["level"]["categories"] == [1, 2, 3, 4, "__OTHER__"]
    translated, declared_info = from_legacy(confirmed_domain, confirmed_info, domain)
    return frame, translated, declared_info


def _as_input_dtype(metadata: TableMetadata) -> TableMetadata:
    """The specs a direct caller of ``method`` writes: the categorical columns keep the input's ``int64``."""
    return TableMetadata(tuple(replace(spec, dtype="int64") if spec.kind == "categorical" else spec
                               for spec in metadata.columns))


@pytest.mark.parametrize("declared_dtype", ["service", "int64"])
@pytest.mark.parametrize("method", sorted(KNOBS))
def test_fifty_seeds_never_fail(method: str, declared_dtype: str,
                                legacy_run: tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]) -> None:
    frame, domain, info = legacy_run
    failures, other = [], 0
    for seed in SEEDS:
        request = SynthesisRequest(method, 1.0, 1e-5, KNOBS[method], rows=120, seed=seed)
        try:
            schema, story = confirm_run(domain, info, frame, request, limits=IngestionLimits())
            prepared = prepare_table(frame, schema, np.random.default_rng(seed))
            metadata = schema.metadata if declared_dtype == "service" else _as_input_dtype(schema.metadata)
            result = synthesize(prepared, metadata, request, story=story)
            table = pd.read_csv(io.BytesIO(write_csv(result.frame, CsvFormat())), dtype=str)
        except Exception as error:  # a failure of any kind is what this test counts
            failures.append((seed, f"{type(error).__name__}: {error}"))
            continue
        assert schema.declared == ("level", "grade")  # the UI's edits declared them
        assert set(table["level"]) <= {"1", "2", "3", "4", "__OTHER__"}
        other += int((table["level"] == "__OTHER__").any())
    assert failures == []
    assert other >= 40  # the "other" code was drawn in (nearly) every run


def test_an_integer_column_whose_values_do_not_fit_its_dtype_is_text_by_declaration() -> None:
    spec = ColumnSpec("level", "categorical", dtype="int64", categories=(1, 2), other_token=True,
                      other_value="__OTHER__")
    out = enforce_schema(pd.DataFrame({"level": pd.Series([1, "__OTHER__", 2], dtype=object)}),
                         TableMetadata((spec,)))
    assert out["level"].tolist() == [1, "__OTHER__", 2] and spec.output_dtype == "object"
    fits = ColumnSpec("level", "categorical", dtype="int64", categories=(1, 2), other_token=True, other_value=0)
    assert fits.output_dtype == "int64"  # an "other" value of the column's own dtype keeps it
    for dtype, value in (("float64", 1.5), ("bool", True), ("datetime64[ns]", pd.Timestamp("2020-01-01"))):
        assert ColumnSpec("c", "categorical", dtype=dtype, categories=(value,), other_token=True).output_dtype == (
            "object")
        assert ColumnSpec("c", "categorical", dtype=dtype, categories=(value,)).output_dtype == dtype
