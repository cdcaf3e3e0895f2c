"""The legacy schema payload: draft shape, what a confirm uses (declared entries as written, the rest
discovered with DP), type switches, remap strategies, and a SchemaError code for each kind of bad payload."""

from __future__ import annotations

import copy
import io
import json

import numpy as np
import pandas as pd
import pytest

from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger
from method.preprocess_common import TableEncoder
from web_app.data_inference import infer_metadata
from web_app.ingestion.errors import SchemaError
from web_app.review.apply import prepare_table
from web_app.review.confirm import metadata_from_confirmed
from web_app.review.discover import DomainBudget
from web_app.review.output import write_csv
from web_app.review.payload import draft_payload


def budget(rho: float = 1.0) -> DomainBudget:
    return DomainBudget(BudgetLedger(rho), rho / 10, 1e-9, NoiseSource.from_seed(0))


def declared(domain: dict, info: dict, frame: pd.DataFrame, **kwargs):  # type: ignore[no-untyped-def]
    return metadata_from_confirmed(domain, info, frame, mode="as_confirmed", budget=budget(), **kwargs)


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame({
        "id": np.arange(n),
        "age": rng.integers(18, 90, n),
        "grade": rng.integers(1, 4, n),
        "colour": pd.array(rng.choice(["red", "green", None], n), dtype="str"),
        "day": pd.Series(pd.date_range("2021-03-01", periods=n, freq="D").strftime("%Y-%m-%d"), dtype="str"),
    })


@pytest.fixture
def payload(frame: pd.DataFrame) -> tuple[dict, dict]:
    return draft_payload(infer_metadata(frame), frame, name="toy")


def test_draft_has_the_legacy_shape(payload: tuple[dict, dict], frame: pd.DataFrame) -> None:
    domain, info = payload
    assert set(domain) == {"id", "age", "grade", "colour", "day"}  # the draft never excludes by itself
    grade, colour, age = domain["grade"], domain["colour"], domain["age"]
    assert grade["type"] == "categorical" and grade["categories"] == [1, 2, 3]
    assert grade["numeric_candidate_summary"] == {"min": 1, "max": 3}
    for key in ("categories_preview", "value_counts", "categories_from_data", "category_null_token",
                "special_token", "excluded_strategy"):
        assert key in colour
    assert "<NA>" in colour["value_counts"] and colour["nullable"] and colour["special_token"] == "other"
    assert age["bounds"] == age["numeric_summary"] == {"min": int(frame.age.min()), "max": int(frame.age.max())}
    assert age["binning"]["method"] == "uniform" and age["size"] == age["binning"]["bins"]
    assert domain["day"]["type"] == "datetime" and domain["day"]["bounds"]["min"] == "2021-03-01"
    assert domain["id"]["categories"] is None  # suggested for exclusion: DP decides unless the user does
    assert info["name"] == "toy" and info["train_size"] == 300 and info["excluded_columns"] == []
    assert info["domain_mode"] == "dp" and info["declared_public"] == []
    report = info["inference_report"]
    assert report["grade"]["reasons"][0]["code"] == "integer_unique_below_threshold" and report["grade"]["switchable"]
    assert report["id"]["reasons"][0]["code"] == "identifier_integer" and report["id"]["kind"] == "excluded"
    json.dumps(domain), json.dumps(info)


def test_an_unchanged_draft_uses_nothing_of_it(payload: tuple[dict, dict], frame: pd.DataFrame) -> None:
    domain, info = payload
    found = budget()
    schema = metadata_from_confirmed(json.dumps(domain), json.dumps(info), frame, budget=found)
    assert schema.declared == () and set(schema.provenance.values()) == {"dp"}
    assert {d.source for d in schema.decisions} <= {"dp", "default"}
    assert all(entry.stage.startswith("domain:") for entry in found.ledger.entries)
    assert 0 < found.ledger.spent <= found.rho  # what an excluded or numerical column leaves goes to the fit
    with pytest.raises(SchemaError) as caught:
        metadata_from_confirmed(domain, info, frame)  # discovery needs a budget
    assert caught.value.code == "needs_budget"


def test_declared_entries_are_used_as_written(payload: tuple[dict, dict], frame: pd.DataFrame) -> None:
    domain, info = copy.deepcopy(payload)
    domain["age"]["bounds"] = {"min": 0, "max": 120}
    domain["colour"]["categories"] = ["red", "green", "blue"]
    info["declared_public"] = ["age", "colour"]
    schema = metadata_from_confirmed(domain, info, frame, budget=budget())
    assert schema.provenance["age"] == "public" and schema.metadata["age"].upper == 120
    assert schema.provenance["colour"] == "public" and schema.metadata["colour"].other_token
    assert schema.provenance["grade"] == "dp" and schema.declared == ("age", "colour")
    sources = {(d.column, d.decision): d.source for d in schema.decisions}
    assert sources[("age", "bounds")] == sources[("colour", "categories")] == "declared"
    assert sources[("grade", "kind")] == "dp"


def test_a_declared_column_with_open_bounds_gets_them_with_dp(payload, frame) -> None:
    domain, info = copy.deepcopy(payload)
    domain["grade"] = {"type": "numerical", "integer": True}  # what the legacy UI sends after a switch
    info["declared_public"] = ["grade"]
    found = budget()
    spec = metadata_from_confirmed(domain, info, frame, budget=found).metadata["grade"]
    assert (spec.kind, spec.integer, spec.provenance) == ("numerical", True, "dp")
    assert spec.lower <= 1 and spec.upper >= 3
    assert "grade" in {e.measured for e in found.ledger.entries if e.stage == "domain:bounds"}


