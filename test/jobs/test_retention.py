"""Retention (issue #19, Medium 10): expired previews lose their uploaded real data and rows on a schedule, and
an owner can delete a preview or a finished job — its stored real data and artifacts — at once."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from privsyn_platform.auth import LOCAL_PRINCIPAL
from privsyn_platform.errors import NotFoundError
from privsyn_platform.settings import load_settings
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from web_app.jobs.upkeep import Upkeep
from web_app.main import create_app


def _keys(client: TestClient, prefix: str) -> list[str]:
    return client.app.state.services.storage.list_keys(prefix)  # type: ignore[attr-defined,no-any-return]


def test_the_upkeep_purges_expired_previews_with_their_uploaded_data(tmp_path: Path) -> None:
    settings = load_settings(state_root=tmp_path / "state", preview_ttl_seconds=1)
    with TestClient(create_app(settings)) as client:
        preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
        prefix = f"previews/{preview['unique_id']}/"
        assert f"{prefix}input.parquet" in _keys(client, prefix)
        time.sleep(1.1)
        services = client.app.state.services  # type: ignore[attr-defined]
        Upkeep(services.jobs, services.previews, 3600).run_once()
        assert _keys(client, prefix) == []
        assert services.store.purge_expired_preview_bundles() == []  # the rows went too
        assert client.get(f"/previews/{preview['unique_id']}").status_code == 404


def test_deleting_a_preview_removes_its_upload_and_row(client: TestClient, adult_preview) -> None:  # type: ignore[no-untyped-def]
    preview_id = adult_preview["unique_id"]
    assert _keys(client, f"previews/{preview_id}/")
    assert client.delete(f"/previews/{preview_id}").status_code == 204
    assert _keys(client, f"previews/{preview_id}/") == []
    assert client.get(f"/previews/{preview_id}").status_code == 404
    confirm = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50"))
    assert confirm.status_code == 404  # not even from the in-memory cache
    assert client.delete(f"/previews/{preview_id}").status_code == 404


def test_deleting_a_job_removes_its_real_data_and_artifacts_but_not_its_charge(
        client: TestClient, adult_preview) -> None:  # type: ignore[no-untyped-def]
    job = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50")).json()
    assert job["status"] == "succeeded" and job["dataset_budget"]["jobs"] == 1
    job_id = job["job_id"]
    assert f"jobs/{job_id}/input.parquet" in _keys(client, f"jobs/{job_id}/")
    assert client.post("/evaluate", data={"session_id": job_id}).status_code == 200
    assert client.delete(f"/jobs/{job_id}").status_code == 204
    assert _keys(client, f"jobs/{job_id}/") == []
    for path in (f"/jobs/{job_id}", f"/download_synthesized_data/{job_id}"):
        assert client.get(path).status_code == 404, path
    assert client.post("/evaluate", data={"session_id": job_id}).status_code == 404  # the cached session too
    assert client.get("/jobs").json()["count"] == 0
    store = client.app.state.services.store  # type: ignore[attr-defined]
    try:
        store.list_artifacts(job_id, LOCAL_PRINCIPAL)
        raise AssertionError("the job's artifact rows outlived it")
    except NotFoundError:
        pass
    again = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50")).json()
    assert again["dataset_budget"]["jobs"] == 2  # deleting never refunds privacy budget
    assert client.delete(f"/jobs/{job_id}").status_code == 404


def test_a_running_job_cannot_be_deleted_until_it_is_cancelled(client: TestClient) -> None:
    store = client.app.state.services.store  # type: ignore[attr-defined]
    queued = store.create_job(LOCAL_PRINCIPAL, method="privsyn", params={}, backend="inline")
    response = client.delete(f"/jobs/{queued.id}")
    assert response.status_code == 409 and response.json()["detail"]["error"] == "conflict"
    client.post(f"/jobs/{queued.id}/cancel")
    assert client.delete(f"/jobs/{queued.id}").status_code == 204


def test_the_job_list_pages_newest_first(client: TestClient) -> None:
    store = client.app.state.services.store  # type: ignore[attr-defined]
    ids = [store.create_job(LOCAL_PRINCIPAL, method="privsyn", params={}, backend="inline").id for _ in range(3)]
    first = client.get("/jobs", params={"limit": 2}).json()
    assert [j["job_id"] for j in first["data"]] == ids[:0:-1] and first["next_url"]
    second = client.get(first["next_url"]).json()
    assert [j["job_id"] for j in second["data"]] == ids[:1] and second["next_url"] is None
    assert client.get("/jobs", params={"limit": 0}).status_code == 422
    assert client.get("/jobs", params={"before": "f" * 32}).status_code == 404
