"""Bad input never gives a 500: each case has its status and error code (the envelope of docs/api.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import load_settings
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from test.ingestion.test_reader import HOSTILE
from web_app.main import create_app
from web_app.synthesis_service import SEED_REFUSED


def _error(response, status: int, code: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["error"] == code, detail
    return detail["message"]


@pytest.mark.parametrize(
    ("fields", "code", "fragment"),
    [
        ({"epsilon": "0"}, "invalid_privacy_parameters", "epsilon must be a finite number > 0, got 0.0"),
        ({"epsilon": "-1"}, "invalid_privacy_parameters", "got -1.0"),
        ({"epsilon": "1e9"}, "invalid_privacy_parameters", "epsilon must be at most 1000"),
        ({"epsilon": "lots"}, "invalid_privacy_parameters", "epsilon must be a number, got 'lots'"),
        ({"delta": "1"}, "invalid_privacy_parameters", "delta must be in the open interval (0, 1), got 1.0"),
        ({"method": "gan"}, "unknown_method", "unknown method 'gan'; valid methods are:"),
        ({"update_iterations": "-4"}, "invalid_parameter", "update_iterations must be in [0, 10000], got -4"),
        ({"knobs": "{not json"}, "invalid_parameter", "knobs must be a JSON object"),
        ({"n_sample": "ten"}, "invalid_parameter", "n_sample must be a whole number, got 'ten'"),
        ({"time_budget": "0"}, "invalid_parameter", "time_budget must be a number of seconds > 0, got '0'"),
        ({"time_budget": "soon"}, "invalid_parameter", "time_budget must be a number, got 'soon'"),
        ({"time_budget": "inf"}, "invalid_parameter", "time_budget must be a finite number"),
        ({"dataset_name": "../../x"}, "no_file", "'../../x' is not a bundled sample"),
    ],
)
def test_bad_synthesis_parameters_are_422(client, api_settings, fields: dict, code: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    ours = {k: v for k, v in LEGACY_SYNTHESIZE_FORM.items() if k != "num_preprocess"}  # legacy: test_legacy_contract
    message = _error(client.post("/synthesize", data={**ours, **fields}), 422, code)
    assert fragment in message
    root = api_settings.state_root.resolve()
    assert all(root in p.resolve().parents or p.resolve() == root for p in root.rglob("*"))
    assert not (root.parent / "x").exists()


@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        (lambda d: {**d, "age": {**d["age"], "bounds": {"min": 90, "max": 17}}}, "invalid_bounds", "age"),
        (lambda d: {**d, "age": {**d["age"], "binning": {"method": "uniform", "edges": [10, 5, 99]}}},
         "bin_edges_not_increasing", "age"),
        (lambda d: {**d, "age": {**d["age"], "type": "vector"}}, "unknown_type", "age"),
    ],
)
def test_bad_overrides_are_422_and_keep_the_preview(client, adult_preview, change, code: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    bad = {**adult_preview, "domain_data": change(adult_preview["domain_data"])}
    message = _error(client.post("/confirm_synthesis", data=confirm_form(bad)), 422, code)
    assert fragment in message
    retry = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="100"))
    assert retry.status_code == 200, retry.text  # the preview survived the failed confirm


def test_malformed_json_overrides_are_422(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    form = confirm_form(adult_preview, confirmed_domain_data="{oops")
    _error(client.post("/confirm_synthesis", data=form), 422, "malformed_json")


def test_unknown_ids_are_404(client) -> None:  # type: ignore[no-untyped-def]
    _error(client.post("/confirm_synthesis", data={**LEGACY_SYNTHESIZE_FORM, "unique_id": "nope",
                                                   "confirmed_domain_data": "{}", "confirmed_info_data": "{}"}),
           404, "not_found")
    _error(client.get("/jobs/nope"), 404, "not_found")
    _error(client.get("/download_synthesized_data/nope"), 404, "not_found")
    _error(client.post("/jobs/nope/cancel"), 404, "not_found")
    _error(client.get("/sample_dataset/../../etc/passwd"), 404, "not_found")


def test_an_oversize_upload_is_413(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from web_app.main import create_app

    settings = load_settings(state_root=tmp_path / "state", max_upload_bytes=1000)
    with TestClient(create_app(settings)) as client:
        body = b"a,b\n" + b"1,2\n" * 1000
        response = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM, files={"data_file": ("big.csv", body)})
        assert "limit" in _error(response, 413, "file_too_large")


def test_an_uploaded_csv_flows_through(client) -> None:  # type: ignore[no-untyped-def]
    rows = "\n".join(f"{i % 7},{'ab'[i % 2]},{i * 1.5:.1f}" for i in range(300))
    upload = ("people.csv", f"visits,group,score\n{rows}\n".encode())
    preview = client.post("/synthesize", data={**LEGACY_SYNTHESIZE_FORM, "dataset_name": "people"},
                          files={"data_file": upload})
    assert preview.status_code == 200, preview.text
    confirmed = client.post("/confirm_synthesis", data=confirm_form(preview.json(), n_sample="50", wait="false",
                                                                    domain_mode="as_confirmed"))
    assert confirmed.status_code == 200 and confirmed.json()["status"] in {"queued", "running", "succeeded"}
    job = confirmed.json()["job_id"]
    for _ in range(200):
        state = client.get(f"/jobs/{job}").json()
        if state["status"] == "succeeded":
            break
        import time

        time.sleep(0.05)
    assert state["status"] == "succeeded" and state["progress"]["fraction"] == 1.0
    assert state["privacy_report"]["rho_spent"] <= state["privacy_report"]["rho"] * (1 + 1e-9)
    lines = client.get(state["download_url"]).text.splitlines()
    assert lines[0] == "visits,group,score" and len(lines) == 51
    assert json.loads(json.dumps(state["ledger"]))[0]["stage"].startswith("privsyn:")


@pytest.mark.parametrize("code", sorted(HOSTILE))
def test_hostile_uploads_are_a_clear_4xx(client, code: str) -> None:  # type: ignore[no-untyped-def]
    name, content = HOSTILE[code]
    response = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM, files={"data_file": (name, content)})
    assert _error(response, 422, code)


def test_awkward_columns_are_handled_not_refused(client) -> None:  # type: ignore[no-untyped-def]
    rows = "\n".join(f"{i % 5},,7,{'xy'[i % 2]},{i % 3}" for i in range(200))
    upload = ("awkward.csv", f"a,empty,constant,Name,name\n{rows}\n".encode())
    preview = client.post("/synthesize", data={**LEGACY_SYNTHESIZE_FORM, "dataset_name": "awkward"},
                          files={"data_file": upload})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert len(set(body["info_data"]["columns"])) == 5  # the case-only duplicate header was renamed, not merged
    assert body["info_data"]["warnings"]
    confirmed = client.post("/confirm_synthesis", data=confirm_form(body, n_sample="30", domain_mode="as_confirmed"))
    assert confirmed.status_code == 200, confirmed.text


def test_a_very_wide_table_is_refused_at_upload_naming_the_limit(client) -> None:  # type: ignore[no-untyped-def]
    """PRIVSYN_MAX_COLUMNS (2,000 by default) caps uploads; a run's own cap is PRIVSYN_MAX_SYNTHESIS_COLUMNS (#19)."""
    header = ",".join(f"c{i}" for i in range(10_000))
    lines = [",".join(str((r * 7 + c) % 3) for c in range(10_000)) for r in range(20)]
    upload = ("wide.csv", ("\n".join([header, *lines]) + "\n").encode())
    preview = client.post("/synthesize", data={**LEGACY_SYNTHESIZE_FORM, "dataset_name": "wide"},
                          files={"data_file": upload})
    message = _error(preview, 422, "too_many_columns")
    assert "10,000 columns" in message and "2,000" in message and "PRIVSYN_MAX_COLUMNS" in message


