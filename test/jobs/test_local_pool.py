"""The local backend is a bounded pool with a queue, and its workers get PRIVSYN_JOB_CPUS / PRIVSYN_JOB_MEM_GB
(issue #19, Medium 8: one process per confirm, unbounded, took 20 confirms to 5.9 GB)."""

from __future__ import annotations

import time
from pathlib import Path

from privsyn_platform.auth import LOCAL_PRINCIPAL, SYSTEM_PRINCIPAL
from privsyn_platform.metadata_records import JobState
from privsyn_platform.metadata_store import metadata_store_from_settings
from privsyn_platform.object_storage import storage_from_settings
from privsyn_platform.settings import load_settings
from web_app.job_runner import LocalJobRunner
from web_app.job_service import JobService
from web_app.sessions import SessionStore
from web_app.synthesis_service import SynthesisRequest

QUICK = SynthesisRequest("privsyn", 1.0, 1e-9, knobs={"update_iterations": 5}, seed=3)


def test_the_local_pool_runs_at_most_its_workers_and_queues_the_rest(tmp_path: Path, small_adult) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(state_root=tmp_path / "state", job_backend="local", local_workers=1, job_cpus=1,
                             job_mem_gb=3)
    store = metadata_store_from_settings(settings)
    runner = LocalJobRunner(settings, store)
    service = JobService(store, storage_from_settings(settings), runner, SessionStore(60))
    jobs = [service.submit(*small_adult, QUICK, LOCAL_PRINCIPAL) for _ in range(3)]
    assert [job.submission.get("queued", False) for job in jobs] == [False, True, True]
    assert runner.queued() == [jobs[1].id, jobs[2].id]
    limits_checked, most = False, 0
    deadline = time.monotonic() + 120
    while not all(store.get_job(j.id, SYSTEM_PRINCIPAL).state.is_terminal for j in jobs):
        assert time.monotonic() < deadline, [store.get_job(j.id, SYSTEM_PRINCIPAL).state for j in jobs]
        running = runner.running()
        most = max(most, len(running))
        for job_id in running:
            pid = store.get_job(job_id, SYSTEM_PRINCIPAL).submission.get("pid")
            if isinstance(pid, int) and not limits_checked:
                limits_checked = _check_limits(pid)
        time.sleep(0.05)
    assert most == 1 and limits_checked
    assert [store.get_job(j.id, SYSTEM_PRINCIPAL).state for j in jobs] == [JobState.SUCCEEDED] * 3
    started = [store.get_job(j.id, SYSTEM_PRINCIPAL).started_at for j in jobs]
    finished = [store.get_job(j.id, SYSTEM_PRINCIPAL).finished_at for j in jobs]
    assert finished[0] <= started[1] and finished[1] <= started[2]  # type: ignore[operator]  # one at a time, FIFO
    runner.shutdown()
    store.dispose()


def _check_limits(pid: int) -> bool:
    """The worker's address space is capped at PRIVSYN_JOB_MEM_GB and its BLAS/OpenMP threads at the CPUs."""
    try:
        limits = Path(f"/proc/{pid}/limits").read_text()
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    [address_space] = [line for line in limits.splitlines() if line.startswith("Max address space")]
    assert address_space.split()[3] == str(3 * 2**30), address_space
    assert b"OMP_NUM_THREADS=1" in environ and b"OPENBLAS_NUM_THREADS=1" in environ
    return True
