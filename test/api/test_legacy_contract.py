"""The predecessor's contract on the legacy routes, one test per item of issue #20.

Every request is what the predecessor's UI or a script written against its API sends (``legacy_ui``: the
shapes from its documented UI, with its run fields, so ``num_preprocess`` is present); every assertion is
its observable behaviour. A small table keeps each run to a fraction of a second.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import Settings
from test.api import legacy_ui
from web_app.main import create_app

ROWS = 300
EPSILON = "4"  # at ε = 1 DP discovery finds too little in 300 rows to keep an undeclared column


@pytest.fixture(scope="module")
def table_csv() -> bytes:
    rng = np.random.default_rng(20)
    frame = pd.DataFrame({"level": rng.integers(1, 6, ROWS), "age": rng.integers(18, 91, ROWS),
                          "income": rng.exponential(1000, ROWS).round(2), "colour": rng.choice(["red", "blue", "green"],
                                                                                              ROWS)})
    return frame.to_csv(index=False).encode()


@pytest.fixture
def preview(client: TestClient, table_csv: bytes) -> dict[str, Any]:
    reply = client.post("/synthesize", data={**legacy_ui.UI_RUN_FORM, "dataset_name": "survey"},
                        files={"data_file": ("survey.csv", table_csv, "text/csv")})
    assert reply.status_code == 200, reply.text
    return reply.json()


def confirm(client: TestClient, preview: dict[str, Any], columns: dict[str, Any] | None = None,
            **run: str) -> Any:
    fields = {"n_sample": str(ROWS), "epsilon": EPSILON, **run}
    return client.post("/confirm_synthesis", data=legacy_ui.confirm_form(preview, columns, **fields))


def decisions(job: dict[str, Any], column: str) -> dict[str, Any]:
    return {d["decision"]: d for d in job["privacy_report"]["decisions"] if d["column"] == column}


def download(client: TestClient, job: dict[str, Any]) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(client.get(f"/download_synthesized_data/{job['session_id']}").content), dtype=str)


def test_1_an_integer_categorical_column_with_the_special_token_appended_never_fails(client, preview) -> None:  # type: ignore[no-untyped-def]
    columns = legacy_ui.review(preview)
    columns["level"]["special_token"] = "__OTHER__"
    columns["level"]["selected_categories"] = [1, 2, 3, 4]  # 5 goes to the "other" bucket: it is drawn
    sent, _ = legacy_ui.confirmed(preview, columns)
    assert sent["level"]["categories"] == [1, 2, 3, 4, "__OTHER__"]
    for _ in range(3):
        reply = confirm(client, preview, columns)
        assert reply.status_code == 200, reply.text
        assert set(download(client, reply.json())["level"]) <= {"1", "2", "3", "4", "__OTHER__"}


def test_2_the_privtree_choice_runs_privtree(client, preview) -> None:  # type: ignore[no-untyped-def]
    columns = legacy_ui.review(preview)
    columns["income"]["binning"]["method"] = "dp_privtree"
    reply = confirm(client, preview, columns)
    assert reply.status_code == 200, reply.text
    binning = decisions(reply.json(), "income")["binning"]
    assert binning["value"]["method"] == "privtree" and binning["source"] == "declared"
    assert "preprocess:binning" in reply.json()["privacy_report"]["spent_by_stage"]  # PrivTree, charged


def test_3_an_emptied_bin_count_means_ten_bins_or_span_over_width(client, preview) -> None:  # type: ignore[no-untyped-def]
    columns = legacy_ui.review(preview)
    columns["age"]["binning"]["bin_count"] = ""
    columns["income"]["binning"]["bin_count"] = ""
    columns["income"]["binning"]["bin_width"] = 500
    reply = confirm(client, preview, columns)
    assert reply.status_code == 200, reply.text
    assert decisions(reply.json(), "age")["binning"]["value"] == {"method": "uniform", "bins": 10}
    bounds = preview["domain_data"]["income"]["bounds"]
    expected = int(np.ceil((bounds["max"] - bounds["min"]) / 500))
    assert decisions(reply.json(), "income")["binning"]["value"]["bins"] == expected


def test_4_bin_width_and_growth_rate_are_used(client, preview) -> None:  # type: ignore[no-untyped-def]
    columns = legacy_ui.review(preview)
    columns["age"]["binning"]["bin_width"] = 24  # 72 years → 3 bins, whatever the count says
    columns["income"]["binning"].update(method="exponential", bin_count=6, growth_rate=2)
    reply = confirm(client, preview, columns)
    assert reply.status_code == 200, reply.text
    assert decisions(reply.json(), "age")["binning"]["value"] == {"method": "uniform", "bins": 3}
    assert set(download(client, reply.json())["age"].astype(float) // 1).issubset(range(18, 91))
    income = decisions(reply.json(), "income")["binning"]["value"]
    assert income == {"method": "explicit", "bins": 6}  # edges whose widths double
    from web_app.review.legacy import growth_edges
    edges = growth_edges(0, 63, 6, 2.0, integer=False)
    assert np.allclose(np.diff(edges), [1, 2, 4, 8, 16, 32])


def test_5_the_ui_reads_the_inferred_bin_count_and_sends_it_back(client, preview) -> None:  # type: ignore[no-untyped-def]
    binning = preview["domain_data"]["income"]["binning"]
    assert binning["bin_count"] == binning["bins"] == 32
    assert legacy_ui.review(preview)["income"]["binning"]["bin_count"] == 32  # not the UI's own 20
    reply = confirm(client, preview)  # unchanged: nothing declared, every column discovered with DP
    assert reply.status_code == 200, reply.text
    assert reply.json()["privacy_report"]["declared_columns"] == []


def test_6_the_confirm_reply_has_dataset_name_and_the_predecessors_message(client, preview) -> None:  # type: ignore[no-untyped-def]
    body = confirm(client, preview, dataset_name="survey").json()
    assert body["dataset_name"] == "survey"
    assert body["message"].startswith("Data synthesis initiated successfully!")
    ours = client.post("/confirm_synthesis", data={
        "unique_id": preview["unique_id"], "confirmed_domain_data": json.dumps(preview["domain_data"]),
        "confirmed_info_data": json.dumps(preview["info_data"]), "n_sample": "50", "epsilon": EPSILON}).json()
    assert ours["message"] == "Synthesis finished; the CSV is ready to download."  # our clients keep ours


def test_7_the_preview_id_names_its_result(client, preview) -> None:  # type: ignore[no-untyped-def]
    job = confirm(client, preview).json()
    by_job = client.get(f"/download_synthesized_data/{job['session_id']}")
    by_preview = client.get(f"/download_synthesized_data/{preview['unique_id']}")
    assert by_preview.status_code == 200 and by_preview.content == by_job.content
    evaluation = client.post("/evaluate", data={"session_id": preview["unique_id"]})
    assert evaluation.status_code == 200, evaluation.text
    assert evaluation.json() == client.post("/evaluate", data={"session_id": job["session_id"]}).json()


def test_8_category_edits_select_add_and_exclude(client, preview) -> None:  # type: ignore[no-untyped-def]
    columns = legacy_ui.review(preview)
    colour = columns["colour"]
    colour["selected_categories"] = ["blue", "green"]  # "red" excluded: it maps to the special token
    colour["custom_categories"] = ["purple", "BLUE"]  # a new one, and a case-insensitive duplicate
    colour["selected_categories"] += ["purple", "BLUE"]
    reply = confirm(client, preview, columns)
    assert reply.status_code == 200, reply.text
    assert decisions(reply.json(), "colour")["categories"]["value"] == ["blue", "green", "purple"]
    values = set(download(client, reply.json())["colour"])
    assert "red" not in values and values <= {"blue", "green", "purple", colour["special_token"]}
    script = legacy_ui.confirmed(preview, legacy_ui.review(preview))[0]  # a script: excluded_categories only
    script["colour"].pop("selected_categories")
    script["colour"]["excluded_categories"] = ["green"]
    form = {**legacy_ui.confirm_form(preview), "confirmed_domain_data": json.dumps(script), "n_sample": "100",
            "epsilon": EPSILON}
    reply = client.post("/confirm_synthesis", data=form)
    assert reply.status_code == 200, reply.text
    assert "green" not in set(download(client, reply.json())["colour"])


def test_9_a_bin_count_contradicting_the_edges_is_refused(client, preview) -> None:  # type: ignore[no-untyped-def]
    domain, info = legacy_ui.confirmed(preview, legacy_ui.review(preview))
    domain["age"]["binning"].update(bin_count=3, edges=[18, 50, 90])
    form = {**legacy_ui.confirm_form(preview), "confirmed_domain_data": json.dumps(domain), "epsilon": EPSILON}
    reply = client.post("/confirm_synthesis", data=form)
    assert reply.status_code == 422 and reply.json()["detail"]["error"] == "invalid_binning"
    domain["age"]["binning"]["bin_count"] = 2  # agreeing: the edges are used
    reply = client.post("/confirm_synthesis", data={**form, "confirmed_domain_data": json.dumps(domain)})
    assert reply.status_code == 200 and decisions(reply.json(), "age")["binning"]["value"]["bins"] == 2


def test_10_a_missing_file_is_a_string_detail_for_legacy_clients_only(client, preview) -> None:  # type: ignore[no-untyped-def]
    missing = client.post("/synthesize", data={**legacy_ui.UI_RUN_FORM, "dataset_name": "mine"})
    assert missing.status_code == 400 and "data file is required" in missing.json()["detail"].lower()
    ours = client.post("/synthesize", data={"dataset_name": "mine"})  # our clients: our envelope, unchanged
    assert ours.status_code == 422 and ours.json()["detail"]["error"] == "no_file"
    # Every other error keeps our envelope for both: its UI shows detail.message, its scripts test the status.
    unknown = client.post("/confirm_synthesis", data={**legacy_ui.confirm_form(preview), "unique_id": "nope"})
    assert unknown.status_code == 404 and unknown.json()["detail"]["message"]
    bad = client.post("/confirm_synthesis", data={**legacy_ui.confirm_form(preview), "confirmed_domain_data": "{"})
    assert bad.status_code == 422 and bad.json()["detail"]["error"] == "malformed_json"


def test_11_the_root_answers_json_to_scripts_and_the_app_to_browsers(api_settings: Settings, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>PrivSyn</title>")
    with TestClient(create_app(api_settings, frontend_dist=dist)) as client:
        script = client.get("/", headers={"Accept": "application/json"})
        assert script.status_code == 200 and "message" in script.json()
        assert client.get("/").json()["message"]  # requests' and curl's */*
        browser = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert browser.status_code == 200 and "<title>PrivSyn</title>" in browser.text
    with TestClient(create_app(api_settings, frontend_dist=tmp_path / "none")) as client:
        assert client.get("/", headers={"Accept": "text/html"}).json()["message"]  # no app built: JSON


def test_12_info_data_has_the_predecessors_counts_and_inference_settings(preview) -> None:  # type: ignore[no-untyped-def]
    info = preview["info_data"]
    assert info["cat_columns"] == ["level", "colour"] and info["num_columns"] == ["age", "income"]
    assert (info["n_cat_features"], info["n_num_features"]) == (2, 2)
    settings = info["inference_settings"]
    assert settings["integer_unique_threshold"] == 21 and settings["float_unique_threshold"] == 11
    assert settings["integer_unique_max"] == 50 and settings["integer_unique_ratio_threshold"] == 0.01
