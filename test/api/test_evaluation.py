"""The evaluation routes: ``POST /evaluate`` and the HTML report share one computation per result."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from web_app import job_service


def test_the_evaluation_is_computed_once_and_both_routes_show_it(client: TestClient,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    computed = []
    real_compare = job_service.compare

    def counting_compare(*args, **kwargs):  # type: ignore[no-untyped-def]
        computed.append(1)
        return real_compare(*args, **kwargs)

    monkeypatch.setattr(job_service, "compare", counting_compare)
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
    session_id = client.post("/confirm_synthesis", data=confirm_form(preview, n_sample="200")).json()["session_id"]
    first = client.post("/evaluate", data={"session_id": session_id})
    again = client.post("/evaluate", data={"session_id": session_id})
    report = client.get(f"/evaluate/{session_id}/report")
    assert first.status_code == again.status_code == report.status_code == 200
    assert first.json() == again.json()
    assert "<html" in report.text.lower()
    assert computed == [1]
