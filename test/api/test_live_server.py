"""End to end against real ``uvicorn`` processes: the full flow per method, a restart mid-job, and two API
processes sharing one Postgres store and one S3 bucket (no sticky sessions)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import method.synthesis  # noqa: F401
from bench.live_server import LiveServer, wait_for_job
from method.api import registry
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form

pytestmark = pytest.mark.slow

SMALL_KNOBS = {
    "privsyn": '{"update_iterations": 10}',
    "mst": "{}",
    "aim": '{"max_iters": 50, "rounds": 4, "degree": 2}',
}


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator:
    servers: list[LiveServer] = []

    def start(**environment: str) -> LiveServer:
        base = {"PRIVSYN_STATE_ROOT": str(tmp_path / "state")}
        server = LiveServer({**base, **environment}, tmp_path / f"uvicorn-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _flow(preview_client, confirm_client, poll_client, method: str) -> None:  # type: ignore[no-untyped-def]
    preview = preview_client.post("/synthesize", data={**LEGACY_SYNTHESIZE_FORM, "method": method})
    assert preview.status_code == 200, preview.text
    form = confirm_form(preview.json(), method=method, n_sample="400", wait="false", knobs=SMALL_KNOBS[method])
    confirmed = confirm_client.post("/confirm_synthesis", data=form)
    assert confirmed.status_code == 200, confirmed.text
    job = wait_for_job(poll_client, confirmed.json()["job_id"])
    assert job["status"] == "succeeded", job
    csv = poll_client.get(job["download_url"])
    table = pd.read_csv(io.BytesIO(csv.content))
    assert list(table.columns) == list(preview.json()["domain_data"]) and len(table) == 400
    assert table["age"].nunique() > 5 and table["hours-per-week"].nunique() > 5
    evaluation = confirm_client.post("/evaluate", data={"session_id": job["job_id"]})
    assert evaluation.status_code == 200, evaluation.text


@pytest.mark.parametrize("method", registry.list())
def test_full_flow_on_a_real_server(start_server, method: str) -> None:  # type: ignore[no-untyped-def]
    server = start_server(PRIVSYN_JOB_BACKEND="local")
    with server.client() as client:
        _flow(client, client, client, method)


def test_a_restart_after_confirm_loses_nothing(start_server) -> None:  # type: ignore[no-untyped-def]
    first = start_server(PRIVSYN_JOB_BACKEND="local")
    with first.client() as client:
        preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
        bad = client.post("/confirm_synthesis", data=confirm_form(preview, epsilon="-2"))
        assert bad.status_code == 422
        job_id = client.post("/confirm_synthesis", data=confirm_form(preview, wait="false")).json()["job_id"]
    first.stop()
    second = start_server(PRIVSYN_JOB_BACKEND="local")
    with second.client() as client:
        assert wait_for_job(client, job_id)["status"] == "succeeded"
        assert job_id in [job["job_id"] for job in client.get("/jobs").json()["data"]]
        assert client.get(f"/download_synthesized_data/{job_id}").status_code == 200
        assert client.post("/evaluate", data={"session_id": job_id}).status_code == 200
        again = client.post("/confirm_synthesis", data=confirm_form(preview, n_sample="50"))
        assert again.status_code == 200 and again.json()["status"] == "queued"


@pytest.mark.postgres
@pytest.mark.s3
def test_two_api_processes_share_one_store_and_bucket(start_server, services) -> None:  # type: ignore[no-untyped-def]
    shared = {
        "PRIVSYN_METADATA_BACKEND": "postgres", "PRIVSYN_DATABASE_URL": services.database_url,
        "PRIVSYN_STORAGE_BACKEND": "s3", "PRIVSYN_S3__BUCKET": services.s3_bucket,
        "PRIVSYN_S3__ENDPOINT_URL": services.s3_endpoint_url, "PRIVSYN_S3__PREFIX": "two-apis",
        "PRIVSYN_S3__ACCESS_KEY_ID": "test", "PRIVSYN_S3__SECRET_ACCESS_KEY": "test",
    }
    one, two = start_server(**shared), start_server(**shared)
    with one.client() as first, two.client() as second:
        _flow(first, second, first, "privsyn")
