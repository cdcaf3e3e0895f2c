"""The job layer end to end on the real sqlite store and local storage: submit, run, observe, cancel, fail."""

from __future__ import annotations

import asyncio
import io
import math
import os
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from privsyn_platform.auth import LOCAL_PRINCIPAL, SYSTEM_PRINCIPAL, Principal
from privsyn_platform.errors import NotFoundError
from privsyn_platform.metadata_records import JobState
from web_app.job_execution import execute_confirmed_job
from web_app.job_runner import InlineJobRunner, LocalJobRunner
from web_app.job_service import JobService
from web_app.remote.base import Submission
from web_app.review.output import CsvFormat
from web_app.sessions import SessionStore
from web_app.synthesis_service import SynthesisRequest

REQUEST = SynthesisRequest("privsyn", epsilon=1.0, delta=1e-9, knobs={"update_iterations": 5}, seed=3)


class RecordingRunner:
    """A runner that only records submissions (the test then runs the job itself)."""

    name = "inline"

    def __init__(self) -> None:
        self.submitted: list[tuple[str, str]] = []

    def submit(self, job, request_key):  # type: ignore[no-untyped-def]
        self.submitted.append((job.id, request_key))
        return Submission("test", {"backend": "test"})

    async def wait(self, job_id):  # type: ignore[no-untyped-def]
        return None

    def refresh(self, job):  # type: ignore[no-untyped-def]
        return None

    def cancel(self, job):  # type: ignore[no-untyped-def]
        return None


def _service(store, storage, runner) -> JobService:  # type: ignore[no-untyped-def]
    return JobService(store, storage, runner, SessionStore(60))


def test_inline_job_succeeds_with_its_artifacts_and_ledger(store, storage, small_adult) -> None:
    table, metadata = small_adult
    service = _service(store, storage, InlineJobRunner(storage, store))
    job = service.submit(table, metadata, REQUEST, LOCAL_PRINCIPAL, csv_format=CsvFormat(null_token="?"))
    asyncio.run(asyncio.wait_for(service.wait(job.id), 60))
    view = service.get(job.id, LOCAL_PRINCIPAL)
    assert view.record.state is JobState.SUCCEEDED and view.record.progress.fraction == 1.0
    assert {a.kind for a in view.artifacts} == {"confirmed_input", "job_request", "synthetic_csv", "privacy_report"}
    assert math.isclose(sum(e.rho for e in view.ledger), view.privacy_report["rho"], rel_tol=1e-9)
    assert view.privacy_report["non_dp_columns"] == list(metadata.names)  # drafted from the data: not DP
    csv = pd.read_csv(io.BytesIO(storage.get_bytes(service.synthetic_csv_key(job.id, LOCAL_PRINCIPAL))))
    assert list(csv.columns) == list(table.columns)
    assert (csv == "?").any().any()  # missing values written with the input's null token
    session = _service(store, storage, InlineJobRunner(storage, store)).result_session(job.id, LOCAL_PRINCIPAL)
    assert len(session.real) == 2000 and list(session.synthetic.columns) == list(table.columns)


def test_other_owners_never_see_a_job(store, storage, small_adult) -> None:
    table, metadata = small_adult
    runner = RecordingRunner()
    service = _service(store, storage, runner)
    job = service.submit(table, metadata, REQUEST, Principal("alice"))
    for call in (service.get, service.cancel, service.synthetic_csv_key, service.result_session):
        with pytest.raises(NotFoundError):
            call(job.id, Principal("bob"))
    assert service.get(job.id, Principal("root", is_admin=True)).record.id == job.id


def test_a_job_cancelled_before_it_runs_never_gets_a_csv(store, storage, small_adult) -> None:
    table, metadata = small_adult
    runner = RecordingRunner()
    service = _service(store, storage, runner)
    job = service.submit(table, metadata, REQUEST, LOCAL_PRINCIPAL)
    assert service.cancel(job.id, LOCAL_PRINCIPAL).record.state is JobState.CANCELLED
    final = execute_confirmed_job(*runner.submitted[0], storage, store)
    assert final.state is JobState.CANCELLED
    with pytest.raises(NotFoundError, match="is cancelled"):
        service.synthetic_csv_key(job.id, LOCAL_PRINCIPAL)


def test_a_job_cancelled_while_running_stops_without_publishing(store, storage, small_adult) -> None:
    table, metadata = small_adult
    runner = RecordingRunner()
    service = _service(store, storage, runner)
    slow = SynthesisRequest("privsyn", 1.0, 1e-9, knobs={"update_iterations": 400}, seed=1)
    job = service.submit(table, metadata, slow, LOCAL_PRINCIPAL)
    worker = threading.Thread(target=execute_confirmed_job, args=(*runner.submitted[0], storage, store))
    worker.start()
    deadline = time.monotonic() + 30
    while store.get_job(job.id, SYSTEM_PRINCIPAL).state is not JobState.RUNNING and time.monotonic() < deadline:
        time.sleep(0.02)
    service.cancel(job.id, LOCAL_PRINCIPAL)
    worker.join(timeout=60)
    view = service.get(job.id, LOCAL_PRINCIPAL)
    assert view.record.state is JobState.CANCELLED
    assert "synthetic_csv" not in {a.kind for a in view.artifacts} and view.ledger == ()


