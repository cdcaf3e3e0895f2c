"""Wall-clock budgets: one set on the form (AIM at a large ε, about 9 minutes on Adult without one, finishes
within it and still spends exactly ρ), and the cap every run gets from PRIVSYN_JOB_TIMEOUT_MIN."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.settings import Settings, load_settings
from test.api.fixtures import confirm_form
from web_app.job_bundle import JOB_REQUEST_KIND, read_request
from web_app.main import create_app


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """These runs fix the seed, which the deployment must allow (PRIVSYN_ALLOW_FIXED_SEED)."""
    return load_settings(state_root=tmp_path / "state", allow_fixed_seed=True)


def test_aim_finishes_within_the_forms_time_budget(client: TestClient, adult_preview: dict) -> None:
    form = confirm_form(adult_preview, method="aim", epsilon="10", delta="1e-9", n_sample="500", seed="0",
                        time_budget="3")
    started = time.monotonic()
    job = client.post("/confirm_synthesis", data=form).json()
    elapsed = time.monotonic() - started
    assert job["status"] == "succeeded", job
    assert job["params"]["time_budget_s"] == 3.0
    report = job["privacy_report"]
    assert abs(report["rho_spent"] - report["rho"]) <= 1e-9 * report["rho"]
    assert elapsed < 60


def test_every_run_gets_a_budget_inside_the_job_timeout(tmp_path: Path) -> None:
    settings = load_settings(state_root=tmp_path / "state", job_timeout_min=2)  # 90 % of it: 108 s
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services
        preview = client.post("/synthesize", data={"method": "mst", "epsilon": "1", "n_sample": "50"}).json()
        for asked, run_budget in ((None, 108.0), ("500", 108.0), ("5", 5.0)):
            extra = {} if asked is None else {"time_budget": asked}
            job = client.post("/confirm_synthesis", data=confirm_form(preview, method="mst", **extra)).json()
            assert job["status"] == "succeeded", job
            assert job["params"]["time_budget_s"] == (None if asked is None else float(asked))  # what was asked
            bundle_key = services.store.get_artifact(job["job_id"], JOB_REQUEST_KIND, SYSTEM_PRINCIPAL).storage_key
            assert read_request(services.storage, bundle_key).time_budget_s == run_budget  # what the run gets
