"""What running a confirmed job means — one code path for every backend.

``execute_confirmed_job`` is called in-process by the inline runner and by ``run_confirmed_job`` (the
worker entrypoint that the local, Slurm, Batch and Cloud Run backends start). It moves the job to
``running``, rebuilds the run from its bundle, synthesizes while writing throttled progress, then
publishes: the synthetic CSV and the privacy report as artifacts, the ledger, and ``succeeded`` last —
so a job is never ``succeeded`` without its CSV, and a CSV of a job that is not ``succeeded`` is never
served. Every failure ends in ``failed`` with a code and a message. Re-running is safe: a job already in
a final state is left alone, and a cancelled job stops at its next progress report.

While it runs, the worker renews the job's lease (:class:`~web_app.jobs.leases.LeaseKeeper`); a worker that
is killed or stopped stops renewing, and the API's upkeep fails the job ``worker_lost``. A worker that
runs out of memory ends the job ``failed`` with ``out_of_memory``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from method.api import MethodError, Progress
from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.errors import ConflictError, NotFoundError, PlatformError
from privsyn_platform.metadata_records import JobFailure, JobProgress, JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.settings import DEFAULT_JOB_LEASE_S
from web_app.job_bundle import (
    PRIVACY_REPORT_KIND,
    SYNTHETIC_CSV_KIND,
    JobRequest,
    job_key,
    read_parquet,
    read_request,
)
from web_app.jobs.leases import LeaseKeeper
from web_app.review.output import write_csv
from web_app.synthesis_service import SynthesisResult, synthesize

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5


class JobCancelled(Exception):
    """The job reached a final state (cancelled) while running; stop without publishing."""


class ProgressWriter:
    """Forwards progress to the job record at most every ``interval`` seconds (and on every new stage)."""

    def __init__(self, store: MetadataStore, job_id: str, interval: float = PROGRESS_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store, self._job_id, self._interval, self._clock = store, job_id, interval, clock
        self._last_time, self._last_stage = -float("inf"), ""

    def __call__(self, progress: Progress) -> None:
        now = self._clock()
        if progress.stage == self._last_stage and now - self._last_time < self._interval:
            return
        self._last_time, self._last_stage = now, progress.stage
        try:
            self._store.update_progress(self._job_id, SYSTEM_PRINCIPAL,
                                        JobProgress(progress.stage[:64], progress.fraction, progress.message))
        except ConflictError as e:
            raise JobCancelled(str(e)) from e


def execute_confirmed_job(
    job_id: str, request_key: str, storage: ObjectStorage, store: MetadataStore,
    lease_s: float = DEFAULT_JOB_LEASE_S,
) -> JobRecord:
    """Run job ``job_id`` from the bundle at ``request_key``, renewing its lease every ``lease_s / 4``;
    always returns the job's final record."""
    job = store.get_job(job_id, SYSTEM_PRINCIPAL)
    if job.state.is_terminal:
        log.info("job %s is already %s; nothing to do", job_id, job.state)
        return job
    keeper = LeaseKeeper(store, lease_s, lambda: (job_id,), name=f"privsyn-lease-{job_id[:8]}")
    try:
        if job.state is JobState.QUEUED:
            store.transition_job(job_id, SYSTEM_PRINCIPAL, JobState.RUNNING, lease=timedelta(seconds=lease_s))
        keeper.start()
        log.info("job %s: loading bundle %s", job_id, request_key)
        request = read_request(storage, request_key)
        if request.job_id != job_id:
            raise MethodError(f"bundle {request_key!r} belongs to job {request.job_id!r}, not {job_id!r}")
        table = read_parquet(storage, request.input_key)
        log.info("job %s: synthesizing %d rows × %d columns with %s", job_id, len(table), table.shape[1],
                 request.method)
        result = synthesize(table, request.metadata, request.synthesis_request(), story=request.story(),
                            on_progress=ProgressWriter(store, job_id))
        _publish(job_id, request, result, storage, store)
        log.info("job %s: succeeded", job_id)
    except (JobCancelled, ConflictError) as e:
        log.info("job %s stopped: %s", job_id, e)
    except (MethodError, PlatformError) as e:  # our own sentences, about the run's data or settings
        _fail(store, job_id, "invalid_job", str(e))
    except MemoryError:
        log.exception("job %s ran out of memory", job_id)
        _fail(store, job_id, "out_of_memory", "the job ran out of memory (PRIVSYN_JOB_MEM_GB); try fewer "
                                              "columns, rows or categories, or a deployment with more memory")
    except Exception:  # the worker must always leave a final state behind; users never see raw Python
        reference = f"{job_id[:8]}-{uuid.uuid4().hex[:6]}"
        log.exception("job %s failed (reference %s)", job_id, reference)
        _fail(store, job_id, "internal_error", internal_error_message(reference))
    finally:
        keeper.stop()
    return store.get_job(job_id, SYSTEM_PRINCIPAL)


def _publish(job_id: str, request: JobRequest, result: SynthesisResult, storage: ObjectStorage,
             store: MetadataStore) -> None:
    report = {**result.privacy.to_json(), "rows": len(result.frame), "dataset": request.dataset_budget}
    log.info("job %s: fit %.1f s, sample %.1f s", job_id, result.fit_seconds, result.sample_seconds)
    csv = storage.put_bytes(job_key(job_id, "synthetic.csv"),
                            write_csv(result.frame, request.csv_format()))
    privacy = storage.put_bytes(job_key(job_id, "privacy_report.json"), json.dumps(report, indent=1).encode())
    store.add_artifact(job_id, SYSTEM_PRINCIPAL, kind=SYNTHETIC_CSV_KIND, stored=csv)
    store.add_artifact(job_id, SYSTEM_PRINCIPAL, kind=PRIVACY_REPORT_KIND, stored=privacy)
    if not store.list_ledger(job_id, SYSTEM_PRINCIPAL):
        store.append_ledger(job_id, SYSTEM_PRINCIPAL, result.privacy.ledger)
    store.transition_job(job_id, SYSTEM_PRINCIPAL, JobState.SUCCEEDED)


def internal_error_message(reference: str) -> str:
    """What a user reads when a run failed through a fault of ours (the traceback is in the log, by reference)."""
    return (f"The run failed because of an internal error, not because of your data or settings (reference "
            f"{reference}). Try again or try another method; if it happens again, report the reference to the "
            "service's administrators, whose log has the details.")


def _fail(store: MetadataStore, job_id: str, code: str, message: str) -> None:
    try:
        store.transition_job(job_id, SYSTEM_PRINCIPAL, JobState.FAILED, error=JobFailure(code, message[:2000]))
    except (ConflictError, NotFoundError):  # final already, or cancelled and deleted meanwhile
        log.info("job %s is already final; failure not recorded: %s", job_id, message)
