"""Cloud Run with the real ``gcloud`` against the project's fake Admin API (scripts/fake_cloud_run.py, reached
as an HTTP proxy): what gcloud sends carries the job id, the request key and the worker environment;
describe and cancel map states; and the mapping of every execution outcome."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.metadata_records import JobState
from privsyn_platform.metadata_store import MetadataStore, metadata_store_from_settings
from privsyn_platform.settings import Settings, load_settings
from web_app.cloud_run_control import CloudRunControl, cloud_run_status
from web_app.remote.runner import RemoteJobRunner

ROOT = Path(__file__).resolve().parents[2]
FAKE = ROOT / "scripts" / "fake_cloud_run.py"
PREFIX = "tenant a, b; $(x)"  # a comma and shell syntax inside a worker variable


def _condition(status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    return {"conditions": [{"type": "Completed", "status": status, "reason": reason, "message": message}]}


@pytest.mark.parametrize(("execution_status", "state", "word"), [
    ({}, JobState.QUEUED, "PENDING"),
    ({"conditions": [{"type": "Completed", "status": "Unknown"}]}, JobState.QUEUED, "PENDING"),
    ({"runningCount": 1, **_condition("Unknown")}, JobState.RUNNING, "RUNNING"),
    ({"succeededCount": 1, **_condition("True")}, JobState.SUCCEEDED, "COMPLETED"),
    ({"failedCount": 1, **_condition("False", "ContainerError", "exit code 1")}, JobState.FAILED, "FAILED"),
    (_condition("False", "DeadlineExceeded", "The configured timeout was reached."), JobState.FAILED, "TIMEOUT"),
    (_condition("False", "ContainerError", "Memory limit of 512 MiB exceeded"), JobState.FAILED, "OUT_OF_MEMORY"),
    (_condition("False", "InfrastructureError", "its instance failed"), JobState.FAILED, "NODE_FAIL"),
    ({"cancelledCount": 1, **_condition("False", "Cancelled")}, JobState.CANCELLED, "CANCELLED"),
])
def test_execution_states_map(execution_status: dict[str, Any], state: JobState, word: str) -> None:
    mapped = cloud_run_status({"status": execution_status})
    assert (mapped.state, mapped.reason) == (state, word)


@pytest.fixture(scope="module")
def fake_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fake Admin API on a free 127.0.0.1 port; yields its base URL; stopped by PID."""
    base = tmp_path_factory.mktemp("fake-cloud-run")
    port_file = base / "port"
    process = subprocess.Popen([sys.executable, str(FAKE), str(port_file)], stdout=subprocess.DEVNULL,
                               stderr=(base / "log").open("wb"))
    try:
        deadline = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text()) and time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"fake_cloud_run.py exited: {(base / 'log').read_text()}", pytrace=False)
            time.sleep(0.05)
        if not port_file.exists():
            pytest.fail("fake_cloud_run.py did not start within 10 s", pytrace=False)
        yield f"http://127.0.0.1:{port_file.read_text()}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def gcloud_env(fake_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gcloud's own machine configuration: a private config dir, any token, the fake as HTTP proxy."""
    token = tmp_path / "token"
    token.write_text("fake-token")
    for name, value in {"CLOUDSDK_CONFIG": str(tmp_path / "gcloud"), "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token),
                        "CLOUDSDK_PROXY_TYPE": "http", "CLOUDSDK_PROXY_ADDRESS": "127.0.0.1",
                        "CLOUDSDK_PROXY_PORT": fake_api.rsplit(":", 1)[1],
                        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "1"}.items():
        monkeypatch.setenv(name, value)


def cloud_run_settings(tmp_path: Path, **section: str) -> Settings:
    return load_settings(
        state_root=tmp_path / "state", metadata_backend="postgres", database_url="postgresql://u:p@db:5432/privsyn",
        storage_backend="s3", s3={"bucket": "privsyn", "prefix": PREFIX}, job_backend="cloud_run",
        cloud_run={"project": "demo-proj", "region": "europe-west1", "job": "privsyn-worker",
                   "api_endpoint": "http://run.fake/", **section})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MetadataStore]:
    store = metadata_store_from_settings(load_settings(state_root=tmp_path / "store"))
    yield store
    store.dispose()


def submitted(runner: RemoteJobRunner, store: MetadataStore) -> tuple[str, str]:
    job = store.create_job(SYSTEM_PRINCIPAL, method="privsyn", params={}, backend="cloud_run")
    key = f"jobs/{job.id}/job_request.json"
    submission = runner.submit(job, key)
    store.record_submission(job.id, SYSTEM_PRINCIPAL, backend_handle=submission.backend_handle,
                            diagnostics=submission.diagnostics)
    return job.id, key


