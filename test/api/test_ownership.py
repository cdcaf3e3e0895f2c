"""Two principals behind the trusted-header proxy: nobody reaches another owner's jobs, previews or results.

The routes are enumerated from the app itself (every path placeholder ending in ``id``), so a new route
taking an id cannot skip this test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import load_settings
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from web_app.main import create_app

SECRET = "k3v9-proxy-secret-for-tests-0123456789abcdef"


def _headers(subject: str, admin: bool = False) -> dict[str, str]:
    return {"X-Privsyn-Proxy-Secret": SECRET, "X-Privsyn-Subject": subject,
            **({"X-Privsyn-Admin": "true"} if admin else {})}


@pytest.fixture
def shared(tmp_path: Path) -> TestClient:
    settings = load_settings(state_root=tmp_path / "state", auth_backend="trusted-header",
                             auth_shared_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        yield client


def _id_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every route with an id in its path (``{job_id}``, ``{session_id}``, ``{preview_id}``, any new ``{…id}``)."""
    routes = []
    for path, operations in client.app.openapi()["paths"].items():
        if re.search(r"\{\w*id\}", path):
            routes += [(method.upper(), path) for method in operations]
    return routes


def test_every_id_route_hides_other_owners_jobs(shared: TestClient) -> None:
    preview = shared.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM, headers=_headers("alice")).json()
    job = shared.post("/confirm_synthesis", data=confirm_form(preview, n_sample="50"), headers=_headers("alice"))
    job_id = job.json()["job_id"]
    # A new placeholder is a KeyError here: say which of alice's ids it takes, so the route is checked too.
    ids = {"job_id": job_id, "session_id": job_id, "preview_id": preview["unique_id"]}
    routes = _id_routes(shared)
    assert {path for _, path in routes} >= {"/jobs/{job_id}", "/jobs/{job_id}/cancel",
                                            "/download_synthesized_data/{session_id}", "/previews/{preview_id}"}
    deletions = []
    for method, path in routes:
        url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        response = shared.request(method, url, headers=_headers("bob"))
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["detail"]["error"] == "not_found", (method, path, response.text)
        if method == "DELETE":  # done last, once every other route has been checked
            deletions.append(url)
            continue
        assert shared.request(method, url, headers=_headers("alice")).status_code < 400, (method, path)
        assert shared.request(method, url, headers=_headers("root", admin=True)).status_code < 400, (method, path)
    evaluate = shared.post("/evaluate", data={"session_id": job_id}, headers=_headers("bob"))
    assert evaluate.status_code == 404
    assert shared.get("/jobs", headers=_headers("bob")).json()["count"] == 0
    assert shared.get("/jobs", headers=_headers("alice")).json()["count"] == 1
    assert shared.get(f"/jobs/{job_id}", headers=_headers("root", admin=True)).status_code == 200
    assert sorted(deletions) == [f"/jobs/{job_id}", f"/previews/{preview['unique_id']}"]
    for url in deletions:  # bob could not delete alice's data; alice can
        assert shared.delete(url, headers=_headers("alice")).status_code == 204, url
        assert shared.delete(url, headers=_headers("root", admin=True)).status_code == 404, url


def test_another_owners_preview_cannot_be_confirmed(shared: TestClient) -> None:
    preview = shared.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM, headers=_headers("alice")).json()
    response = shared.post("/confirm_synthesis", data=confirm_form(preview), headers=_headers("bob"))
    assert response.status_code == 404 and response.json()["detail"]["error"] == "not_found"


def test_missing_identity_or_wrong_secret_is_401(shared: TestClient) -> None:
    assert shared.get("/jobs").status_code == 401
    wrong = {**_headers("alice"), "X-Privsyn-Proxy-Secret": "not-the-secret-but-long-enough-000000"}
    assert shared.get("/jobs", headers=wrong).status_code == 401
    anonymous = shared.get("/jobs", headers={"X-Privsyn-Proxy-Secret": SECRET})
    assert anonymous.json()["detail"]["error"] == "unauthenticated"
