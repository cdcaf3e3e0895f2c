"""Where a confirmed job runs: the JobRunner protocol, the inline and local runners, and the factory.

* ``inline`` — in the API process, on a worker thread (never on the event loop).
* ``local`` — a detached ``python -m web_app.run_confirmed_job`` subprocess per job; the API returns at
  once and the job survives an API restart.
* ``slurm``, ``aws_batch``, ``cloud_run`` — remote schedulers: :mod:`web_app.remote.runner` on top of
  ``*_plan`` (pure) and ``*_control`` (side effects); loaded only when selected.

Every runner ends up in :func:`web_app.job_execution.execute_confirmed_job`. The handle of a process
runner is ``host:pid``; :meth:`JobRunner.refresh` finds a job whose process died without leaving a final
state and marks it failed, so no job stays ``running`` forever.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, Protocol

from privsyn_platform.errors import ConfigurationError, SubmissionError
from privsyn_platform.metadata_records import JobFailure, JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.settings import Settings
from web_app.aws_batch_control import AwsBatchControl
from web_app.cloud_run_control import CloudRunControl
from web_app.job_execution import execute_confirmed_job
from web_app.remote.base import Submission, finish_if_active
from web_app.remote.resources import worker_args
from web_app.remote.runner import RemoteJobRunner
from web_app.slurm_control import SlurmControl


class JobRunner(Protocol):
    """Where jobs run: submit, wait (inline only), reconcile with the executor, cancel."""

    @property
    def name(self) -> str:
        """The backend's name, stored with each job (``PRIVSYN_JOB_BACKEND``)."""
        ...

    def submit(self, job: JobRecord, request_key: str) -> Submission: ...

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job's execution ends (inline only; others return at once)."""
        ...

    def refresh(self, job: JobRecord) -> None:
        """Reconcile a queued/running job with its executor (e.g. a dead process → failed)."""
        ...

    def cancel(self, job: JobRecord) -> None:
        """Stop the job's executor (the caller has already marked the job cancelled)."""
        ...


def worker_command(job_id: str, request_key: str) -> list[str]:
    """The one worker entrypoint every backend runs, with this interpreter (argv, never a shell string)."""
    return [sys.executable, *worker_args(job_id, request_key)]


def _this_host() -> str:
    return socket.gethostname()


def _process_alive(pid: int, job_id: str) -> bool:
    """Whether ``pid`` is alive here and is the worker of ``job_id`` (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return job_id.encode() in cmdline


def _mark_dead(store: MetadataStore, job: JobRecord, message: str) -> None:
    finish_if_active(store, job.id, JobState.FAILED, JobFailure("worker_died", message))


class InlineJobRunner:
    """Runs jobs on a small thread pool inside the API process."""

    name: ClassVar[str] = "inline"

    def __init__(self, storage: ObjectStorage, store: MetadataStore, workers: int = 1) -> None:
        self._storage, self._store = storage, store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="privsyn-job")
        self._futures: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()

    def submit(self, job: JobRecord, request_key: str) -> Submission:
        future = self._pool.submit(execute_confirmed_job, job.id, request_key, self._storage, self._store)
        with self._lock:
            self._futures[job.id] = future
        future.add_done_callback(lambda _: self._forget(job.id))
        return Submission(f"{_this_host()}:{os.getpid()}", {"backend": self.name, "thread_pool": True})

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._futures.pop(job_id, None)

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    def refresh(self, job: JobRecord) -> None:
        host, _, pid = (job.backend_handle or "").partition(":")
        if host == _this_host() and pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            _mark_dead(self._store, job, "the API process that ran this job stopped before it finished")

    def cancel(self, job: JobRecord) -> None:
        return None  # the running thread sees the cancelled state at its next progress report

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class LocalJobRunner:
    """Starts one detached worker process per job on this machine."""

    name: ClassVar[str] = "local"

    def __init__(self, settings: Settings, store: MetadataStore) -> None:
        self._settings, self._store = settings, store
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs = settings.state_root.resolve() / "logs"

    def submit(self, job: JobRecord, request_key: str) -> Submission:
        command = worker_command(job.id, request_key)
        self._logs.mkdir(parents=True, exist_ok=True)
        log_path = self._logs / f"{job.id}.log"
        try:
            with log_path.open("ab") as log:
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env=self._settings.child_environment(), start_new_session=True, cwd=Path.cwd(),
                )
        except OSError as e:
            raise SubmissionError(f"could not start the worker process: {e}") from e
        self._processes[job.id] = process
        return Submission(f"{_this_host()}:{process.pid}",
                          {"backend": self.name, "command": command, "pid": process.pid, "log": str(log_path)})

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        return None

    def refresh(self, job: JobRecord) -> None:
        host, _, pid = (job.backend_handle or "").partition(":")
        process = self._processes.get(job.id)
        if process is not None and process.poll() is not None:
            self._processes.pop(job.id, None)
            _mark_dead(self._store, job, f"the worker process exited with code {process.returncode} "
                                         "without finishing the job")
        elif process is None and host == _this_host() and pid.isdigit() and not _process_alive(int(pid), job.id):
            _mark_dead(self._store, job, "the worker process is gone")

    def cancel(self, job: JobRecord) -> None:
        host, _, pid = (job.backend_handle or "").partition(":")
        if host == _this_host() and pid.isdigit() and _process_alive(int(pid), job.id):
            try:
                os.killpg(int(pid), 15)
            except ProcessLookupError:
                pass


RunnerFactory = Callable[[Settings, ObjectStorage, MetadataStore], JobRunner]

#: Every backend ``PRIVSYN_JOB_BACKEND`` may name, and how its runner is built.
RUNNERS: dict[str, RunnerFactory] = {
    "inline": lambda settings, storage, store: InlineJobRunner(storage, store),
    "local": lambda settings, storage, store: LocalJobRunner(settings, store),
    "slurm": lambda settings, storage, store: RemoteJobRunner(SlurmControl(settings), store),
    "aws_batch": lambda settings, storage, store: RemoteJobRunner(AwsBatchControl(settings), store),
    "cloud_run": lambda settings, storage, store: RemoteJobRunner(CloudRunControl(settings), store),
}


def make_job_runner(settings: Settings, storage: ObjectStorage, store: MetadataStore) -> JobRunner:
    """The runner ``PRIVSYN_JOB_BACKEND`` names.

    Raises:
        ConfigurationError: An unknown backend (the message lists the valid ones).
    """
    factory = RUNNERS.get(settings.job_backend)
    if factory is None:
        raise ConfigurationError(f"unknown job backend {settings.job_backend!r}; "
                                 f"valid backends are: {', '.join(RUNNERS)}")
    return factory(settings, storage, store)
