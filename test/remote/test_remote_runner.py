"""The shared remote runner and the Slurm control without a cluster: state mapping for every Slurm state,
reconciliation rules, rate limiting, and CLI failures (missing, non-zero, hanging) that never hang a job."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from privsyn_platform.auth import Principal
from privsyn_platform.errors import SubmissionError
from privsyn_platform.metadata_records import JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore, metadata_store_from_settings
from privsyn_platform.settings import load_settings
from web_app.job_runner import make_job_runner
from web_app.remote.base import RemoteStatus, Submission
from web_app.remote.process import run_cli
from web_app.remote.runner import RemoteJobRunner
from web_app.slurm_control import SLURM_STATES, SlurmControl, parse_sbatch_id, parse_scontrol, slurm_status

OWNER = Principal(subject="alice")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MetadataStore]:
    store = metadata_store_from_settings(load_settings(state_root=tmp_path / "state"))
    yield store
    store.dispose()


def new_job(store: MetadataStore, state: JobState = JobState.QUEUED) -> JobRecord:
    job = store.create_job(OWNER, method="privsyn", params={}, backend="fake")
    if state is not JobState.QUEUED:
        store.transition_job(job.id, OWNER, state)
    return store.record_submission(job.id, OWNER, backend_handle="42", diagnostics={})


class FakeControl:
    backend: ClassVar[str] = "fake"

    def __init__(self, status: RemoteStatus | None = None, error: SubmissionError | None = None) -> None:
        self.next_status, self.error, self.calls = status, error, []  # type: list[str]

    def submit(self, job_id: str, request_key: str) -> Submission:
        if self.error:
            raise self.error
        return Submission("42", {"backend": self.backend})

    def status(self, handle: str) -> RemoteStatus | None:
        self.calls.append(handle)
        if self.error:
            raise self.error
        return self.next_status

    def cancel(self, handle: str) -> None:
        self.calls.append(f"cancel {handle}")
        if self.error:
            raise self.error


# --- Slurm state mapping -----------------------------------------------------------------------------
EXPECTED = {"PENDING": JobState.QUEUED, "RUNNING": JobState.RUNNING, "COMPLETED": JobState.SUCCEEDED,
            "FAILED": JobState.FAILED, "TIMEOUT": JobState.FAILED, "OUT_OF_MEMORY": JobState.FAILED,
            "NODE_FAIL": JobState.FAILED, "CANCELLED": JobState.CANCELLED}


@pytest.mark.parametrize(("slurm", "ours"), EXPECTED.items())
def test_every_listed_slurm_state_maps(slurm: str, ours: JobState) -> None:
    status = slurm_status(slurm)
    assert (status.state, status.reason) == (ours, slurm)


def test_slurm_state_details_and_unknown_states() -> None:
    assert all(slurm_status(name).state is state for name, state in SLURM_STATES.items())
    assert slurm_status("CANCELLED+ by 0").state is JobState.CANCELLED
    line = "JobId=7 JobName=privsyn-x JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15"
    assert parse_scontrol(line) == RemoteStatus(JobState.FAILED, "TIMEOUT", "reason TimeLimit, exit code 0:15")
    with pytest.raises(SubmissionError, match="unknown Slurm job state 'WEIRD'"):
        slurm_status("WEIRD")
    with pytest.raises(SubmissionError, match="no JobState"):
        parse_scontrol("garbage")
    with pytest.raises(SubmissionError, match="no job id"):
        parse_sbatch_id("sbatch: error: nope")


# --- reconciliation -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "state", "code"), [
    (RemoteStatus(JobState.QUEUED, "PENDING"), JobState.QUEUED, None),
    (RemoteStatus(JobState.RUNNING, "RUNNING"), JobState.QUEUED, None),  # the worker writes running itself
    (RemoteStatus(JobState.SUCCEEDED, "COMPLETED"), JobState.FAILED, "worker_incomplete"),
    (RemoteStatus(JobState.FAILED, "OUT_OF_MEMORY", "exit code 0:9"), JobState.FAILED, "out_of_memory"),
    (RemoteStatus(JobState.FAILED, "TIMEOUT"), JobState.FAILED, "timeout"),
    (RemoteStatus(JobState.CANCELLED, "CANCELLED"), JobState.CANCELLED, None),
    (None, JobState.FAILED, "lost"),
])
def test_reconcile(store: MetadataStore, status: RemoteStatus | None, state: JobState, code: str | None) -> None:
    job = new_job(store)
    RemoteJobRunner(FakeControl(status), store).refresh(job)
    after = store.get_job(job.id, OWNER)
    assert after.state is state and (after.error.code if after.error else None) == code


def test_a_final_state_written_by_the_worker_stands(store: MetadataStore) -> None:
    job = new_job(store, JobState.RUNNING)
    store.transition_job(job.id, OWNER, JobState.SUCCEEDED)
    RemoteJobRunner(FakeControl(RemoteStatus(JobState.FAILED, "FAILED")), store).reconcile(job.id, "42", None)
    assert store.get_job(job.id, OWNER).state is JobState.SUCCEEDED


def test_refresh_asks_the_scheduler_at_most_once_per_interval(store: MetadataStore) -> None:
    now = [100.0]
    control = FakeControl(RemoteStatus(JobState.QUEUED, "PENDING"))
    runner = RemoteJobRunner(control, store, min_refresh_s=2.0, clock=lambda: now[0])
    job = new_job(store)
    for _ in range(10):
        runner.refresh(job)
    now[0] += 2.5
    runner.refresh(job)
    assert control.calls == ["42", "42"]


def test_submission_failure_marks_the_job_failed_with_the_message(store: MetadataStore) -> None:
    job = store.create_job(OWNER, method="privsyn", params={}, backend="fake")
    runner = RemoteJobRunner(FakeControl(error=SubmissionError("sbatch exited with status 1: no partition")), store)
    submission = runner.submit(job, "jobs/x/job_request.json")
    failed = store.get_job(job.id, OWNER)
    assert submission.backend_handle is None and submission.diagnostics["error"].startswith("sbatch exited")
    assert failed.state is JobState.FAILED and failed.error is not None
    assert failed.error.code == "submission_failed"
    assert failed.error.message == "sbatch exited with status 1: no partition"


def test_an_unreachable_scheduler_changes_nothing(store: MetadataStore) -> None:
    job = new_job(store)
    runner = RemoteJobRunner(FakeControl(error=SubmissionError("scontrol did not answer within 30 s")), store)
    runner.refresh(job)
    runner.cancel(job)  # logged, not raised: the job is cancelled for us anyway
    assert store.get_job(job.id, OWNER).state is JobState.QUEUED


# --- the CLI boundary -------------------------------------------------------------------------------------
def test_run_cli_turns_every_failure_into_a_submission_error() -> None:
    with pytest.raises(SubmissionError, match="no-such-tool is not installed"):
        run_cli(["no-such-tool"], {"PATH": "/usr/bin:/bin"})
    with pytest.raises(SubmissionError, match="sleep did not answer within 0.2 s"):
        run_cli(["sleep", "5"], {"PATH": "/usr/bin:/bin"}, timeout_s=0.2)
    with pytest.raises(SubmissionError, match="sh exited with status 3: boom"):
        run_cli(["sh", "-c", "echo boom >&2; exit 3"], {"PATH": "/usr/bin:/bin"})
    assert run_cli(["sh", "-c", "exit 4"], {}, check=False).returncode == 4


def _fake_tool(directory: Path, name: str, body: str) -> None:
    directory.mkdir(exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


@pytest.mark.parametrize(("body", "message"), [("sleep 10", "sbatch did not answer within 0.3 s"),
                                               ("echo 'sbatch: error: Batch job submission failed' >&2; exit 1",
                                                "sbatch exited with status 1: sbatch: error: Batch job")])
def test_a_hanging_or_failing_sbatch_fails_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   store: MetadataStore, body: str, message: str) -> None:
    _fake_tool(tmp_path / "bin", "sbatch", body)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    settings = load_settings(state_root=tmp_path / "state", job_backend="slurm", slurm={"partition": "debug"})
    runner = RemoteJobRunner(SlurmControl(settings, timeout_s=0.3), store)
    job = store.create_job(OWNER, method="privsyn", params={}, backend="slurm")
    runner.submit(job, f"jobs/{job.id}/job_request.json")
    failed = store.get_job(job.id, OWNER)
    assert failed.state is JobState.FAILED and failed.error is not None and message in failed.error.message
    script = tmp_path / "state" / "slurm" / f"{job.id}.sbatch"
    assert stat.S_IMODE(script.stat().st_mode) == 0o600


def test_the_factory_builds_the_slurm_runner(tmp_path: Path, store: MetadataStore) -> None:
    settings = load_settings(state_root=tmp_path / "state", job_backend="slurm", slurm={"partition": "debug"})
    runner = make_job_runner(settings, None, store)  # type: ignore[arg-type]
    assert runner.name == "slurm" and isinstance(runner, RemoteJobRunner)


def test_the_factory_builds_the_cloud_runners_without_contacting_them(tmp_path: Path, store: MetadataStore) -> None:
    shared = {"metadata_backend": "postgres", "database_url": "postgresql://u:p@db/x", "storage_backend": "s3",
              "s3": {"bucket": "b"}}
    batch = load_settings(**shared, job_backend="aws_batch",
                          aws_batch={"job_queue": "q", "job_definition": "d", "region": "us-east-1"})
    run = load_settings(**shared, job_backend="cloud_run", cloud_run={"project": "p", "region": "r", "job": "j"})
    assert make_job_runner(batch, None, store).name == "aws_batch"  # type: ignore[arg-type]
    assert make_job_runner(run, None, store).name == "cloud_run"  # type: ignore[arg-type]