@pytest.mark.cloud_run
def test_gcloud_sends_the_job_id_key_and_worker_environment(fake_api: str, gcloud_env: None, tmp_path: Path,
                                                            store: MetadataStore) -> None:
    runner = RemoteJobRunner(CloudRunControl(cloud_run_settings(tmp_path)), store, min_refresh_s=0)
    job_id, key = submitted(runner, store)
    job = store.get_job(job_id, SYSTEM_PRINCIPAL)
    assert job.state is JobState.QUEUED and job.backend_handle and job.backend_handle.startswith("privsyn-worker-")
    assert job.submission["command"][:4] == ["gcloud", "run", "jobs", "execute"]
    run = next(r for r in httpx.get(f"{fake_api}/fake/requests").json() if r["url"].split("?")[0].endswith(":run"))
    assert run["url"].startswith("http://europe-west1-run.fake/apis/run.googleapis.com/v1/namespaces/demo-proj/")
    assert run["authorization"] == "Bearer fake-"
    overrides = json.loads(run["body"])["overrides"]
    container = overrides["containerOverrides"][0]
    assert container["args"] == ["-m", "web_app.run_confirmed_job", "--job-id", job_id, "--job-request-key", key]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["PRIVSYN_S3__PREFIX"] == PREFIX and env["PRIVSYN_DATABASE_URL"].endswith("@db:5432/privsyn")
    assert overrides["timeoutSeconds"] == 3600


@pytest.mark.cloud_run
@pytest.mark.parametrize(("fake_state", "state", "code"), [
    ("queued", JobState.QUEUED, None), ("running", JobState.QUEUED, None),
    ("succeeded", JobState.FAILED, "worker_incomplete"), ("failed", JobState.FAILED, "failed"),
    ("timeout", JobState.FAILED, "timeout"), ("out_of_memory", JobState.FAILED, "out_of_memory"),
    ("node_fail", JobState.FAILED, "node_fail"), ("cancelled", JobState.CANCELLED, None),
])
def test_describe_maps_states(fake_api: str, gcloud_env: None, tmp_path: Path, store: MetadataStore,
                              fake_state: str, state: JobState, code: str | None) -> None:
    runner = RemoteJobRunner(CloudRunControl(cloud_run_settings(tmp_path)), store, min_refresh_s=0)
    job_id, _ = submitted(runner, store)
    job = store.get_job(job_id, SYSTEM_PRINCIPAL)
    httpx.put(f"{fake_api}/fake/executions/{job.backend_handle}", json={"state": fake_state}).raise_for_status()
    runner.refresh(job)
    after = store.get_job(job_id, SYSTEM_PRINCIPAL)
    assert after.state is state and (after.error.code if after.error else None) == code


@pytest.mark.cloud_run
def test_cancel_reaches_the_execution(fake_api: str, gcloud_env: None, tmp_path: Path, store: MetadataStore) -> None:
    control = CloudRunControl(cloud_run_settings(tmp_path))
    runner = RemoteJobRunner(control, store, min_refresh_s=0)
    job_id, _ = submitted(runner, store)
    job = store.transition_job(job_id, SYSTEM_PRINCIPAL, JobState.CANCELLED)
    runner.cancel(job)
    assert job.backend_handle is not None
    assert control.status(job.backend_handle) == cloud_run_status(
        {"status": {"cancelledCount": 1, **_condition("False", "Cancelled", "Execution was cancelled.")}})
    cancels = [r for r in httpx.get(f"{fake_api}/fake/requests").json() if ":cancel" in r["url"]]
    assert cancels and cancels[-1]["url"].split("?")[0].endswith(f"/executions/{job.backend_handle}:cancel")
    assert control.status("privsyn-worker-nope") is None


@pytest.mark.cloud_run
def test_a_missing_gcloud_fails_the_job_with_its_message(tmp_path: Path, store: MetadataStore) -> None:
    settings = cloud_run_settings(tmp_path, gcloud=str(tmp_path / "no-gcloud"))
    runner = RemoteJobRunner(CloudRunControl(settings), store)
    job_id, _ = submitted(runner, store)
    failed = store.get_job(job_id, SYSTEM_PRINCIPAL)
    assert failed.state is JobState.FAILED and failed.error is not None
    assert failed.error.code == "submission_failed" and "is not installed" in failed.error.message
