"""A wall-clock budget set on the form: AIM at a large ε (about 9 minutes on Adult without one) finishes
within it, still spending exactly ρ."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from test.api.fixtures import confirm_form


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
