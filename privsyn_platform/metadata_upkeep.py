"""The job store's upkeep queries: leases, reaping lost or overdue jobs, a dataset's jobs, deleting a job.

A mixin of :class:`~privsyn_platform.metadata_store.MetadataStore` (same sessions, clock and owner
rules), kept apart so the store's CRUD surface stays readable. Rules:

* **Leases.** An active job whose ``lease_expires_at`` has passed is failed ``worker_lost`` by
  :meth:`reap_jobs`; whoever holds a job (its worker while it runs, the API process that queued it)
  renews the lease with :meth:`renew_leases`. A job without a lease (queued at a remote scheduler) is
  never reaped for that reason. A running job whose ``started_at`` is older than the job timeout is
  failed ``timeout``. Both are one conditional ``UPDATE``, so a late worker cannot revive the job.
* **Deletion** keeps a tombstone: the row stays (hidden from every owner-facing read) with only what
  the dataset's odometer needs, so deleting a job never refunds privacy budget.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from privsyn_platform.auth import Principal
from privsyn_platform.errors import ConflictError
from privsyn_platform.metadata_models import ArtifactRow, JobRow, LedgerEntryRow
from privsyn_platform.metadata_records import ArtifactRecord, JobRecord, JobState

ACTIVE_STATES = (JobState.QUEUED.value, JobState.RUNNING.value)
#: What a deleted job's tombstone keeps of its params: the dataset's odometer, nothing about the data.
TOMBSTONE_PARAMS = ("preview_id", "rho", "delta", "threshold_delta", "noise_at_confirm", "epsilon")
WORKER_LOST = "worker_lost"
TIMED_OUT = "timeout"


class JobUpkeepQueries:
    """Lease, reap, odometer and delete queries; mixed into ``MetadataStore``."""

    if TYPE_CHECKING:
        _clock: Callable[[], datetime]

        def _read(self) -> AbstractContextManager[Session]: ...
        def _write(self) -> AbstractContextManager[Session]: ...
        def _job_row(self, session: Session, job_id: str, principal: Principal) -> JobRow: ...

    def renew_leases(self, job_ids: Collection[str], lease: timedelta) -> set[str]:
        """Extend the lease of these jobs to now + ``lease``; returns those still active (renewed)."""
        if not job_ids:
            return set()
        statement = (update(JobRow).where(JobRow.id.in_(list(job_ids)), JobRow.state.in_(ACTIVE_STATES))
                     .values(lease_expires_at=self._clock() + lease).returning(JobRow.id)
                     .execution_options(synchronize_session=False))
        with self._write() as session:
            return set(session.scalars(statement))

    def release_lease(self, job_id: str) -> None:
        """Drop a job's lease: its holder handed it to a scheduler that answers for it (its worker will take
        a lease of its own when it starts)."""
        with self._write() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == JobState.QUEUED.value)
                            .values(lease_expires_at=None)
                            .execution_options(synchronize_session=False))

    def reap_jobs(self, timeout: timedelta) -> list[JobRecord]:
        """Fail every active job whose lease ran out (``worker_lost``) and every job running longer than
        ``timeout`` (``timeout``), any owner, any backend; returns them so their executors can be stopped."""
        now = self._clock()
        minutes = timeout.total_seconds() / 60
        lost = (JobRow.state.in_(ACTIVE_STATES), JobRow.lease_expires_at.is_not(None), JobRow.lease_expires_at < now)
        overdue = (JobRow.state == JobState.RUNNING.value, JobRow.started_at < now - timeout)
        with self._write() as session:
            reaped = self._fail_where(session, now, overdue, TIMED_OUT,
                                      f"the job ran longer than its limit of {minutes:g} minutes "
                                      "(PRIVSYN_JOB_TIMEOUT_MIN) and was stopped")
            reaped += self._fail_where(session, now, lost, WORKER_LOST,
                                       "the job's worker stopped renewing its lease (the process or machine "
                                       "running it was killed, stopped or restarted); nothing was published")
            return reaped

    @staticmethod
    def _fail_where(session: Session, now: datetime, condition: tuple[ColumnElement[bool], ...], code: str,
                    message: str) -> list[JobRecord]:
        statement = (update(JobRow).where(*condition).values(
            state=JobState.FAILED.value, finished_at=now, error_code=code, error_message=message,
            version=JobRow.version + 1).returning(JobRow).execution_options(synchronize_session=False))
        return [row.to_record() for row in session.scalars(statement)]

    def dataset_jobs(self, dataset_ids: Collection[str]) -> list[JobRecord]:
        """Every job (any owner, deleted ones too) that confirmed one of these previews."""
        if not dataset_ids:
            return []
        query = select(JobRow).where(JobRow.preview_id.in_(list(dataset_ids)))
        with self._read() as session:
            return [row.to_record() for row in session.scalars(query)]

    def delete_job(self, job_id: str, principal: Principal) -> list[ArtifactRecord]:
        """Delete a finished job's artifacts and ledger rows and leave a tombstone (see the module docstring).

        Returns:
            The deleted artifacts, whose objects the caller deletes.

        Raises:
            NotFoundError: No such job for this caller (or already deleted).
            ConflictError: The job is still queued or running (cancel it first).
        """
        with self._write() as session:
            row = self._job_row(session, job_id, principal)
            if row.state in ACTIVE_STATES:
                raise ConflictError(f"job {job_id!r} is {row.state}; cancel it before deleting it")
            artifacts = [a.to_record() for a in session.scalars(
                delete(ArtifactRow).where(ArtifactRow.job_id == job_id).returning(ArtifactRow))]
            session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.job_id == job_id))
            kept: dict[str, Any] = {k: row.params[k] for k in TOMBSTONE_PARAMS if k in row.params}
            session.execute(update(JobRow).where(JobRow.id == job_id).values(
                deleted_at=self._clock(), params=kept, submission={}, error_message=None, progress_stage="",
                progress_message="", backend_handle=None,
                version=JobRow.version + 1).execution_options(synchronize_session=False))
            return artifacts


