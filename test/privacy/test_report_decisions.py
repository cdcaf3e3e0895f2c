"""The privacy report lists every structural decision of the release with its source (issue #16,
acceptance 3): a test enumerates what each kind of column must decide and fails on any fact without
one of the three sources."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from test.privacy.conftest import Pair
from web_app.data_inference import infer_metadata
from web_app.ingestion.errors import IngestionLimits
from web_app.ingestion.reader import ingest_upload
from web_app.review.confirm import confirm_run
from web_app.review.payload import draft_payload
from web_app.synthesis_service import SynthesisRequest

SOURCES = {"declared", "dp", "default"}
REQUIRED = {
    "categorical": {"kind", "nullable", "dtype", "categories", "other_label"},
    "numerical": {"kind", "nullable", "dtype", "integer", "bounds", "binning"},
    "datetime": {"kind", "nullable", "dtype", "bounds", "binning", "datetime_format"},
}


def missing_sources(decisions: list[dict[str, Any]], kinds: dict[str, str]) -> list[str]:
    """Every required decision that is absent or has no valid source, as ``column:decision``."""
    found = {(d["column"], d["decision"]): d["source"] for d in decisions}
    wanted = [(column, decision) for column, kind in kinds.items() for decision in REQUIRED[kind]]
    wanted.append(("", "null_token"))
    return [f"{c}:{d}" for c, d in wanted if found.get((c, d)) not in SOURCES]


def _schema(data: bytes, tmp_path: Any, declared: tuple[str, ...] = ()) -> Any:
    ingested = ingest_upload(io.BytesIO(data), "t.csv", tmp_path)
    domain, info = draft_payload(infer_metadata(ingested.frame), ingested.frame)
    info["declared_public"] = list(declared)
    schema, _ = confirm_run(domain, info, ingested.frame, SynthesisRequest("mst", 4.0, 1e-9, seed=0),
                            limits=IngestionLimits())
    return schema


@pytest.mark.parametrize("declared", [(), ("city", "age", "day")])
def test_every_decision_has_a_source(pair: Pair, tmp_path: Any, declared: tuple[str, ...]) -> None:
    schema = _schema(pair.with_record, tmp_path, declared)
    decisions = [d.to_json() for d in schema.decisions]
    kinds = {spec.name: spec.kind for spec in schema.metadata.columns}
    assert {"categorical", "numerical", "datetime"} <= set(kinds.values())
    assert missing_sources(decisions, kinds) == []
    sources = {(d["column"], d["decision"]): d["source"] for d in decisions}
    for column in declared:
        assert sources[(column, "kind")] == "declared"


def test_the_enumeration_fails_when_a_decision_has_no_source() -> None:
    decisions = [{"column": "a", "decision": "kind", "source": "declared"},
                 {"column": "a", "decision": "categories", "source": "from data"}]
    missing = missing_sources(decisions, {"a": "categorical"})
    assert "a:categories" in missing and "a:nullable" in missing and ":null_token" in missing
    assert "a:kind" not in missing


def test_excluded_columns_are_decisions_too(tmp_path: Any) -> None:
    frame = pd.DataFrame({"id": [f"u{i}" for i in range(3000)], "x": ["a", "b", "c"] * 1000})
    schema = _schema(frame.to_csv(index=False).encode(), tmp_path)
    excluded = [d for d in schema.decisions if d.decision == "excluded"]
    assert [d.column for d in excluded] == ["id"] and excluded[0].source == "dp"
    assert schema.columns == ("x",)
