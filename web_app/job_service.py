"""The job lifecycle the routes call: confirm a table into a durable job, observe, cancel, fetch results.

Owns the user's intent and ownership: every read goes through the metadata store with the caller's
principal (another owner's job is a ``NotFoundError`` → 404), state changes go through the store's state
machine, and the runner only decides *where* a job runs. Results are served only for ``succeeded`` jobs.
A job is created with a lease its holder renews; :meth:`JobService.reap` fails lost and overdue jobs (the
API's upkeep calls it, and so does every listing). :meth:`JobService.delete` removes a finished job's real
data and artifacts. Users see a job's submission without the runner's internals (command, PID, log path);
admins see all of it. Previews (upload → inferred schema → confirm) live in :mod:`web_app.preview_service`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from method.api import PrivacySpec, TableMetadata
from privsyn_platform.auth import Principal
from privsyn_platform.errors import ConflictError, NotFoundError, SubmissionError
from privsyn_platform.metadata_records import ArtifactRecord, JobFailure, JobRecord, JobState, LedgerEntryRecord
from privsyn_platform.metadata_store import MetadataStore, new_id
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.settings import DEFAULT_JOB_LEASE_S
from web_app.evaluation.evaluate import EvaluationReport, RunCard, evaluate, run_card
from web_app.job_bundle import (
    CONFIRMED_INPUT_KIND,
    CONFIRMED_SCHEMA_KIND,
    JOB_REQUEST_KIND,
    PRIVACY_REPORT_KIND,
    SYNTHETIC_CSV_KIND,
    JobRequest,
    frame_to_parquet,
    job_key,
    read_parquet,
    read_request,
    write_request,
)
from web_app.job_runner import JobRunner
from web_app.jobs.dataset_budget import DatasetBudget, dataset_budgets
from web_app.remote.base import finish_if_active
from web_app.review.output import CsvFormat, read_csv
from web_app.sessions import SessionStore, frame_bytes
from web_app.synthesis_service import DomainStory, SynthesisRequest


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as the API shows it: the record, its artifacts and ledger, its privacy report, and the
    odometer of its dataset (``None`` for a job without one)."""

    record: JobRecord
    artifacts: tuple[ArtifactRecord, ...]
    ledger: tuple[LedgerEntryRecord, ...]
    privacy_report: dict[str, Any] | None
    session_available: bool
    dataset: DatasetBudget | None = None


@dataclass(slots=True)
class ResultSession:
    """What ``/evaluate`` needs in memory: the confirmed real table, its metadata, the synthetic table, the
    run's card and privacy report and, once asked for, their evaluation (one per target)."""

    real: pd.DataFrame
    metadata: TableMetadata
    synthetic: pd.DataFrame
    card: RunCard
    privacy: dict[str, Any] = field(default_factory=dict)
    _evaluations: dict[str | None, EvaluationReport] = field(default_factory=dict, repr=False)

    def evaluation(self, target: str | None = None) -> EvaluationReport:
        """The non-DP evaluation against the real data (owner-only), computed once per session and target
        with a fixed seed, so ``POST /evaluate`` and the HTML report show the same figures."""
        if target not in self._evaluations:
            self._evaluations[target] = evaluate(self.real, self.synthetic, self.metadata, self.card,
                                                 privacy=self.privacy, target=target)
        return self._evaluations[target]


def result_bytes(session: ResultSession) -> int:
    """What a cached result session takes in memory (its two tables)."""
    return frame_bytes(session.real, session.synthetic)


def _charge_fields(request: SynthesisRequest, story: DomainStory) -> dict[str, Any]:
    """What the odometer needs of a job, kept with its params (the dataset is its preview)."""
    privacy = PrivacySpec(epsilon=request.epsilon, delta=request.delta, threshold_delta=story.threshold_delta)
    return {"rho": privacy.rho, "threshold_delta": story.threshold_delta, "noise_at_confirm": bool(story.spent),
            "domain_mode": story.mode}


def _story_fields(story: DomainStory) -> dict[str, Any]:
    return {"domain_mode": story.mode, "declared": story.declared, "decisions": story.decisions,
            "spent": story.spent, "threshold_delta": story.threshold_delta}


#: What a non-admin sees of a job's submission diagnostics (the rest — interpreter path, PID, log path,
#: scheduler command — is for admins and the logs).
PUBLIC_SUBMISSION_FIELDS = ("backend", "queued", "position", "workers", "error")


def public_submission(record: JobRecord, principal: Principal) -> JobRecord:
    """The record as ``principal`` may see it: admins everything, owners no runner internals."""
    if principal.is_admin:
        return record
    return replace(record, submission={k: v for k, v in record.submission.items() if k in PUBLIC_SUBMISSION_FIELDS})