def test_a_bad_bundle_fails_with_a_reason_and_rerunning_is_a_no_op(store, storage, small_adult) -> None:
    table, metadata = small_adult
    runner = RecordingRunner()
    service = _service(store, storage, runner)
    broken = table.copy()
    broken.loc[0, "workclass"] = "Astronaut"  # not among the confirmed categories
    service.submit(broken, metadata, REQUEST, LOCAL_PRINCIPAL)
    final = execute_confirmed_job(*runner.submitted[0], storage, store)
    assert final.state is JobState.FAILED and final.error is not None
    assert final.error.code == "invalid_job" and "workclass" in final.error.message
    assert execute_confirmed_job(*runner.submitted[0], storage, store) == final


def test_an_internal_failure_reads_as_a_sentence_with_a_reference_and_logs_the_traceback(
        store, storage, small_adult, caplog) -> None:  # type: ignore[no-untyped-def]
    table, metadata = small_adult
    runner = RecordingRunner()
    job = _service(store, storage, runner).submit(table, metadata, REQUEST, LOCAL_PRINCIPAL)
    storage.put_bytes(f"jobs/{job.id}/input.parquet", b"not parquet")  # the stored input got corrupted
    final = execute_confirmed_job(*runner.submitted[0], storage, store)
    assert final.state is JobState.FAILED and final.error is not None and final.error.code == "internal_error"
    message = final.error.message
    assert message.startswith("The run failed because of an internal error, not because of your data")
    assert "Error" not in message and "Traceback" not in message and "parquet" not in message.lower()
    reference = message.split("(reference ")[1].split(")")[0]
    assert reference.startswith(job.id[:8])
    logged = next(r for r in caplog.records if reference in r.getMessage())
    assert logged.exc_info is not None  # the details are in the log, found by the reference


def test_the_local_runner_runs_the_worker_process(settings, store, storage, small_adult) -> None:
    table, metadata = small_adult
    service = _service(store, storage, LocalJobRunner(settings, store))
    job = service.submit(table, metadata, REQUEST, LOCAL_PRINCIPAL)
    request_key = f"jobs/{job.id}/job_request.json"
    command = store.get_job(job.id, SYSTEM_PRINCIPAL).submission["command"]
    assert command[-4:] == ["--job-id", job.id, "--job-request-key", request_key]
    deadline = time.monotonic() + 90
    while not service.get(job.id, LOCAL_PRINCIPAL).record.state.is_terminal and time.monotonic() < deadline:
        time.sleep(0.1)
    view = service.get(job.id, LOCAL_PRINCIPAL)
    assert view.record.state is JobState.SUCCEEDED, (settings.state_root / "logs" / f"{job.id}.log").read_text()


def test_a_killed_worker_ends_the_job_failed(settings, store, storage, small_adult) -> None:
    table, metadata = small_adult
    runner = LocalJobRunner(settings, store)
    service = _service(store, storage, runner)
    slow = SynthesisRequest("privsyn", 1.0, 1e-9, knobs={"update_iterations": 5000}, seed=1)
    job = service.submit(table, metadata, slow, LOCAL_PRINCIPAL)
    deadline = time.monotonic() + 60
    while store.get_job(job.id, SYSTEM_PRINCIPAL).state is not JobState.RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(store.get_job(job.id, SYSTEM_PRINCIPAL).submission["pid"], 9)
    deadline = time.monotonic() + 10
    while not service.get(job.id, LOCAL_PRINCIPAL).record.state.is_terminal and time.monotonic() < deadline:
        time.sleep(0.05)
    record = service.get(job.id, LOCAL_PRINCIPAL).record
    assert record.state is JobState.FAILED and record.error is not None and record.error.code == "worker_died"
    with pytest.raises(NotFoundError):
        service.synthetic_csv_key(job.id, LOCAL_PRINCIPAL)


def test_the_worker_does_not_import_the_web_framework() -> None:
    code = "import sys, web_app.run_confirmed_job; sys.exit('fastapi' in sys.modules or 'starlette' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_cancelling_a_local_job_stops_its_process(settings, store, storage, small_adult) -> None:
    table, metadata = small_adult
    service = _service(store, storage, LocalJobRunner(settings, store))
    slow = SynthesisRequest("privsyn", 1.0, 1e-9, knobs={"update_iterations": 5000}, seed=1)
    job = service.submit(table, metadata, slow, LOCAL_PRINCIPAL)
    deadline = time.monotonic() + 60
    while store.get_job(job.id, SYSTEM_PRINCIPAL).state is not JobState.RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.cancel(job.id, LOCAL_PRINCIPAL).record.state is JobState.CANCELLED
    pid = store.get_job(job.id, SYSTEM_PRINCIPAL).submission["pid"]
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and b"zombie" not in _status(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}") or b"zombie" in _status(pid)
    record = service.get(job.id, LOCAL_PRINCIPAL).record
    assert record.state is JobState.CANCELLED  # the dead process does not turn it into "failed"


def _status(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            return status.read().lower()
    except OSError:
        return b"zombie"


def test_the_methods_progress_sentence_reaches_the_job(store, storage, small_adult) -> None:  # type: ignore[no-untyped-def]
    table, metadata = small_adult
    seen: list[str] = []
    original = store.update_progress

    def recording(job_id, principal, progress):  # type: ignore[no-untyped-def]
        seen.append(progress.message)
        return original(job_id, principal, progress)

    store.update_progress = recording
    service = _service(store, storage, InlineJobRunner(storage, store))
    aim = SynthesisRequest("aim", 1.0, 1e-9, {"max_iters": 50, "round_iters": 20}, 300)
    job = service.submit(table, metadata, aim, LOCAL_PRINCIPAL)
    asyncio.run(asyncio.wait_for(service.wait(job.id), 120))
    assert service.get(job.id, LOCAL_PRINCIPAL).record.state is JobState.SUCCEEDED
    assert any(message.startswith("round ") and "of an estimated" in message for message in seen), seen[:10]