def test_include_an_excluded_column_again(payload, frame) -> None:
    domain, info = copy.deepcopy(payload)
    domain["id"] = {"type": "numerical", "bounds": {"min": -1, "max": 1000}}
    schema = declared(domain, info, frame)
    assert schema.columns[0] == "id" and schema.provenance["id"] == "public"
    info["excluded_columns"] = ["id"]  # the user's exclusion always stands
    assert "id" not in declared(domain, info, frame).columns


def test_remap_strategies(payload, frame) -> None:
    domain, info = copy.deepcopy(payload)
    domain["colour"]["categories"] = ["red"]
    domain["colour"]["excluded_strategy"] = "resample"
    schema = declared(domain, info, frame)
    prepared = prepare_table(frame, schema, np.random.default_rng(0))
    assert set(prepared["colour"].dropna()) == {"red"} and prepared["colour"].isna().sum() == frame.colour.isna().sum()
    domain["colour"]["excluded_strategy"] = "map_to_special"
    spec = declared(domain, info, frame).metadata["colour"]
    assert spec.other_token and spec.other_value == "other"


def test_datetimes_are_prepared_and_written_back(payload, frame) -> None:
    schema = declared(*payload, frame)
    prepared = prepare_table(frame, schema, np.random.default_rng(0))
    assert str(prepared["day"].dtype) == "datetime64[ns]"
    written = pd.read_csv(io.BytesIO(write_csv(prepared, schema.csv_format())), dtype=str, keep_default_na=False)
    assert written["day"].tolist() == frame["day"].tolist()


def test_confirmed_bin_edges_are_the_bins_synthesis_uses(payload, frame) -> None:
    domain, info = copy.deepcopy(payload)
    domain["age"]["binning"] = {"method": "uniform", "edges": [18, 30, 50, 89]}
    domain["day"]["binning"] = {"method": "uniform", "edges": ["2021-01-01", "2021-12-01", "2022-12-31"]}
    schema = declared(domain, info, frame)
    age, day = schema.metadata["age"], schema.metadata["day"]
    assert (age.edges, age.lower, age.upper, age.bins) == ((18.0, 30.0, 50.0, 89.0), 18, 89, 3)
    assert day.bins == 2 and day.edges[1] == pd.Timestamp("2021-12-01").value
    table = prepare_table(frame, schema, np.random.default_rng(0))
    noise = NoiseSource.from_seed(0)
    encoder = TableEncoder.fit(table, schema.metadata, BudgetLedger(1.0), noise, binning_rho=0)
    assert encoder.domain.sizes[list(schema.columns).index("age")] == 3
    assert encoder.provenances[list(schema.columns).index("age")].binning == "explicit"
    codes = encoder.transform(table)[:, list(schema.columns).index("age")]
    assert codes.tolist() == np.searchsorted([30, 50], frame["age"], side="right").tolist()


def test_bin_edges_with_a_dp_binning_or_a_gap_are_refused(payload, frame) -> None:
    domain, info = copy.deepcopy(payload)
    domain["age"]["binning"] = {"method": "privtree", "edges": [18, 50, 89]}
    with pytest.raises(SchemaError) as caught:
        declared(domain, info, frame)
    assert caught.value.code == "invalid_binning" and "public" in caught.value.message
    domain["age"]["binning"] = {"method": "uniform", "edges": [None, 50, 89]}  # never a silent default
    with pytest.raises(SchemaError) as caught:
        declared(domain, info, frame)
    assert caught.value.code == "invalid_binning" and "None" in caught.value.message


BAD = {
    "unknown_type": lambda d, i: d["age"].update(type="text"),
    "invalid_categories": lambda d, i: d["colour"].update(categories="red,green"),
    "invalid_bounds": lambda d, i: d["age"].update(bounds={"min": 50, "max": 10}),
    "bin_edges_not_increasing": lambda d, i: d["age"].update(binning={"method": "uniform", "edges": [0, 5, 5, 9]}),
    "invalid_binning": lambda d, i: d["age"].update(binning={"method": "quantile"}),
    "invalid_column": lambda d, i: d["age"].update(binning={"method": "uniform", "edges": [18, 30.2, 30.7, 89]}),
    "invalid_strategy": lambda d, i: d["colour"].update(excluded_strategy="drop"),
    "not_numeric": lambda d, i: d["colour"].update(type="numerical"),
    "unknown_column": lambda d, i: d.update(ghost={"type": "categorical"}),
    "malformed_payload": lambda d, i: d.update(age=[1, 2]),
    "invalid_domain_mode": lambda d, i: i.update(domain_mode="trust_me"),
}


@pytest.mark.parametrize("code", sorted(BAD))
def test_bad_payloads(code: str, payload, frame) -> None:
    domain, info = copy.deepcopy(payload)
    BAD[code](domain, info)
    with pytest.raises(SchemaError) as caught:  # undeclared entries are checked too
        metadata_from_confirmed(domain, info, frame, budget=budget())
    assert caught.value.code == code and caught.value.status == 422
    assert "'" in caught.value.message  # names the column or the bad value


def test_malformed_json_and_nothing_kept(payload, frame) -> None:
    with pytest.raises(SchemaError) as bad_json:
        metadata_from_confirmed("{not json", payload[1], frame)
    with pytest.raises(SchemaError) as empty:
        metadata_from_confirmed({}, payload[1], frame)
    assert (bad_json.value.code, empty.value.code) == ("malformed_json", "no_columns")
