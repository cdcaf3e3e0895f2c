"""``GET /jobs`` lists when each run started, so the runs table measures run time without queue time."""

from __future__ import annotations

from privsyn_platform.auth import LOCAL_PRINCIPAL
from test.api.fixtures import confirm_form


def test_the_list_carries_started_at_like_the_job(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    job = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50")).json()
    listed = client.get("/jobs").json()["data"][0]
    assert listed["job_id"] == job["job_id"] and job["status"] == "succeeded"
    assert listed["started_at"] == client.get(job["status_url"]).json()["started_at"] is not None
    assert listed["created_at"] <= listed["started_at"] <= listed["finished_at"]


def test_a_job_that_has_not_started_lists_started_at_null(client) -> None:  # type: ignore[no-untyped-def]
    store = client.app.state.services.store
    queued = store.create_job(LOCAL_PRINCIPAL, method="privsyn", params={}, backend="inline")  # never submitted
    listed = {job["job_id"]: job for job in client.get("/jobs").json()["data"]}
    assert listed[queued.id]["status"] == "queued" and listed[queued.id]["started_at"] is None
