"""AWS Batch against moto's server (Batch in no-Docker mode, started by scripts/services.sh): submit, describe,
cancel, terminate, a job moto fails; the submitted command and environment run a real worker; and the
state mapping for every Batch status and failure cause."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from bench.live_server import free_port
from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.errors import SubmissionError
from privsyn_platform.metadata_records import JobState
from privsyn_platform.metadata_store import metadata_store_from_settings
from privsyn_platform.settings import Settings, load_settings
from test.conftest import SERVICES_SCRIPT, Services
from test.remote.conftest import confirm, runner_submission
from web_app.aws_batch_control import CANCEL_REASON, AwsBatchControl, batch_status, cancel_action
from web_app.main import create_app
from web_app.remote.runner import RemoteJobRunner

REGION = "us-east-1"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION}


# --- pure mapping -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "reason", "container", "state", "word"), [
    ("SUBMITTED", "", "", JobState.QUEUED, "SUBMITTED"),
    ("PENDING", "", "", JobState.QUEUED, "PENDING"),
    ("RUNNABLE", "", "", JobState.QUEUED, "RUNNABLE"),
    ("STARTING", "", "", JobState.RUNNING, "STARTING"),
    ("RUNNING", "", "", JobState.RUNNING, "RUNNING"),
    ("SUCCEEDED", "Essential container in task exited", "", JobState.SUCCEEDED, "SUCCEEDED"),
    ("FAILED", "Essential container in task exited", "", JobState.FAILED, "FAILED"),
    ("FAILED", "Job attempt duration exceeded timeout", "", JobState.FAILED, "TIMEOUT"),
    ("FAILED", "Essential container in task exited", "OutOfMemoryError: Container killed due to memory usage",
     JobState.FAILED, "OUT_OF_MEMORY"),
    ("FAILED", "Host EC2 (instance i-0abc) terminated.", "", JobState.FAILED, "NODE_FAIL"),
    ("FAILED", CANCEL_REASON, "", JobState.CANCELLED, "CANCELLED"),
])
def test_batch_states_map(status: str, reason: str, container: str, state: JobState, word: str) -> None:
    mapped = batch_status(status, reason, container)
    assert (mapped.state, mapped.reason) == (state, word)


def test_unknown_batch_status_and_cancel_actions() -> None:
    with pytest.raises(SubmissionError, match="unknown AWS Batch job status 'ZOMBIE'"):
        batch_status("ZOMBIE")
    assert [cancel_action(s) for s in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "FAILED")] == \
        ["cancel_job"] * 3 + ["terminate_job"] * 2 + [None]


class RecordingBatch:
    """Stands in for boto3's client to show which call stops a job in each state."""

    def __init__(self, status: str) -> None:
        self.status, self.calls = status, []  # type: list[tuple[str, dict[str, Any]]]

    def describe_jobs(self, jobs: list[str]) -> dict[str, Any]:
        return {"jobs": [{"jobId": jobs[0], "status": self.status}]}

    def cancel_job(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("cancel_job", kwargs))
        return {}

    def terminate_job(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("terminate_job", kwargs))
        return {}


@pytest.mark.parametrize(("status", "call"), [("RUNNABLE", "cancel_job"), ("RUNNING", "terminate_job"),
                                              ("SUCCEEDED", None)])
def test_cancel_uses_cancel_job_when_queued_and_terminate_job_when_running(status: str, call: str | None) -> None:
    client = RecordingBatch(status)
    settings = load_settings(metadata_backend="postgres", database_url="postgresql://u:p@h/d", storage_backend="s3",
                             s3={"bucket": "b"}, job_backend="aws_batch",
                             aws_batch={"job_queue": "q", "job_definition": "d", "region": REGION})
    AwsBatchControl(settings, client=client).cancel("job-1")
    assert client.calls == ([(call, {"jobId": "job-1", "reason": CANCEL_REASON})] if call else [])


