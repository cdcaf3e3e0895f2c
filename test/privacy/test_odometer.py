"""A budget per dataset (issue #16, finding 9): every confirm of one preview adds to its odometer, which
the job, the runs list and the report show, and a deployment cap refuses the confirm that would pass it
(409, before anything runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from method.api.privacy import cdp_epsilon, cdp_rho
from privsyn_platform.settings import load_settings
from test.privacy.conftest import Pair
from web_app.main import create_app

RHO = cdp_rho(1.0, 1e-9)  # an as_confirmed run at ε = 1 reserves no threshold δ


def _client(tmp_path: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(load_settings(state_root=tmp_path / "state", **settings)))


def _preview(client: TestClient, data: bytes) -> dict[str, Any]:
    response = client.post("/synthesize", files={"data_file": ("t.csv", data, "text/csv")}, data={"method": "mst"})
    assert response.status_code == 200, response.text
    return response.json()


def _confirm(client: TestClient, preview: dict[str, Any]) -> Any:
    return client.post("/confirm_synthesis", data={
        "unique_id": preview["unique_id"], "method": "mst", "epsilon": "1", "delta": "1e-9", "n_sample": "100",
        "domain_mode": "as_confirmed", "confirmed_domain_data": json.dumps(preview["domain_data"]),
        "confirmed_info_data": json.dumps(preview["info_data"])})


def test_three_confirms_of_one_preview_compose(tmp_path: Path, pair: Pair) -> None:
    with _client(tmp_path) as client:
        preview = _preview(client, pair.without)
        jobs = [_confirm(client, preview).json() for _ in range(3)]
        assert [job["status"] for job in jobs] == ["succeeded"] * 3
        budget = client.get(jobs[-1]["status_url"]).json()["dataset_budget"]
        assert budget["dataset_id"] == preview["unique_id"] and budget["jobs"] == 3
        assert budget["rho"] == pytest.approx(3 * RHO)
        assert budget["epsilon"] == pytest.approx(cdp_epsilon(3 * RHO, 1e-9)) and 1.7 < budget["epsilon"] < 1.8
        listed = client.get("/jobs").json()["data"]
        assert {row["dataset_budget"]["jobs"] for row in listed} == {3}
        reports = [client.get(job["status_url"]).json()["privacy_report"]["dataset"]["jobs"] for job in jobs]
        assert reports == [1, 2, 3]  # each report: the odometer with that run


def test_a_cap_refuses_the_confirm_that_would_pass_it(tmp_path: Path, pair: Pair) -> None:
    # Under zCDP composition three ε = 1 runs give ε ≈ 1.78 (δ = 1e-9), two give ≈ 1.44: a cap of 1.6
    # lets two through and refuses the third. (A cap of 2.5 would let all three through.)
    with _client(tmp_path, dataset_epsilon_limit=1.6) as client:
        preview = _preview(client, pair.without)
        assert [_confirm(client, preview).status_code for _ in range(2)] == [200, 200]
        refused = _confirm(client, preview)
        assert refused.status_code == 409
        detail = refused.json()["detail"]
        assert detail["error"] == "conflict" and "1.78" in detail["message"] and "1.6" in detail["message"]
        assert client.get("/jobs").json()["count"] == 2  # nothing was run
