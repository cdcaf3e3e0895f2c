"""The ``local`` backend: a bounded pool of detached worker processes on this machine, with a queue.

At most ``PRIVSYN_LOCAL_WORKERS`` workers run at once (default: this machine's CPUs // ``PRIVSYN_JOB_CPUS``,
and no more than its memory // ``PRIVSYN_JOB_MEM_GB``); further jobs wait ``queued`` in this API process,
whose :class:`~web_app.jobs.leases.LeaseKeeper` renews their leases (if the API dies, they fail
``worker_lost`` once the lease runs out). Each worker is ``python -m web_app.run_confirmed_job`` in a session
of its own, so it survives an API restart; it gets ``PRIVSYN_JOB_CPUS`` as its numeric libraries' thread
count and ``PRIVSYN_JOB_MEM_GB`` as its address-space limit (``RLIMIT_AS``: a job over it fails
``out_of_memory``). The handle of a started job is ``host:pid``.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import ClassVar

from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.errors import NotFoundError, SubmissionError
from privsyn_platform.metadata_records import JobFailure, JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.settings import Settings
from web_app.jobs.leases import LeaseKeeper
from web_app.remote.base import Submission, finish_if_active
from web_app.remote.resources import worker_args

log = logging.getLogger(__name__)

#: Thread-count variables of the numeric libraries a worker loads (set to ``PRIVSYN_JOB_CPUS``).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
DISPATCH_INTERVAL_S = 0.2


def worker_command(job_id: str, request_key: str) -> list[str]:
    """The one worker entrypoint every backend runs, with this interpreter (argv, never a shell string)."""
    return [sys.executable, *worker_args(job_id, request_key)]


def this_host() -> str:
    return socket.gethostname()


def process_alive(pid: int, job_id: str) -> bool:
    """Whether ``pid`` is alive here and is the worker of ``job_id`` (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return job_id.encode() in cmdline


def mark_dead(store: MetadataStore, job: JobRecord, message: str) -> None:
    finish_if_active(store, job.id, JobState.FAILED, JobFailure("worker_died", message))


def default_local_workers(settings: Settings) -> int:
    """How many workers fit this machine: CPUs // job CPUs, and memory // job memory (at least one)."""
    cpus = len(os.sched_getaffinity(0)) // settings.job_cpus
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return max(1, min(cpus, int(memory_gb // settings.job_mem_gb)))


def _limit_memory(pid: int, mem_gb: int) -> None:
    """Cap the worker's address space (set from here: a ``preexec_fn`` is unsafe in a threaded parent)."""
    limit = mem_gb * 2**30
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError) as e:  # it exited already, or the limit is above ours
        log.warning("could not limit the memory of worker %d: %s", pid, e)


class LocalJobRunner:
    """A bounded pool of detached worker processes with a FIFO queue (see the module docstring)."""

    name: ClassVar[str] = "local"

    def __init__(self, settings: Settings, store: MetadataStore) -> None:
        self._settings, self._store = settings, store
        self.slots = settings.local_workers or default_local_workers(settings)
        self._logs = settings.state_root.resolve() / "logs"
        self._queue: deque[tuple[str, str]] = deque()
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Condition()
        self._closed = False
        self._keeper = LeaseKeeper(store, settings.job_lease_s, self.queued, name="privsyn-local-queue").start()
        self._dispatcher = threading.Thread(target=self._dispatch_forever, name="privsyn-local-pool", daemon=True)
        self._dispatcher.start()

    def queued(self) -> list[str]:
        """The jobs waiting here for a free worker slot, first come first."""
        with self._lock:
            return [job_id for job_id, _ in self._queue]

    def running(self) -> list[str]:
        with self._lock:
            return list(self._processes)

    def submit(self, job: JobRecord, request_key: str) -> Submission:
        worker_args(job.id, request_key)  # refuse a bad id before queueing
        with self._lock:
            if len(self._processes) < self.slots and not self._queue:
                return self._start(job.id, request_key)
            self._queue.append((job.id, request_key))
            position = len(self._queue)
        return Submission(None, {"backend": self.name, "queued": True, "position": position,
                                 "workers": self.slots})

    async def wait(self, job_id: str) -> None:
        return None

    def refresh(self, job: JobRecord) -> None:
        host, _, pid = (job.backend_handle or "").partition(":")
        with self._lock:
            process = self._processes.get(job.id)
            if process is not None and process.poll() is not None:
                self._processes.pop(job.id, None)
            elif process is not None or any(job.id == queued for queued, _ in self._queue):
                return
        if process is not None:
            mark_dead(self._store, job, f"the worker process exited with code {process.returncode} "
                                        "without finishing the job")
        elif host == this_host() and pid.isdigit() and not process_alive(int(pid), job.id):
            mark_dead(self._store, job, "the worker process is gone")

    def cancel(self, job: JobRecord) -> None:
        with self._lock:
            self._queue = deque(entry for entry in self._queue if entry[0] != job.id)
        host, _, pid = (job.backend_handle or "").partition(":")
        if host == this_host() and pid.isdigit() and process_alive(int(pid), job.id):
            try:
                os.killpg(int(pid), signal.SIGTERM)
                os.killpg(int(pid), signal.SIGCONT)  # a stopped worker acts on the SIGTERM only once continued
            except ProcessLookupError:
                pass

    def shutdown(self) -> None:
        """Stop dispatching (running workers go on: they are detached)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._keeper.stop()

    def _start(self, job_id: str, request_key: str) -> Submission:
        """Start the worker (the caller holds the lock and has checked that a slot is free)."""
        command = worker_command(job_id, request_key)
        self._logs.mkdir(parents=True, exist_ok=True)
        log_path = self._logs / f"{job_id}.log"
        threads = str(self._settings.job_cpus)
        environment = {**self._settings.child_environment(), **dict.fromkeys(THREAD_VARIABLES, threads)}
        try:
            with log_path.open("ab") as log_file:
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, env=environment,
                    start_new_session=True, cwd=Path.cwd(),
                )
        except OSError as e:
            raise SubmissionError(f"could not start the worker process: {e}") from e
        _limit_memory(process.pid, self._settings.job_mem_gb)
        self._processes[job_id] = process
        return Submission(f"{this_host()}:{process.pid}",
                          {"backend": self.name, "command": command, "pid": process.pid, "log": str(log_path)})

    def _dispatch_forever(self) -> None:
        while True:
            with self._lock:
                self._lock.wait(DISPATCH_INTERVAL_S)
                if self._closed:
                    return
                finished = [(job_id, p) for job_id, p in self._processes.items() if p.poll() is not None]
                for job_id, _ in finished:
                    del self._processes[job_id]
                started = self._start_queued()
            for job_id, process in finished:
                self._reap(job_id, process)
            for job_id, submission in started:
                self._record(job_id, submission)

    def _start_queued(self) -> list[tuple[str, Submission]]:
        started = []
        while self._queue and len(self._processes) < self.slots:
            job_id, request_key = self._queue.popleft()
            try:
                if self._store.get_job(job_id, SYSTEM_PRINCIPAL).state is not JobState.QUEUED:
                    continue  # cancelled (or reaped) while it waited
                started.append((job_id, self._start(job_id, request_key)))
            except (SubmissionError, NotFoundError) as e:
                log.warning("job %s: %s", job_id, e)
                finish_if_active(self._store, job_id, JobState.FAILED, JobFailure("submission_failed", str(e)))
        return started

    def _record(self, job_id: str, submission: Submission) -> None:
        try:
            self._store.record_submission(job_id, SYSTEM_PRINCIPAL, backend_handle=submission.backend_handle,
                                          diagnostics=json.loads(json.dumps(submission.diagnostics)))
        except NotFoundError:
            pass

    def _reap(self, job_id: str, process: subprocess.Popen[bytes]) -> None:
        try:
            job = self._store.get_job(job_id, SYSTEM_PRINCIPAL)
        except NotFoundError:
            return
        if not job.state.is_terminal:
            mark_dead(self._store, job, f"the worker process exited with code {process.returncode} "
                                        "without finishing the job")