# --- against moto -------------------------------------------------------------------------------------------
def batch_environment(endpoint: str) -> tuple[str, str]:
    """A compute environment, queue and job definition in moto; returns (queue, definition)."""
    name = f"privsyn-{uuid.uuid4().hex[:8]}"
    iam = boto3.client("iam", region_name=REGION, endpoint_url=endpoint, **_keys())
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
    batch = boto3.client("batch", region_name=REGION, endpoint_url=endpoint, **_keys())
    batch.create_compute_environment(computeEnvironmentName=name, type="UNMANAGED", state="ENABLED",
                                     serviceRole=role["Role"]["Arn"])
    batch.create_job_queue(jobQueueName=name, state="ENABLED", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": name}])
    batch.register_job_definition(jobDefinitionName=name, type="container", containerProperties={
        "image": "privsyn-service:latest", "command": ["python", "-m", "web_app.run_confirmed_job"],
        "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "1024"}]})
    return name, name


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def _no_docker(endpoint: str) -> None:
    httpx.post(f"{endpoint}/moto-api/config", json={"batch": {"use_docker": False}}, timeout=10).raise_for_status()


def batch_settings(services: Services, database_url: str, endpoint: str, tmp_path: Path) -> Settings:
    queue, definition = batch_environment(endpoint)
    return load_settings(
        state_root=tmp_path / "state", metadata_backend="postgres", database_url=database_url,
        storage_backend="s3", s3={"bucket": services.s3_bucket, "endpoint_url": services.s3_endpoint_url,
                                  "prefix": f"batch-{uuid.uuid4().hex[:6]}", "access_key_id": "test",
                                  "secret_access_key": "test"},
        job_backend="aws_batch", aws_batch={"job_queue": queue, "job_definition": definition, "region": REGION,
                                            "endpoint_url": endpoint})


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def failing_moto() -> Iterator[str]:
    """A second moto server, started by scripts/services.sh with MOTO_SIMPLE_BATCH_FAIL_AFTER=0: every job fails."""
    base = tempfile.mkdtemp(prefix="privsyn-moto-fail-", dir="/tmp")
    env = {**os.environ, "PRIVSYN_SERVICES_DIR": base, "PRIVSYN_S3_PORT": str(free_port()),
           "PRIVSYN_PYTHON": sys.executable, "MOTO_SIMPLE_BATCH_FAIL_AFTER": "0"}
    result = subprocess.run([str(SERVICES_SCRIPT), "start", "s3"], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    try:
        if result.returncode != 0:
            pytest.fail(f"scripts/services.sh start s3 failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
        endpoint = dict(line.split("=", 1) for line in result.stdout.splitlines())["PRIVSYN_S3__ENDPOINT_URL"]
        _no_docker(endpoint)
        yield endpoint
    finally:
        subprocess.run([str(SERVICES_SCRIPT), "stop", "s3"], env=env, capture_output=True, timeout=60, check=False)
        shutil.rmtree(base, ignore_errors=True)




@pytest.mark.aws_batch
@pytest.mark.postgres
@pytest.mark.s3
def test_a_job_submitted_to_batch_runs_the_submitted_command(services: Services, postgres_url: str,
                                                             tmp_path: Path, aws_env: None) -> None:
    """moto accepts the job but runs nothing; we run the container's command and environment as Batch would."""
    _no_docker(services.s3_endpoint_url)
    settings = batch_settings(services, postgres_url, services.s3_endpoint_url, tmp_path)
    with TestClient(create_app(settings)) as client:
        job = confirm(client)
        assert job["backend"] == "aws_batch" and job["status"] == "queued", job
        submission = runner_submission(client.app.state.services.store, job["job_id"])
        assert submission["command"][:3] == ["aws", "batch", "submit-job"]
        batch = boto3.client("batch", region_name=REGION, endpoint_url=services.s3_endpoint_url, **_keys())
        described = batch.describe_jobs(jobs=[submission["remote_id"]])["jobs"][0]
        assert described["jobName"] == f"privsyn-{job['job_id']}" and described["status"] == "SUCCEEDED"
        overrides = json.loads(submission["command"][submission["command"].index("--container-overrides") + 1])
        secret_free = {item["name"]: item["value"] for item in overrides["environment"]}
        assert secret_free["PRIVSYN_DATABASE_URL"] == "<redacted>"
        container_env = {**secret_free, "PRIVSYN_DATABASE_URL": postgres_url, "PRIVSYN_S3__SECRET_ACCESS_KEY": "test"}
        command = [sys.executable, *overrides["command"][1:]]
        done = subprocess.run(command, env={"PATH": os.environ["PATH"], **container_env}, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        finished = client.get(f"/jobs/{job['job_id']}").json()
        assert finished["status"] == "succeeded", finished
        assert client.get(finished["download_url"]).status_code == 200


@pytest.mark.aws_batch
@pytest.mark.postgres
@pytest.mark.s3
def test_batch_success_without_a_worker_result_is_worker_incomplete_and_cancel_terminate_reach_moto(
        services: Services, postgres_url: str, tmp_path: Path, aws_env: None) -> None:
    _no_docker(services.s3_endpoint_url)
    settings = batch_settings(services, postgres_url, services.s3_endpoint_url, tmp_path)
    store = metadata_store_from_settings(settings)
    try:
        control = AwsBatchControl(settings)
        runner = RemoteJobRunner(control, store, min_refresh_s=0)
        job = store.create_job(SYSTEM_PRINCIPAL, method="privsyn", params={}, backend="aws_batch")
        submission = runner.submit(job, f"jobs/{job.id}/job_request.json")
        job = store.record_submission(job.id, SYSTEM_PRINCIPAL, backend_handle=submission.backend_handle,
                                      diagnostics=submission.diagnostics)
        assert control.status(str(job.backend_handle)) == batch_status("SUCCEEDED")
        runner.refresh(job)
        after = store.get_job(job.id, SYSTEM_PRINCIPAL)
        assert after.state is JobState.FAILED and after.error is not None
        assert after.error.code == "worker_incomplete"
        for call in ("cancel_job", "terminate_job"):  # real requests, validated by botocore and accepted by moto
            control._call(call, jobId=str(job.backend_handle), reason=CANCEL_REASON)
        control.cancel(str(job.backend_handle))  # finished: nothing to stop
        assert control.status("no-such-job") is None
    finally:
        store.dispose()


@pytest.mark.aws_batch
@pytest.mark.postgres
@pytest.mark.s3
def test_a_job_moto_fails_is_failed(services: Services, postgres_url: str, failing_moto: str, tmp_path: Path,
                                    aws_env: None) -> None:
    settings = batch_settings(services, postgres_url, failing_moto, tmp_path)
    store = metadata_store_from_settings(settings)
    try:
        runner = RemoteJobRunner(AwsBatchControl(settings), store, min_refresh_s=0)
        job = store.create_job(SYSTEM_PRINCIPAL, method="privsyn", params={}, backend="aws_batch")
        submission = runner.submit(job, f"jobs/{job.id}/job_request.json")
        job = store.record_submission(job.id, SYSTEM_PRINCIPAL, backend_handle=submission.backend_handle,
                                      diagnostics=submission.diagnostics)
        runner.refresh(job)
        failed = store.get_job(job.id, SYSTEM_PRINCIPAL)
        assert failed.state is JobState.FAILED and failed.error is not None and failed.error.code == "failed"
    finally:
        store.dispose()


@pytest.mark.aws_batch
def test_an_unreachable_batch_endpoint_fails_submission_quickly(tmp_path: Path, aws_env: None) -> None:
    settings = load_settings(metadata_backend="postgres", database_url="postgresql://u:p@h/d", storage_backend="s3",
                             s3={"bucket": "b"}, job_backend="aws_batch",
                             aws_batch={"job_queue": "q", "job_definition": "d", "region": REGION,
                                        "endpoint_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(SubmissionError, match="AWS Batch submit_job failed"):
        AwsBatchControl(settings).submit("0123abcd", "jobs/0123abcd/job_request.json")
