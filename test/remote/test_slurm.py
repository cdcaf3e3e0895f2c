"""Slurm for real: a one-node cluster (scripts/slurm.sh), jobs confirmed through the API run via sbatch,
the worker writes into the shared sqlite file and local storage, and the API reports what happened."""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from bench.live_server import LiveServer
from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.metadata_records import JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore, metadata_store_from_settings
from privsyn_platform.settings import load_settings
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from test.conftest import Services
from test.remote.conftest import SlurmCluster, confirm, poll, runner_submission, slurm_settings, wrapper_python
from web_app.main import create_app
from web_app.remote.runner import RemoteJobRunner
from web_app.slurm_control import SlurmControl

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
FINAL = {"succeeded", "failed", "cancelled"}


def wait_state(cluster: SlurmCluster, remote_id: str, wanted: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while (state := cluster.scontrol_state(remote_id)) != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
    return state


def _admin_submission(environment: dict[str, str], job_id: str) -> dict[str, Any]:
    """The runner's submission record of a job of the live server with ``environment`` (its own store)."""
    store = metadata_store_from_settings(load_settings(**_settings_kwargs(environment)))
    try:
        return runner_submission(store, job_id)
    finally:
        store.dispose()


def _settings_kwargs(environment: dict[str, str]) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for name, value in environment.items():
        parts = name.removeprefix("PRIVSYN_").lower().split("__")
        if len(parts) == 2:
            kwargs.setdefault(parts[0], {})[parts[1]] = value  # type: ignore[index]
        else:
            kwargs[parts[0]] = value
    return kwargs


@pytest.fixture
def slurm_client(slurm_cluster: SlurmCluster, tmp_path: Path) -> Iterator:
    """An in-process app on the Slurm backend; call with overrides of the environment."""
    clients: list[TestClient] = []

    def make(**overrides: str) -> TestClient:
        environment = slurm_settings(slurm_cluster, tmp_path / "state", **overrides)
        client = TestClient(create_app(load_settings(**_settings_kwargs(environment))))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@dataclass(frozen=True)
class TimeLimitedJob:
    runner: RemoteJobRunner
    store: MetadataStore
    job: JobRecord


@pytest.fixture(scope="session")
def time_limited_job(slurm_cluster: SlurmCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimeLimitedJob]:
    """A job whose worker outlives its 1-minute limit, submitted by the first Slurm test and checked by the last
    test of the session (see conftest): Slurm enforces limits in whole minutes, checked every 30 s, so the wait
    overlaps the other tests."""
    base = tmp_path_factory.mktemp("time-limit")
    settings = load_settings(**_settings_kwargs(slurm_settings(
        slurm_cluster, base / "state", PRIVSYN_JOB_TIMEOUT_MIN="1",
        PRIVSYN_SLURM__PYTHON=wrapper_python(base / "forever", "sleep 600"))))
    store = metadata_store_from_settings(settings)
    runner = RemoteJobRunner(SlurmControl(settings), store, min_refresh_s=0)
    job = store.create_job(SYSTEM_PRINCIPAL, method="privsyn", params={}, backend="slurm")
    submission = runner.submit(job, f"jobs/{job.id}/job_request.json")
    job = store.record_submission(job.id, SYSTEM_PRINCIPAL, backend_handle=submission.backend_handle,
                                  diagnostics=submission.diagnostics)
    yield TimeLimitedJob(runner, store, job)
    store.dispose()


def test_a_job_confirmed_through_the_api_runs_on_slurm(slurm_cluster: SlurmCluster, tmp_path: Path,
                                                       time_limited_job: TimeLimitedJob) -> None:
    environment = slurm_settings(slurm_cluster, tmp_path / "state")
    server = LiveServer(environment, tmp_path / "uvicorn.log")
    try:
        with server.client() as client:
            started = time.monotonic()
            job = confirm(client)
            assert job["backend"] == "slurm" and job["submission"] == {"backend": "slurm"}  # owners: no internals
            submission = _admin_submission(environment, job["job_id"])
            remote_id = submission["remote_id"]
            assert submission["command"][:2] == ["sbatch", "--parsable"]
            job = poll(client, job["job_id"], FINAL)
            latency = time.monotonic() - started
            assert job["status"] == "succeeded", job
            assert wait_state(slurm_cluster, remote_id, "COMPLETED") == "COMPLETED"
            download = client.get(job["download_url"])
            assert download.status_code == 200
            artifact = next(a for a in job["artifacts"] if a["kind"] == "synthetic_csv")
            stored = tmp_path / "state" / "objects" / "jobs" / job["job_id"] / "synthetic.csv"
            assert download.content == stored.read_bytes() and len(download.text.splitlines()) == 301
            assert hashlib.sha256(download.content).hexdigest() == artifact["sha256"]
        print(f"slurm submit-to-succeeded latency: {latency:.2f} s")  # noqa: T201 (a measured figure, -s shows it)
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.s3
def test_a_slurm_job_shares_postgres_and_s3_with_the_api(slurm_cluster: SlurmCluster, services: Services,
                                                          postgres_url: str, tmp_path: Path) -> None:
    prefix = f"slurm-{uuid.uuid4().hex[:6]}"
    environment = slurm_settings(
        slurm_cluster, tmp_path / "state", PRIVSYN_METADATA_BACKEND="postgres", PRIVSYN_DATABASE_URL=postgres_url,
        PRIVSYN_STORAGE_BACKEND="s3", PRIVSYN_S3__BUCKET=services.s3_bucket, PRIVSYN_S3__PREFIX=prefix,
        PRIVSYN_S3__ENDPOINT_URL=services.s3_endpoint_url, PRIVSYN_S3__ACCESS_KEY_ID="test",
        PRIVSYN_S3__SECRET_ACCESS_KEY="test")
    server = LiveServer(environment, tmp_path / "uvicorn.log")
    try:
        with server.client() as client:
            job = poll(client, confirm(client)["job_id"], FINAL)
            assert job["status"] == "succeeded", job
            script = _admin_submission(environment, job["job_id"])["script"]  # stored: never the secrets
            assert "export PRIVSYN_S3__SECRET_ACCESS_KEY='<redacted>'" in script
            assert "export PRIVSYN_DATABASE_URL='<redacted>'" in script and postgres_url not in script
            download = client.get(job["download_url"])
        s3 = boto3.client("s3", endpoint_url=services.s3_endpoint_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        stored = s3.get_object(Bucket=services.s3_bucket, Key=f"{prefix}/jobs/{job['job_id']}/synthetic.csv")
        assert download.status_code == 200 and download.content == stored["Body"].read()
        assert not (tmp_path / "state" / "metadata.sqlite3").exists()  # everything went to Postgres
    finally:
        server.stop()


def test_an_api_restart_while_the_slurm_job_runs_loses_nothing(slurm_cluster: SlurmCluster, tmp_path: Path) -> None:
    slow = wrapper_python(tmp_path / "slow-python", f'sleep 4; exec "{sys.executable}" "$@"')
    environment = slurm_settings(slurm_cluster, tmp_path / "state", PRIVSYN_SLURM__PYTHON=slow)
    first = LiveServer(environment, tmp_path / "uvicorn-1.log")
    try:
        with first.client() as client:
            job = confirm(client)
            assert job["status"] in {"queued", "running"}
    finally:
        first.stop()
    second = LiveServer(environment, tmp_path / "uvicorn-2.log")
    try:
        with second.client() as client:
            assert poll(client, job["job_id"], FINAL)["status"] == "succeeded"
            assert client.get(f"/download_synthesized_data/{job['job_id']}").status_code == 200
    finally:
        second.stop()


def test_cancel_a_pending_slurm_job(slurm_cluster: SlurmCluster, slurm_client) -> None:  # type: ignore[no-untyped-def]
    client = slurm_client(PRIVSYN_SLURM__PARTITION="held")  # a DOWN partition: accepted, never started
    job = confirm(client)
    remote_id = runner_submission(client.app.state.services.store, job["job_id"])["remote_id"]
    assert job["status"] == "queued" and slurm_cluster.scontrol_state(remote_id) == "PENDING"
    cancelled = client.post(f"/jobs/{job['job_id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert slurm_cluster.scontrol_state(remote_id) == "CANCELLED"


def test_cancel_a_running_slurm_job(slurm_cluster: SlurmCluster, slurm_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = slurm_client(PRIVSYN_SLURM__PYTHON=wrapper_python(tmp_path / "sleepy", "sleep 60"))
    job = confirm(client)
    remote_id = runner_submission(client.app.state.services.store, job["job_id"])["remote_id"]
    assert wait_state(slurm_cluster, remote_id, "RUNNING") == "RUNNING"
    assert client.post(f"/jobs/{job['job_id']}/cancel").json()["status"] == "cancelled"
    assert wait_state(slurm_cluster, remote_id, "CANCELLED") == "CANCELLED"
    assert client.get(f"/jobs/{job['job_id']}").json()["status"] == "cancelled"


def test_a_worker_that_crashes_marks_the_job_failed(slurm_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = slurm_client(PRIVSYN_SLURM__PYTHON=wrapper_python(tmp_path / "crash", "echo boom >&2; exit 3"))
    job = poll(client, confirm(client)["job_id"], FINAL)
    assert job["status"] == "failed"
    assert job["error"]["code"] == "failed" and "exit code 3:0" in job["error"]["message"], job["error"]


def test_a_worker_that_finishes_without_a_final_state_is_worker_incomplete(slurm_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = slurm_client(PRIVSYN_SLURM__PYTHON=wrapper_python(tmp_path / "noop", "exit 0"))
    job = poll(client, confirm(client)["job_id"], FINAL)
    assert job["status"] == "failed" and job["error"]["code"] == "worker_incomplete", job


def test_an_sbatch_failure_marks_the_job_failed_with_its_message(slurm_client) -> None:  # type: ignore[no-untyped-def]
    client = slurm_client(PRIVSYN_SLURM__PARTITION="no-such-partition")
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
    reply = client.post("/confirm_synthesis", data=confirm_form(preview, wait="false", n_sample="50"))
    assert reply.status_code == 422 and reply.json()["detail"]["error"] == "submission_failed"
    assert "invalid partition" in reply.json()["detail"]["message"]
    failed = client.get(f"/jobs/{client.get('/jobs').json()['data'][0]['job_id']}").json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "submission_failed"
    assert "invalid partition" in failed["error"]["message"].lower(), failed["error"]
    assert failed["submission"]["backend"] == "slurm" and "sbatch" in failed["submission"]["error"]


def test_a_job_over_its_time_limit_fails_with_timeout(time_limited_job: TimeLimitedJob) -> None:
    """Runs last in the session (conftest reorders it); the job was submitted by the first Slurm test."""
    runner, store, job = time_limited_job.runner, time_limited_job.store, time_limited_job.job
    assert job.backend_handle is not None and "--time=0-00:01:00" in job.submission["command"]
    deadline = time.monotonic() + 150
    while not (current := store.get_job(job.id, SYSTEM_PRINCIPAL)).state.is_terminal and time.monotonic() < deadline:
        runner.refresh(current)
        time.sleep(1)
    assert current.state is JobState.FAILED and current.error is not None, current
    assert current.error.code == "timeout" and "TIMEOUT" in current.error.message
