"""The HTTP API's response models (``*Public``) and their builders from service objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from web_app.job_service import JobView


class Message(BaseModel):
    message: str


class ErrorBody(BaseModel):
    error: str
    message: str
    hint: str | None = None


class ErrorResponse(BaseModel):
    detail: ErrorBody


class ProgressPublic(BaseModel):
    stage: str
    fraction: float


class FailurePublic(BaseModel):
    code: str
    message: str


class ArtifactPublic(BaseModel):
    kind: str
    size_bytes: int
    sha256: str


class DatasetBudgetPublic(BaseModel):
    """A dataset's odometer: its charged jobs composed (zCDP), as one (ε, δ)."""

    dataset_id: str
    jobs: int
    rho: float
    epsilon: float
    delta: float


class JobSummary(BaseModel):
    job_id: str
    status: str
    method: str
    params: dict[str, Any]
    progress: ProgressPublic
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    status_url: str
    dataset_budget: DatasetBudgetPublic | None = None


class JobPublic(JobSummary):
    error: FailurePublic | None
    artifacts: list[ArtifactPublic]
    ledger: list[dict[str, Any]]
    privacy_report: dict[str, Any] | None
    backend: str
    submission: dict[str, Any]
    session_available: bool
    download_url: str
    session_id: str  # the predecessor's name for the job id


class JobsPublic(BaseModel):
    data: list[JobSummary]
    count: int


class ConfirmPublic(JobPublic):
    message: str


class PreviewPublic(BaseModel):
    unique_id: str
    domain_data: dict[str, Any]
    info_data: dict[str, Any]
    message: str


class MethodPublic(BaseModel):
    name: str
    summary: str
    parameters: list[dict[str, Any]]


class MethodsPublic(BaseModel):
    data: list[MethodPublic]
    count: int


class WhoAmIPublic(BaseModel):
    """Who the service thinks is calling, and the upload limits the UI should enforce before posting."""

    subject: str | None
    is_admin: bool
    auth_mode: str
    max_upload_bytes: int
    max_columns: int


class EvaluatePublic(BaseModel):
    message: str
    results: dict[str, Any]


def job_public(view: JobView) -> JobPublic:
    record = view.record
    return JobPublic(
        job_id=record.id, status=record.state.value, method=record.method, params=record.params,
        progress=ProgressPublic(stage=record.progress.stage, fraction=record.progress.fraction),
        created_at=record.created_at, started_at=record.started_at, finished_at=record.finished_at,
        error=FailurePublic(code=record.error.code, message=record.error.message) if record.error else None,
        artifacts=[ArtifactPublic(kind=a.kind, size_bytes=a.size_bytes, sha256=a.sha256) for a in view.artifacts],
        ledger=[{"stage": e.stage, "measured": e.measured, "rho": e.rho, "mechanism": e.mechanism,
                 "sigma": e.sigma, "epsilon": e.epsilon, "count": e.count} for e in view.ledger],
        privacy_report=view.privacy_report, backend=record.backend, submission=record.submission,
        session_available=view.session_available, status_url=f"/jobs/{record.id}",
        download_url=f"/download_synthesized_data/{record.id}", session_id=record.id,
        dataset_budget=DatasetBudgetPublic(**view.dataset.to_json()) if view.dataset else None,
    )
