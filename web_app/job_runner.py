"""Where a confirmed job runs: the JobRunner protocol, the inline runner, and the factory.

* ``inline`` — in the API process, on a worker thread (never on the event loop).
* ``local`` — a bounded pool of detached ``python -m web_app.run_confirmed_job`` processes with a queue
  (:mod:`web_app.jobs.local_pool`); the API returns at once and a started job survives an API restart.
* ``slurm``, ``aws_batch``, ``cloud_run`` — remote schedulers: :mod:`web_app.remote.runner` on top of
  ``*_plan`` (pure) and ``*_control`` (side effects); loaded only when selected.

Every runner ends up in :func:`web_app.job_execution.execute_confirmed_job`, whose worker renews the job's
lease while it runs; the inline and local runners renew the leases of the jobs queued with them. So a job
whose holder died fails ``worker_lost`` once its lease runs out (:mod:`web_app.jobs.upkeep`), on any backend;
:meth:`JobRunner.refresh` notices a dead process of this host sooner.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, Protocol

from privsyn_platform.errors import ConfigurationError
from privsyn_platform.metadata_records import JobRecord
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.settings import DEFAULT_JOB_LEASE_S, Settings
from web_app.aws_batch_control import AwsBatchControl
from web_app.cloud_run_control import CloudRunControl
from web_app.job_execution import execute_confirmed_job
from web_app.jobs.leases import LeaseKeeper
from web_app.jobs.local_pool import LocalJobRunner, mark_dead, this_host, worker_command
from web_app.remote.base import Submission
from web_app.remote.runner import RemoteJobRunner
from web_app.slurm_control import SlurmControl

__all__ = ["InlineJobRunner", "JobRunner", "LocalJobRunner", "make_job_runner", "worker_command"]


class JobRunner(Protocol):
    """Where jobs run: submit, wait (inline only), reconcile with the executor, cancel."""

    @property
    def name(self) -> str:
        """The backend's name, stored with each job (``PRIVSYN_JOB_BACKEND``)."""
        ...

    def submit(self, job: JobRecord, request_key: str) -> Submission: ...

    async def wait(self, job_id: str) -> None:
        """Until the job's execution in this process ends (inline only; others return at once). Holds no
        thread while it waits."""
        ...

    def refresh(self, job: JobRecord) -> None:
        """Reconcile a queued/running job with its executor (e.g. a dead process → failed)."""
        ...

    def cancel(self, job: JobRecord) -> None:
        """Stop the job's executor (the caller has already marked the job cancelled or failed)."""
        ...


class InlineJobRunner:
    """Runs jobs on a small thread pool inside the API process; renews the leases of those still queued."""

    name: ClassVar[str] = "inline"

    def __init__(self, storage: ObjectStorage, store: MetadataStore, workers: int = 1,
                 lease_s: float = DEFAULT_JOB_LEASE_S) -> None:
        self._storage, self._store, self._lease_s = storage, store, lease_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="privsyn-job")
        self._futures: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()
        self._keeper = LeaseKeeper(store, lease_s, self.queued, name="privsyn-inline-queue").start()

    def queued(self) -> list[str]:
        """The jobs submitted here that have not started yet."""
        with self._lock:
            return [job_id for job_id, future in self._futures.items() if not future.running()]

    def submit(self, job: JobRecord, request_key: str) -> Submission:
        future = self._pool.submit(execute_confirmed_job, job.id, request_key, self._storage, self._store,
                                   self._lease_s)
        with self._lock:
            self._futures[job.id] = future
        future.add_done_callback(lambda _: self._forget(job.id))
        return Submission(f"{this_host()}:{os.getpid()}", {"backend": self.name, "thread_pool": True})

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._futures.pop(job_id, None)

    async def wait(self, job_id: str) -> None:
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:  # shielded: a client that goes away must not cancel the queued job
            with contextlib.suppress(Exception):  # the job's own state tells how it ended
                await asyncio.shield(asyncio.wrap_future(future))

    def refresh(self, job: JobRecord) -> None:
        host, _, pid = (job.backend_handle or "").partition(":")
        if host == this_host() and pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            mark_dead(self._store, job, "the API process that ran this job stopped before it finished")

    def cancel(self, job: JobRecord) -> None:
        return None  # the running thread sees the final state at its next progress report

    def shutdown(self) -> None:
        self._keeper.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)


RunnerFactory = Callable[[Settings, ObjectStorage, MetadataStore], JobRunner]

#: Every backend ``PRIVSYN_JOB_BACKEND`` may name, and how its runner is built.
RUNNERS: dict[str, RunnerFactory] = {
    "inline": lambda settings, storage, store: InlineJobRunner(storage, store, lease_s=settings.job_lease_s),
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
