"""``from_legacy``: the predecessor UI's entries → ours; only its edits declare a column (docs/api.md)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from test.api import legacy_ui
from web_app.data_inference import infer_metadata
from web_app.ingestion.errors import SchemaError
from web_app.review.legacy import from_legacy
from web_app.review.payload import draft_payload


@pytest.fixture(scope="module")
def preview() -> dict[str, Any]:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"when": pd.date_range("2021-01-01", periods=400, freq="D").strftime("%Y-%m-%d"),
                          "size": rng.integers(1, 200, 400), "tag": rng.choice(["A", "a", "b"], 400),
                          "user_id": [f"u{i:04d}" for i in range(400)]})
    domain, info = draft_payload(infer_metadata(frame), frame, name="t")
    return {"unique_id": "t", "domain_data": domain, "info_data": info}


def translate(preview: dict[str, Any], columns: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    domain, info = legacy_ui.confirmed(preview, columns)
    return from_legacy(domain, info, preview["domain_data"])


def test_an_unchanged_payload_declares_nothing(preview: dict[str, Any]) -> None:
    domain, info = translate(preview, legacy_ui.review(preview))
    assert info["declared_public"] == []
    assert domain["when"]["type"] == "datetime"  # sent as numerical with null bounds; stays a datetime
    assert domain["tag"]["categories"] == ["A", "a", "b"]  # values differing only in case stay apart
    assert domain["size"]["binning"] == {"method": "uniform", "bins": 32}


def test_edits_declare_their_columns_only(preview: dict[str, Any]) -> None:
    columns = legacy_ui.review(preview)
    columns["tag"]["custom_categories"] = ["B", "c"]  # "B" is already listed as "b": dropped
    columns["tag"]["selected_categories"] += ["B", "c"]
    columns["size"]["binning"]["method"] = "dp_privtree"
    domain, info = translate(preview, columns)
    assert info["declared_public"] == ["size", "tag"]
    assert domain["tag"]["categories"] == ["A", "a", "b", "c"]
    assert domain["size"]["binning"]["method"] == "privtree" and domain["size"]["integer"] is True


@pytest.mark.parametrize("count", [0, -3, 2.5, "many", True])
def test_a_bin_count_that_is_not_a_positive_whole_number_is_invalid_binning(preview: dict[str, Any],
                                                                           count: Any) -> None:
    domain, info = legacy_ui.confirmed(preview, legacy_ui.review(preview))
    domain["size"]["binning"]["bin_count"] = count
    with pytest.raises(SchemaError) as caught:
        from_legacy(domain, info, preview["domain_data"])
    assert caught.value.code == "invalid_binning"


def test_our_own_entries_are_left_alone(preview: dict[str, Any]) -> None:
    assert from_legacy(preview["domain_data"], preview["info_data"], preview["domain_data"]) == (
        preview["domain_data"], preview["info_data"])


def test_a_column_inference_would_exclude_can_be_confirmed_and_stays_undeclared(preview: dict[str, Any]) -> None:
    assert preview["info_data"]["inference_report"]["user_id"]["kind"] == "excluded"
    review = legacy_ui.review(preview)
    assert review["user_id"]["selected_categories"]  # the UI refuses a column with no category selected
    domain, info = translate(preview, review)
    assert "user_id" not in info["declared_public"]  # DP discovery decides (and excludes an identifier)
