"""The predecessor's browser UI must work unchanged: its fields in, the fields it reads out, inline runner."""

from __future__ import annotations

import io

import pandas as pd

from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form

SWITCHABLE = {"integer_unique_below_threshold", "integer_sparse_unique", "float_unique_low"}


def test_the_legacy_client_flow(client) -> None:  # type: ignore[no-untyped-def]
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()  # "Load Sample": no file
    assert preview["unique_id"] and preview["info_data"]["name"] == "adult"
    assert preview["info_data"]["train_size"] == 48842
    for name, column in preview["domain_data"].items():
        if column["type"] == "categorical":
            assert "categories" in column and "category_null_token" in column and "special_token" in column
            assert "excluded_strategy" in column and "categories_from_data" in column
        else:
            assert {"min", "max"} <= set(column["bounds"]) and "binning" in column and "size" in column
        for reason in preview["info_data"]["inference_report"][name]["reasons"]:
            assert {"code", "message"} <= set(reason)
    codes = {r["code"] for c in preview["info_data"]["inference_report"].values() for r in c["reasons"]}
    assert codes & SWITCHABLE  # educational-num may be switched by the UI

    confirmed = client.post("/confirm_synthesis", data=confirm_form(preview))
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "succeeded" and body["message"] and body["session_id"] == body["job_id"]

    download = client.get(f"/download_synthesized_data/{body['session_id']}")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.BytesIO(download.content))
    assert list(table.columns) == list(preview["domain_data"]) and len(table) == 500
    assert table["age"].nunique() > 10 and table["fnlwgt"].nunique() > 100
    assert (table["capital-gain"] == 0).mean() > 0.8  # PrivTree's DP bins keep the zeros (real: 91.7 %)
    assert body["privacy_report"]["domain_mode"] == "dp"  # an unchanged payload declares nothing

    evaluation = client.post("/evaluate", data={"session_id": body["session_id"]})
    assert evaluation.status_code == 200, evaluation.text
    assert evaluation.json()["message"] and isinstance(evaluation.json()["results"], dict)


def test_a_column_switched_to_numerical_comes_back_without_a_summary(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    domain = dict(adult_preview["domain_data"])
    domain["educational-num"] = {"type": "numerical", "binning": {"method": "uniform", "bins": 16}}
    form = confirm_form({**adult_preview, "domain_data": domain}, n_sample="200")
    response = client.post("/confirm_synthesis", data=form)
    assert response.status_code == 200, response.text
    table = pd.read_csv(io.BytesIO(client.get(response.json()["download_url"]).content))
    assert table["educational-num"].between(1, 16).all()


def test_results_survive_a_restart(api_settings, adult_preview, client) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from web_app.main import create_app

    job_id = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="300")).json()["job_id"]
    with TestClient(create_app(api_settings)) as restarted:  # a new process: nothing in memory
        assert restarted.get(f"/jobs/{job_id}").json()["session_available"] is False
        assert len(restarted.get(f"/download_synthesized_data/{job_id}").text.splitlines()) == 301
        results = restarted.post("/evaluate", data={"session_id": job_id}).json()["results"]
        assert results
        html = restarted.get(f"/evaluate/{job_id}/report")
        assert html.status_code == 200 and "non-DP" in html.text
        again = restarted.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="10"))
        assert again.status_code == 200  # the persisted preview serves a second confirm


def test_missing_cells_are_empty_unless_the_inputs_null_token_is_declared(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    job = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="2000")).json()
    table = pd.read_csv(io.StringIO(client.get(job["download_url"]).text), keep_default_na=False)
    assert (table["workclass"] == "").mean() > 0.01 and (table["workclass"] == "?").sum() == 0  # the default
    declared = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="2000",
                                                                   domain_mode="as_confirmed")).json()
    table = pd.read_csv(io.StringIO(client.get(declared["download_url"]).text), keep_default_na=False)
    assert (table["workclass"] == "?").mean() > 0.01  # Adult writes missing as "?" (5.7 % of workclass)
    assert (table["workclass"] == "").sum() == 0
