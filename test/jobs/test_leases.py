"""Leases and the job timeout: a job whose holder is lost or stopped, or that runs too long, ends ``failed``
within a bounded time on every backend (issue #19, High 5), and listings show it without a fetch."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from privsyn_platform.auth import LOCAL_PRINCIPAL, SYSTEM_PRINCIPAL, Principal
from privsyn_platform.errors import ConflictError
from privsyn_platform.metadata_records import JobProgress, JobState
from privsyn_platform.metadata_store import metadata_store_from_settings
from privsyn_platform.settings import Settings, load_settings
from web_app.job_runner import InlineJobRunner, LocalJobRunner
from web_app.job_service import JobService
from web_app.sessions import SessionStore
from web_app.synthesis_service import SynthesisRequest

SLOW = SynthesisRequest("privsyn", 1.0, 1e-9, knobs={"update_iterations": 5000}, seed=1)
ADMIN = Principal("root", is_admin=True)


class Clock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _until(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _pid(store, job_id: str) -> int:  # type: ignore[no-untyped-def]
    _until(lambda: "pid" in store.get_job(job_id, SYSTEM_PRINCIPAL).submission)
    return int(store.get_job(job_id, SYSTEM_PRINCIPAL).submission["pid"])


def _gone(pid: int) -> bool:
    try:
        return "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True


def test_a_job_whose_lease_runs_out_fails_worker_lost_and_stays_failed(tmp_path: Path) -> None:
    clock = Clock()
    store = metadata_store_from_settings(load_settings(state_root=tmp_path), clock=clock)
    job = store.create_job(LOCAL_PRINCIPAL, method="privsyn", params={}, backend="inline",
                           lease=timedelta(seconds=10))
    store.transition_job(job.id, SYSTEM_PRINCIPAL, JobState.RUNNING, lease=timedelta(seconds=10))
    assert store.reap_jobs(timedelta(hours=1)) == []
    clock.offset = timedelta(seconds=11)
    [reaped] = store.reap_jobs(timedelta(hours=1))
    assert reaped.id == job.id and reaped.state is JobState.FAILED and reaped.error is not None
    assert reaped.error.code == "worker_lost"
    with pytest.raises(ConflictError):  # the late worker cannot revive it
        store.update_progress(job.id, SYSTEM_PRINCIPAL, JobProgress("fit", 0.5))
    store.dispose()


def test_a_sigstopped_local_worker_fails_worker_lost_within_its_lease(tmp_path: Path, small_adult) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(state_root=tmp_path / "state", job_lease_s=2)
    store = metadata_store_from_settings(settings)
    runner = LocalJobRunner(settings, store)
    service = JobService(store, storage_of(settings), runner, SessionStore(60), lease_s=2)
    job = service.submit(*small_adult, SLOW, LOCAL_PRINCIPAL)
    _until(lambda: store.get_job(job.id, SYSTEM_PRINCIPAL).state is JobState.RUNNING)
    pid = _pid(store, job.id)
    os.kill(pid, signal.SIGSTOP)
    try:
        stopped = time.monotonic()
        _until(lambda: service.get(job.id, LOCAL_PRINCIPAL).record.state.is_terminal, timeout=20)
        record = service.get(job.id, LOCAL_PRINCIPAL).record
        assert record.error is not None and record.error.code == "worker_lost", record
        assert time.monotonic() - stopped < 2 + 2  # the lease plus one beat of slack
        _until(lambda: _gone(pid), timeout=10)  # and the stopped worker was killed
    finally:
        if not _gone(pid):
            os.killpg(pid, signal.SIGKILL)
        runner.shutdown()
        store.dispose()


@pytest.mark.parametrize("backend", ["inline", "local"])
def test_the_job_timeout_is_enforced_for_inline_and_local_jobs(tmp_path: Path, small_adult, backend: str) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(state_root=tmp_path / "state", job_backend=backend, job_timeout_min=1)
    clock = Clock()
    store = metadata_store_from_settings(settings, clock=clock)
    storage = storage_of(settings)
    runner = InlineJobRunner(storage, store) if backend == "inline" else LocalJobRunner(settings, store)
    service = JobService(store, storage, runner, SessionStore(60), timeout_min=1)
    job = service.submit(*small_adult, SLOW, LOCAL_PRINCIPAL)
    _until(lambda: store.get_job(job.id, SYSTEM_PRINCIPAL).state is JobState.RUNNING)
    clock.offset = timedelta(minutes=1, seconds=1)
    [reaped] = service.reap()
    assert reaped.id == job.id and reaped.error is not None and reaped.error.code == "timeout"
    assert "1 minutes" in reaped.error.message
    if backend == "local":
        pid = int(store.get_job(job.id, SYSTEM_PRINCIPAL).submission["pid"])
        _until(lambda: _gone(pid), timeout=10)
    else:  # the inline thread stops at its next progress report
        _until(lambda: not runner.queued() and not runner._futures, timeout=30)
    assert store.get_job(job.id, SYSTEM_PRINCIPAL).state is JobState.FAILED
    runner.shutdown()
    store.dispose()


def test_the_job_list_shows_a_killed_worker_failed_without_fetching_the_job(
        settings: Settings, store, storage, small_adult) -> None:  # type: ignore[no-untyped-def]
    runner = LocalJobRunner(settings, store)
    service = JobService(store, storage, runner, SessionStore(60))
    job = service.submit(*small_adult, SLOW, LOCAL_PRINCIPAL)
    _until(lambda: store.get_job(job.id, SYSTEM_PRINCIPAL).state is JobState.RUNNING)
    pid = _pid(store, job.id)
    os.killpg(pid, signal.SIGKILL)
    _until(lambda: _gone(pid), timeout=10)
    _until(lambda: service.list(LOCAL_PRINCIPAL)[0].state.is_terminal, timeout=5)  # only the list is asked
    [listed] = service.list(LOCAL_PRINCIPAL)
    assert listed.state is JobState.FAILED and listed.error is not None and listed.error.code == "worker_died"
    runner.shutdown()


def test_users_do_not_see_the_workers_command_or_pid_admins_do(settings, store, storage, small_adult) -> None:  # type: ignore[no-untyped-def]
    runner = LocalJobRunner(settings, store)
    service = JobService(store, storage, runner, SessionStore(60))
    job = service.submit(*small_adult, SynthesisRequest("privsyn", 1.0, 1e-9, knobs={"update_iterations": 5}),
                         LOCAL_PRINCIPAL)
    _until(lambda: service.get(job.id, LOCAL_PRINCIPAL).record.state.is_terminal, timeout=90)
    for seen in (job, service.get(job.id, LOCAL_PRINCIPAL).record, service.list(LOCAL_PRINCIPAL)[0]):
        assert seen.submission == {"backend": "local"}, seen.submission
    admin = service.get(job.id, ADMIN).record.submission
    assert admin["pid"] > 0 and admin["command"][0] == os.sys.executable  # type: ignore[attr-defined]
    runner.shutdown()


def storage_of(settings: Settings):  # type: ignore[no-untyped-def]
    from privsyn_platform.object_storage import storage_from_settings
    return storage_from_settings(settings)