def test_a_run_over_the_synthesis_column_limit_is_refused_before_fitting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from fastapi.testclient import TestClient

    from privsyn_platform.settings import load_settings
    from web_app.main import create_app

    settings = load_settings(state_root=tmp_path / "state", max_synthesis_columns=3)
    header = ",".join(f"c{i}" for i in range(5))
    lines = [",".join(str((r * 7 + c) % 3) for c in range(5)) for r in range(50)]
    with TestClient(create_app(settings)) as client:
        assert client.get("/whoami").json()["max_synthesis_columns"] == 3
        preview = client.post("/synthesize", data={"method": "mst"},
                              files={"data_file": ("five.csv", ("\n".join([header, *lines]) + "\n").encode())}).json()
        form = {"unique_id": preview["unique_id"], "method": "mst",
                "confirmed_domain_data": json.dumps(preview["domain_data"]),
                "confirmed_info_data": json.dumps(preview["info_data"])}
        message = _error(client.post("/confirm_synthesis", data=form), 422, "too_many_columns_for_synthesis")
        assert "PRIVSYN_MAX_SYNTHESIS_COLUMNS" in message
        kept = {**preview["info_data"], "excluded_columns": ["c3", "c4"], "domain_mode": "as_confirmed"}
        narrowed = client.post("/confirm_synthesis", data={**form, "confirmed_info_data": json.dumps(kept)})
        assert narrowed.status_code == 200, narrowed.text


def test_a_fixed_seed_is_refused_unless_the_deployment_allows_it(  # type: ignore[no-untyped-def]
    client, tmp_path: Path
) -> None:
    form = {**LEGACY_SYNTHESIZE_FORM, "seed": "0"}
    message = _error(client.post("/synthesize", data=form), 422, "seed_not_allowed")
    assert message == SEED_REFUSED
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
    confirm = confirm_form(preview, seed="7", wait="false")
    refused = client.post("/confirm_synthesis", data=confirm)
    assert _error(refused, 422, "seed_not_allowed") == SEED_REFUSED
    allowed = load_settings(state_root=tmp_path / "allowed", allow_fixed_seed=True)
    with TestClient(create_app(allowed)) as seeded:
        assert seeded.post("/synthesize", data=form).status_code == 200


def test_a_delta_of_one_over_the_rows_or_more_is_refused_at_confirm_before_any_work(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    from test.api.fixtures import confirm_form

    message = _error(client.post("/confirm_synthesis", data=confirm_form(adult_preview, delta="0.5")), 422,
                     "invalid_privacy_parameters")
    assert "δ = 0.5 is not below 1/rows = 1/48,842" in message and "1e-9" in message
    assert client.get("/jobs").json()["count"] == 0
    accepted = client.post("/confirm_synthesis", data=confirm_form(adult_preview, delta="1e-9", n_sample="50"))
    assert accepted.status_code == 200, accepted.text
