"""The job lifecycle the routes call: confirm a table into a durable job, observe, cancel, fetch results.

Owns the user's intent and ownership: every read goes through the metadata store with the caller's
principal (another owner's job is a ``NotFoundError`` → 404), state changes go through the store's state
machine, and the runner only decides *where* a job runs. Results are served only for ``succeeded`` jobs.
Previews (upload → inferred schema → confirm) live in :mod:`web_app.preview_service`.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from method.api import PrivacySpec, TableMetadata
from method.api.privacy import cdp_epsilon
from privsyn_platform.auth import Principal
from privsyn_platform.errors import ConflictError, NotFoundError
from privsyn_platform.metadata_records import ArtifactRecord, JobRecord, JobState, LedgerEntryRecord
from privsyn_platform.metadata_store import MetadataStore, new_id
from privsyn_platform.object_storage import ObjectStorage
from web_app.evaluation.evaluate import EvaluationReport, RunCard, evaluate, run_card
from web_app.job_bundle import (
    CONFIRMED_INPUT_KIND,
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
from web_app.sessions import SessionStore
from web_app.synthesis_service import DomainStory, SynthesisRequest

#: How many of an owner's jobs the odometer reads (newest first).
ODOMETER_SCAN_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class DatasetBudget:
    """A dataset's odometer: the jobs on one upload that were charged, composed (zCDP: their ρ add).

    Job ``i`` is ρ_i-zCDP except on its thresholds' events (δ reserved by DP category discovery), so
    the runs together are (ε, δ)-DP with ε = ``cdp_epsilon(Σρ_i, δ_c)`` at the smallest conversion δ_c of
    the jobs and δ = δ_c + the thresholds' δ. A job counts once it may have drawn noise: always while
    queued, running or succeeded; when it failed or was cancelled, only if its confirm discovered a
    domain with DP or its run had started (reported progress).
    """

    dataset_id: str
    jobs: int = 0
    rho: float = 0.0
    conversion_delta: float = 1.0
    threshold_delta: float = 0.0

    @property
    def delta(self) -> float:
        return min(self.conversion_delta, 1.0) + self.threshold_delta if self.jobs else 0.0

    @property
    def epsilon(self) -> float:
        return cdp_epsilon(self.rho, self.conversion_delta) if self.jobs else 0.0

    def adding(self, rho: float, conversion_delta: float, threshold_delta: float) -> DatasetBudget:
        return DatasetBudget(self.dataset_id, self.jobs + 1, self.rho + rho,
                             min(self.conversion_delta, conversion_delta), self.threshold_delta + threshold_delta)

    def to_json(self) -> dict[str, Any]:
        return {"dataset_id": self.dataset_id, "jobs": self.jobs, "rho": self.rho, "epsilon": self.epsilon,
                "delta": self.delta}


def _charged(record: JobRecord) -> bool:
    if record.state in (JobState.FAILED, JobState.CANCELLED):
        return bool(record.params.get("noise_at_confirm")) or bool(record.progress.stage)
    return True


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


def _charge_fields(request: SynthesisRequest, story: DomainStory) -> dict[str, Any]:
    """What the odometer needs of a job, kept with its params (the dataset is its preview)."""
    privacy = PrivacySpec(epsilon=request.epsilon, delta=request.delta, threshold_delta=story.threshold_delta)
    return {"rho": privacy.rho, "threshold_delta": story.threshold_delta, "noise_at_confirm": bool(story.spent),
            "domain_mode": story.mode}


def _story_fields(story: DomainStory) -> dict[str, Any]:
    return {"domain_mode": story.mode, "declared": story.declared, "decisions": story.decisions,
            "spent": story.spent, "threshold_delta": story.threshold_delta}


class JobService:
    def __init__(self, store: MetadataStore, storage: ObjectStorage, runner: JobRunner,
                 results: SessionStore[ResultSession]) -> None:
        self.store, self.storage, self.runner, self.results = store, storage, runner, results

    def submit(self, table: pd.DataFrame, metadata: TableMetadata, request: SynthesisRequest,
               principal: Principal, *, null_token: str = "", datetime_formats: dict[str, str] | None = None,
               story: DomainStory | None = None, display: dict[str, Any] | None = None,
               run_limit_s: float | None = None) -> JobRecord:
        """Persist the confirmed input and bundle, create the job, hand it to the runner. The bundle's time
        budget is at most ``run_limit_s``; the job's params keep the budget that was asked for."""
        job_id = new_id()
        table = table[list(metadata.names)]
        input_stored = self.storage.put_bytes(job_key(job_id, "input.parquet"), frame_to_parquet(table))
        run = request.capped(run_limit_s) if run_limit_s is not None else request
        charge = _charge_fields(request, story or DomainStory())
        dataset_id = (display or {}).get("preview_id")
        dataset = None
        if isinstance(dataset_id, str):
            dataset = self.dataset_budget(dataset_id, principal).adding(
                charge["rho"], request.delta - charge["threshold_delta"], charge["threshold_delta"]).to_json()
        bundle = JobRequest(
            job_id=job_id, owner=principal.subject, method=request.method, knobs=dict(request.knobs),
            epsilon=request.epsilon, delta=request.delta, rows=request.rows, seed=request.seed,
            time_budget_s=run.time_budget_s, metadata=metadata, input_key=input_stored.key,
            null_token=null_token, datetime_formats=datetime_formats or {}, created_at=datetime.now(UTC),
            dataset_budget=dataset, **_story_fields(story or DomainStory()),
        )
        request_stored = write_request(self.storage, bundle)
        params = {"epsilon": request.epsilon, "delta": request.delta, "rows": request.rows,
                  "time_budget_s": request.time_budget_s, "knobs": json.loads(json.dumps(dict(request.knobs))),
                  **charge, **(display or {})}
        job = self.store.create_job(principal, method=request.method, params=params, backend=self.runner.name,
                                    job_id=job_id)
        self.store.add_artifact(job_id, principal, kind=CONFIRMED_INPUT_KIND, stored=input_stored)
        self.store.add_artifact(job_id, principal, kind=JOB_REQUEST_KIND, stored=request_stored)
        submission = self.runner.submit(job, request_stored.key)
        return self.store.record_submission(job_id, principal, backend_handle=submission.backend_handle,
                                            diagnostics=json.loads(json.dumps(submission.diagnostics)))

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        self.runner.wait(job_id, timeout)

    def get(self, job_id: str, principal: Principal) -> JobView:
        record = self.store.get_job(job_id, principal)
        if not record.state.is_terminal:
            self.runner.refresh(record)
            record = self.store.get_job(job_id, principal)
        artifacts = tuple(self.store.list_artifacts(job_id, principal))
        ledger = tuple(self.store.list_ledger(job_id, principal))
        stored_report = next((a for a in artifacts if a.kind == PRIVACY_REPORT_KIND), None)
        report = None
        if record.state is JobState.SUCCEEDED and stored_report is not None:
            report = json.loads(self.storage.get_bytes(stored_report.storage_key))
        dataset_id = record.params.get("preview_id")
        dataset = self.dataset_budget(dataset_id, principal) if isinstance(dataset_id, str) else None
        return JobView(record, artifacts, ledger, report, job_id in self.results, dataset)

    def list(self, principal: Principal, limit: int = 100) -> list[JobRecord]:
        return self.store.list_jobs(principal, limit=limit)

    def dataset_budget(self, dataset_id: str, principal: Principal) -> DatasetBudget:
        """The odometer of one dataset (a preview: the upload every re-run of it confirms)."""
        return self.dataset_budgets(principal).get(dataset_id, DatasetBudget(dataset_id))

    def dataset_budgets(self, principal: Principal) -> dict[str, DatasetBudget]:
        """The odometer of every dataset the caller's jobs ran on (every owner's for an admin)."""
        budgets: dict[str, DatasetBudget] = {}
        for record in self.store.list_jobs(principal, limit=ODOMETER_SCAN_LIMIT):
            dataset_id, rho = record.params.get("preview_id"), record.params.get("rho")
            threshold, delta = record.params.get("threshold_delta", 0.0), record.params.get("delta")
            if not (isinstance(dataset_id, str) and isinstance(rho, int | float) and _charged(record)
                    and isinstance(threshold, int | float) and isinstance(delta, int | float)):
                continue
            conversion = delta - threshold
            budgets[dataset_id] = budgets.get(dataset_id, DatasetBudget(dataset_id)).adding(rho, conversion,
                                                                                          threshold)
        return budgets

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

    def result_session(self, job_id: str, principal: Principal) -> ResultSession:
        """Real + synthetic tables of a succeeded job: from memory, else from its artifacts."""
        owner = None if principal.is_admin else principal.subject
        cached = self.results.get(job_id, owner)
        if cached is not None:
            return cached
        csv_key = self.synthetic_csv_key(job_id, principal)
        bundle = read_request(self.storage, self._artifact(job_id, JOB_REQUEST_KIND, principal))
        real = read_parquet(self.storage, bundle.input_key)
        synthetic = pd.read_csv(io.BytesIO(self.storage.get_bytes(csv_key)), keep_default_na=False,
                                na_values=[bundle.null_token or ""])
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
