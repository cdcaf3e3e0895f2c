"""The evaluation routes: ``POST /evaluate`` and the HTML report share one computation per result and target;
the report carries the run card, the job's privacy report and the verdict; a bad target is a coded 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from web_app import job_service


def _job(client: TestClient) -> str:
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
    return str(client.post("/confirm_synthesis", data=confirm_form(preview, n_sample="300")).json()["session_id"])


def test_the_evaluation_is_computed_once_per_target_and_both_routes_show_it(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    computed = []
    real_evaluate = job_service.evaluate

    def counting_evaluate(*args, **kwargs):  # type: ignore[no-untyped-def]
        computed.append(kwargs.get("target"))
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(job_service, "evaluate", counting_evaluate)
    session_id = _job(client)
    first = client.post("/evaluate", data={"session_id": session_id})
    again = client.post("/evaluate", data={"session_id": session_id})
    report = client.get(f"/evaluate/{session_id}/report")
    assert first.status_code == again.status_code == report.status_code == 200
    assert first.json() == again.json() and computed == [None]
    results = first.json()["results"]
    assert results["card"]["dataset"] == "adult" and results["card"]["method"] == "privsyn"
    assert results["card"]["epsilon"] == 1.0 and results["card"]["randomness"] == "fresh entropy"
    assert results["privacy"]["spent_by_stage"] and results["utility"] is None
    assert 0 <= results["verdict"]["overall"] <= 100 and "income" in results["targets"]
    assert 'id="run-card"' in report.text and 'id="privacy"' in report.text and 'id="verdict"' in report.text

    with_target = client.post("/evaluate", data={"session_id": session_id, "target": "income"})
    assert with_target.status_code == 200, with_target.text
    utility = with_target.json()["results"]["utility"]
    assert utility["target"] == "income" and utility["metric"] == "accuracy" and 0 <= utility["tstr"] <= 1
    html = client.get(f"/evaluate/{session_id}/report", params={"target": "income"})
    assert "Utility: predicting income" in html.text and computed == [None, "income"]


def test_an_unknown_target_is_a_coded_error(client: TestClient) -> None:
    session_id = _job(client)
    response = client.post("/evaluate", data={"session_id": session_id, "target": "no such column"})
    assert response.status_code == 422
    assert response.json()["detail"]["error"] == "unknown_target"
