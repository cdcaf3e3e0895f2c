"""The API contract clients rely on (the seed guide points here): routes, form fields, response fields.

Changing any of these breaks the predecessor's browser UI or REST clients; do it only on purpose.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form

ROUTES = {
    ("POST", "/synthesize"), ("POST", "/confirm_synthesis"), ("GET", "/jobs"), ("GET", "/jobs/{job_id}"),
    ("POST", "/jobs/{job_id}/cancel"), ("GET", "/jobs/{job_id}/schema"),
    ("GET", "/download_synthesized_data/{session_id}"), ("POST", "/evaluate"),
    ("GET", "/evaluate/{session_id}/report"), ("GET", "/sample_dataset/{name}"), ("GET", "/healthz"),
    ("GET", "/readyz"), ("GET", "/methods"), ("GET", "/whoami"), ("GET", "/previews/{preview_id}"), ("GET", "/"),
    ("DELETE", "/previews/{preview_id}"), ("DELETE", "/jobs/{job_id}"),
}
# Form fields: the 12 the legacy UI posts, plus ours (all optional strings with defaults).
SYNTHESIZE_FIELDS = set(LEGACY_SYNTHESIZE_FORM) | {"data_file", "knobs", "seed", "time_budget"}
CONFIRM_FIELDS = (SYNTHESIZE_FIELDS - {"data_file"}) | {
    "unique_id", "confirmed_domain_data", "confirmed_info_data", "wait"}
PREVIEW_FIELDS = {"unique_id", "domain_data", "info_data", "message"}
JOB_FIELDS = {"job_id", "status", "method", "params", "progress", "created_at", "started_at", "finished_at", "error",
              "dataset_budget",
              "artifacts", "ledger", "privacy_report", "backend", "submission", "session_available", "status_url",
              "download_url", "session_id"}
JOB_SUMMARY_FIELDS = {"job_id", "status", "method", "params", "progress", "created_at", "started_at", "finished_at",
                      "dataset_budget",
                      "status_url"}
CONFIRM_RESPONSE_FIELDS = JOB_FIELDS | {"message", "dataset_name"}
INFO_FIELDS = {"name", "train_size", "inference_settings", "inference_report", "columns", "excluded_columns",
               "num_columns", "cat_columns", "n_num_features", "n_cat_features"}


def test_the_route_table_is_pinned(client: TestClient) -> None:
    paths = client.app.openapi()["paths"]
    assert {(method.upper(), path) for path, ops in paths.items() for method in ops} == ROUTES
    operation_ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert all("-" in op for op in operation_ids) and len(set(operation_ids)) == len(operation_ids)


def test_preview_confirm_job_and_evaluate_fields(client: TestClient) -> None:
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
    assert set(preview) == PREVIEW_FIELDS and INFO_FIELDS <= set(preview["info_data"])
    assert client.get(f"/previews/{preview['unique_id']}").json() == preview  # read back: the same reply
    assert set(confirm_form(preview)) | {"knobs", "seed", "time_budget", "wait"} == CONFIRM_FIELDS
    confirmed = client.post("/confirm_synthesis", data=confirm_form(preview, n_sample="100")).json()
    assert set(confirmed) == CONFIRM_RESPONSE_FIELDS
    job = client.get(confirmed["status_url"]).json()
    assert set(job) == JOB_FIELDS and set(job["progress"]) == {"stage", "fraction", "message"}
    assert {"epsilon", "delta", "rho", "rho_spent", "spent_by_stage", "ledger", "columns", "non_dp_columns"} <= set(
        job["privacy_report"])
    listed = client.get("/jobs").json()
    assert set(listed) == {"data", "count", "next_url"} and set(listed["data"][0]) == JOB_SUMMARY_FIELDS
    evaluation = client.post("/evaluate", data={"session_id": confirmed["session_id"]}).json()
    assert set(evaluation) == {"message", "results"} and isinstance(evaluation["results"], dict)
    methods = client.get("/methods").json()
    assert set(methods) == {"data", "count"} and {"name", "summary", "parameters"} == set(methods["data"][0])


def test_every_error_uses_the_envelope(client: TestClient) -> None:
    for response in (client.get("/jobs/none"), client.get("/previews/none"),
                     client.post("/synthesize", data={"epsilon": "0"}),
                     client.post("/confirm_synthesis", data={"unique_id": "x", "confirmed_domain_data": "{"}),
                     client.get("/no/such/route")):
        detail = response.json()["detail"]
        assert 400 <= response.status_code < 500 and {"error", "message"} <= set(detail), response.text
        json.dumps(detail)
