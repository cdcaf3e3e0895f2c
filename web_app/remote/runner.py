"""The runner of the remote backends (Slurm, AWS Batch, Cloud Run): submit a plan, reconcile, cancel.

Owns the rules every scheduler shares, so that each ``*_control`` only translates: a control submits
(returning the remote id and the concrete command as diagnostics), reports the scheduler's view as a
:class:`RemoteStatus` and cancels. This runner then

* marks the job ``failed`` (``submission_failed``, with the CLI's or API's message) when submission fails;
* never writes ``running`` or ``succeeded`` itself — the worker does, in the shared store. A scheduler
  that reports success while the store is not final means the worker died early → ``failed``
  (``worker_incomplete``); a scheduler failure (``TIMEOUT``, ``OUT_OF_MEMORY``, …) → ``failed`` with that
  reason; a cancellation outside the service → ``cancelled``; a job the scheduler forgot → ``failed``;
* asks the scheduler at most once every ``min_refresh_s`` per job, whatever the polling rate of clients.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from privsyn_platform.errors import SubmissionError
from privsyn_platform.metadata_records import JobFailure, JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore
from web_app.remote.base import RemoteControl, RemoteStatus, Submission, finish_if_active

log = logging.getLogger(__name__)

MIN_REFRESH_S = 2.0


class RemoteJobRunner:
    """A :class:`~web_app.job_runner.JobRunner` on top of a :class:`RemoteControl`."""

    def __init__(self, control: RemoteControl, store: MetadataStore, *, min_refresh_s: float = MIN_REFRESH_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.control, self._store, self._min_refresh_s, self._clock = control, store, min_refresh_s, clock
        self._last_refresh: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The backend's name (``slurm``, ``aws_batch``, ``cloud_run``), as stored with each job."""
        return self.control.backend

    def submit(self, job: JobRecord, request_key: str) -> Submission:
        self._due(job.id)  # the scheduler has nothing new to say right after submission
        try:
            submission = self.control.submit(job.id, request_key)
            self._store.release_lease(job.id)  # the scheduler holds it now; its worker takes a lease when it runs
            return submission
        except SubmissionError as e:
            log.warning("job %s: %s submission failed: %s", job.id, self.control.backend, e)
            self._finish(job.id, JobState.FAILED, JobFailure("submission_failed", str(e)[:2000]))
            return Submission(None, {"backend": self.control.backend, "error": str(e)[:2000]})

    async def wait(self, job_id: str) -> None:
        return None

    def refresh(self, job: JobRecord) -> None:
        if job.backend_handle is None or not self._due(job.id):
            return
        try:
            status = self.control.status(job.backend_handle)
        except SubmissionError as e:  # the scheduler is unreachable right now: ask again later
            log.warning("job %s: cannot query %s: %s", job.id, self.control.backend, e)
            return
        self.reconcile(job.id, job.backend_handle, status)

    def reconcile(self, job_id: str, handle: str, status: RemoteStatus | None) -> None:
        """Apply the scheduler's view to the store (only ever to a job that is not final yet)."""
        backend = self.control.backend
        if status is None:
            status = RemoteStatus(JobState.FAILED, "lost", f"{backend} no longer knows job {handle}")
        if status.state in (JobState.QUEUED, JobState.RUNNING):
            return  # the worker itself records running
        if status.state is JobState.CANCELLED:
            self._finish(job_id, JobState.CANCELLED, None)
        elif status.state is JobState.SUCCEEDED:
            self._finish(job_id, JobState.FAILED, JobFailure(
                "worker_incomplete", f"{backend} job {handle} ended {status.reason} but the worker recorded no "
                "final state"))
        else:
            detail = f": {status.detail}" if status.detail else ""
            self._finish(job_id, JobState.FAILED, JobFailure(
                status.reason.lower()[:64] or "failed", f"{backend} job {handle} ended {status.reason}{detail}"))

    def cancel(self, job: JobRecord) -> None:
        if job.backend_handle is None:
            return
        try:
            self.control.cancel(job.backend_handle)
        except SubmissionError as e:  # the job is cancelled for us; a late worker stops at its next report
            log.warning("job %s: %s cancel failed: %s", job.id, self.control.backend, e)

    def _due(self, job_id: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last_refresh.get(job_id)
            if last is not None and now - last < self._min_refresh_s:
                return False
            self._last_refresh[job_id] = now
            return True

    def _finish(self, job_id: str, target: JobState, failure: JobFailure | None) -> None:
        with self._lock:
            self._last_refresh.pop(job_id, None)  # final from now on: never refreshed again
        finish_if_active(self._store, job_id, target, failure)