class JobService:
    def __init__(self, store: MetadataStore, storage: ObjectStorage, runner: JobRunner,
                 results: SessionStore[ResultSession], *, lease_s: float = DEFAULT_JOB_LEASE_S,
                 timeout_min: float = 60) -> None:
        self.store, self.storage, self.runner, self.results = store, storage, runner, results
        self.lease, self.timeout = timedelta(seconds=lease_s), timedelta(minutes=timeout_min)

    def submit(self, table: pd.DataFrame, metadata: TableMetadata, request: SynthesisRequest,
               principal: Principal, *, csv_format: CsvFormat | None = None,
               story: DomainStory | None = None, display: dict[str, Any] | None = None,
               run_limit_s: float | None = None, confirmed: dict[str, Any] | None = None) -> JobRecord:
        """Persist the confirmed input and bundle, create the job, hand it to the runner. The bundle's time
        budget is at most ``run_limit_s``; the job's params keep the budget that was asked for. ``confirmed``
        (the reviewed ``domain_data``/``info_data``) is kept so a re-run can reopen the schema as confirmed."""
        job_id = new_id()
        table = table[list(metadata.names)]
        input_stored = self.storage.put_bytes(job_key(job_id, "input.parquet"), frame_to_parquet(table))
        run = request.capped(run_limit_s) if run_limit_s is not None else request
        charge = _charge_fields(request, story or DomainStory())
        dataset_id = (display or {}).get("preview_id")
        dataset = None
        if isinstance(dataset_id, str):
            dataset = self.dataset_budget(dataset_id).adding(
                charge["rho"], request.delta - charge["threshold_delta"], charge["threshold_delta"]).to_json()
        bundle = JobRequest(
            job_id=job_id, owner=principal.subject, method=request.method, knobs=dict(request.knobs),
            epsilon=request.epsilon, delta=request.delta, rows=request.rows, seed=request.seed,
            time_budget_s=run.time_budget_s, metadata=metadata, input_key=input_stored.key,
            **_csv_fields(csv_format or CsvFormat()), created_at=datetime.now(UTC),
            dataset_budget=dataset, **_story_fields(story or DomainStory()),
        )
        request_stored = write_request(self.storage, bundle)
        params = {"epsilon": request.epsilon, "delta": request.delta, "rows": request.rows,
                  "output_format": (csv_format or CsvFormat()).dialect_json(),
                  "time_budget_s": request.time_budget_s, "knobs": json.loads(json.dumps(dict(request.knobs))),
                  **charge, **(display or {})}
        job = self.store.create_job(principal, method=request.method, params=params, backend=self.runner.name,
                                    job_id=job_id, lease=self.lease)
        self.store.add_artifact(job_id, principal, kind=CONFIRMED_INPUT_KIND, stored=input_stored)
        self.store.add_artifact(job_id, principal, kind=JOB_REQUEST_KIND, stored=request_stored)
        if confirmed is not None:
            schema = self.storage.put_bytes(job_key(job_id, "confirmed_schema.json"), json.dumps(confirmed).encode())
            self.store.add_artifact(job_id, principal, kind=CONFIRMED_SCHEMA_KIND, stored=schema)
        try:
            submission = self.runner.submit(job, request_stored.key)
        except SubmissionError as e:
            finish_if_active(self.store, job_id, JobState.FAILED, JobFailure("submission_failed", str(e)[:2000]))
            raise
        record = self.store.record_submission(job_id, principal, backend_handle=submission.backend_handle,
                                              diagnostics=json.loads(json.dumps(submission.diagnostics)))
        return public_submission(record, principal)

    async def wait(self, job_id: str) -> None:
        """Until the job's execution in this process ends (inline runner); no thread is held meanwhile."""
        await self.runner.wait(job_id)

    def reap(self) -> list[JobRecord]:
        """Fail every job whose lease ran out (``worker_lost``) or that ran past ``PRIVSYN_JOB_TIMEOUT_MIN``
        (``timeout``), and stop their executors."""
        reaped = self.store.reap_jobs(self.timeout)
        for record in reaped:
            self.runner.cancel(record)
        return reaped

    def _overdue(self, record: JobRecord) -> bool:
        """Whether the upkeep would fail this job now (lease run out, or running past the timeout)."""
        now = self.store.now()
        lost = record.lease_expires_at is not None and record.lease_expires_at < now
        started = record.started_at
        return lost or (record.state is JobState.RUNNING and started is not None and started < now - self.timeout)

    def get(self, job_id: str, principal: Principal) -> JobView:
        record = self.store.get_job(job_id, principal)
        if not record.state.is_terminal:
            if self._overdue(record):  # else leave it to the upkeep: polling must not write
                self.reap()
            self.runner.refresh(record)
            record = self.store.get_job(job_id, principal)
        record = public_submission(record, principal)
        artifacts = tuple(self.store.list_artifacts(job_id, principal))
        ledger = tuple(self.store.list_ledger(job_id, principal))
        stored_report = next((a for a in artifacts if a.kind == PRIVACY_REPORT_KIND), None)
        report = None
        if record.state is JobState.SUCCEEDED and stored_report is not None:
            report = json.loads(self.storage.get_bytes(stored_report.storage_key))
        dataset_id = record.params.get("preview_id")
        dataset = self.dataset_budget(dataset_id) if isinstance(dataset_id, str) else None
        return JobView(record, artifacts, ledger, report, job_id in self.results, dataset)

    def list(self, principal: Principal, limit: int = 100, before: str | None = None) -> list[JobRecord]:
        """A page of the caller's jobs, newest first, each reconciled with its executor first (so a job
        whose worker was killed shows ``failed`` here, not only once it is fetched)."""
        records = self.store.list_jobs(principal, limit=limit, before=before)
        active = [r for r in records if not r.state.is_terminal]
        if active:
            if any(self._overdue(record) for record in active):
                self.reap()
            for record in active:
                self.runner.refresh(record)
            fresh = {r.id: r for r in self.store.list_jobs(principal, limit=limit, before=before)}
            records = [fresh.get(r.id, r) for r in records]
        return [public_submission(r, principal) for r in records]

    def delete(self, job_id: str, principal: Principal) -> None:
        """Delete a finished job's stored real data and artifacts (objects and rows); the job stays only as
        a tombstone for its dataset's odometer. A queued or running job is a ConflictError (cancel first)."""
        for artifact in self.store.delete_job(job_id, principal):
            self._delete_object(artifact.storage_key)
        for key in self.storage.list_keys(job_key(job_id, "")):
            self._delete_object(key)
        self.results.discard(job_id)

    def _delete_object(self, key: str) -> None:
        try:
            self.storage.delete(key)
        except NotFoundError:
            pass

    def dataset_budget(self, dataset_id: str) -> DatasetBudget:
        """The odometer of one dataset (a preview: the upload every re-run of it confirms)."""
        return self.dataset_budgets([dataset_id]).get(dataset_id, DatasetBudget(dataset_id))

    def dataset_budgets(self, dataset_ids: Collection[str]) -> dict[str, DatasetBudget]:
        """The odometers of these datasets (every job on them, whoever confirmed it; one query)."""
        return dataset_budgets(self.store, dataset_ids)

    def cancel(self, job_id: str, principal: Principal) -> JobView:
        record = self.store.get_job(job_id, principal)
        if not record.state.is_terminal:
            try:
                record = self.store.transition_job(job_id, principal, JobState.CANCELLED)
            except ConflictError:
                record = self.store.get_job(job_id, principal)  # it finished meanwhile; report that
            else:
                self.runner.cancel(record)
        return self.get(job_id, principal)

    def synthetic_csv_key(self, job_id: str, principal: Principal) -> str:
        """Storage key of a succeeded job's CSV; NotFound if the job has none (yet)."""
        record = self.store.get_job(job_id, principal)
        if record.state is not JobState.SUCCEEDED:
            raise NotFoundError(f"job {job_id!r} is {record.state}; its synthetic data is available once it "
                                "has succeeded")
        return self._artifact(job_id, SYNTHETIC_CSV_KIND, principal)

    def confirmed_schema(self, job_id: str, principal: Principal) -> dict[str, Any]:
        """The ``domain_data``/``info_data`` the job was confirmed with (NotFound for a job that kept none)."""
        return dict(json.loads(self.storage.get_bytes(self._artifact(job_id, CONFIRMED_SCHEMA_KIND, principal))))

    def result_session(self, job_id: str, principal: Principal) -> ResultSession:
        """Real + synthetic tables of a succeeded job: from memory, else from its artifacts."""
        owner = None if principal.is_admin else principal.subject
        cached = self.results.get(job_id, owner)
        if cached is not None:
            return cached
        csv_key = self.synthetic_csv_key(job_id, principal)
        bundle = read_request(self.storage, self._artifact(job_id, JOB_REQUEST_KIND, principal))
        real = read_parquet(self.storage, bundle.input_key)
        synthetic = read_csv(self.storage.get_bytes(csv_key), bundle.csv_format())
        report = json.loads(self.storage.get_bytes(self._artifact(job_id, PRIVACY_REPORT_KIND, principal)))
        record = self.store.get_job(job_id, principal)
        card = run_card(str(record.params.get("dataset_name") or f"job {job_id}"), real, synthetic, bundle.metadata,
                        method=bundle.method, epsilon=bundle.epsilon, delta=bundle.delta, seed=bundle.seed,
                        run_at=record.finished_at)
        session = ResultSession(real, bundle.metadata, synthetic, card, report)
        self.results.put(job_id, bundle.owner, session)
        return session

    def _artifact(self, job_id: str, kind: str, principal: Principal) -> str:
        return self.store.get_artifact(job_id, kind, principal).storage_key


def _csv_fields(fmt: CsvFormat) -> dict[str, Any]:
    """The bundle's fields for how the synthetic CSV is written."""
    return {"null_token": fmt.null_token, "datetime_formats": dict(fmt.datetime_formats),
            "decimals": dict(fmt.decimals), "output_dialect": fmt.dialect_json()}
