"""The HTTP API's models: replies (``*Public``), the review payload, the privacy report and the
error envelope, and the builders of replies from service objects.

Several payloads are sparse dicts built by the services (a column of the review payload, a knob's
description). Their optional keys use pydantic's ``MISSING`` sentinel: a key that was not given
stays out of the JSON (never written as ``null``) and is optional in the OpenAPI schema. Fields are
declared in the order the services write them, so a reply is the same JSON, byte for byte, as the
dict it came from. The review payload's models allow unknown keys: legacy clients send their own,
and they are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import MISSING, BaseModel, ConfigDict, Field, RootModel

from web_app.evaluation.evaluate import EvaluationReport
from web_app.job_service import JobView

Scalar = str | int | float | bool
"""A category or knob value; the union keeps each JSON type (``1``, ``1.0``, ``"1"``, ``true``)."""
Number = int | float
"""A number written as it was given (``17`` stays ``17``, ``17.0`` stays ``17.0``)."""


class Message(BaseModel):
    message: str


class StatusPublic(BaseModel):
    """Liveness or readiness: ``ok`` or ``ready``."""

    status: str


class ErrorBody(BaseModel):
    """What went wrong: a stable code, a sentence naming the bad value, and what to do about it."""

    error: str
    message: str
    hint: str | MISSING = MISSING


class ErrorResponse(BaseModel):
    """The error envelope of every route (4xx and 5xx, request validation's 422 included)."""

    detail: ErrorBody


# ------------------------------------------------------------------------------ the review payload


class Bounds(BaseModel):
    """A range: numbers, or dates in the column's format; ``null`` on confirm: the data's own."""

    model_config = ConfigDict(extra="allow")

    min: Number | str | None
    max: Number | str | None


class Binning(BaseModel):
    """How a numerical or datetime column is cut into bins (``edges``: the caller's own, public)."""

    model_config = ConfigDict(extra="allow")

    method: str = Field(description="uniform, exponential, or a DP binning: privtree, dawa")
    bins: int
    bin_count: int | MISSING = Field(MISSING, description="legacy clients' name for bins (the draft sends both)")
    edges: list[Number | str] | MISSING = MISSING


class ColumnEntry(BaseModel):
    """``domain_data[column]``: a kept column as inferred, then as confirmed (docs/data.md).

    Categorical columns carry ``categories`` and their companions, numerical and datetime columns
    ``bounds`` and ``binning``; ``provenance`` is ``data`` for values read off the private data
    (not DP). An entry is used only if its column is declared public (``info_data.declared_public``
    or the ``as_confirmed`` mode); otherwise it is a suggestion and every fact is discovered with DP.
    """

    model_config = ConfigDict(extra="allow")

    type: Literal["categorical", "numerical", "datetime"]
    categories: list[Scalar] | None | MISSING = Field(
        MISSING, description="the category list; null: discovered with DP on confirm")
    categories_preview: list[Scalar] | MISSING = MISSING
    value_counts: dict[str, int] | MISSING = MISSING
    categories_from_data: bool | MISSING = MISSING
    category_null_token: str | MISSING = MISSING
    special_token: str | Number | MISSING = MISSING
    excluded_strategy: str | MISSING = Field(
        MISSING, description="values outside the categories: map_to_special or resample")
    numeric_candidate_summary: Bounds | MISSING = MISSING
    bounds: Bounds | MISSING = MISSING
    numeric_summary: Bounds | MISSING = MISSING
    binning: Binning | MISSING = MISSING
    size: int | MISSING = MISSING
    dtype: str | MISSING = MISSING
    provenance: str | MISSING = MISSING
    integer: bool | MISSING = MISSING
    nullable: bool | MISSING = MISSING
    datetime_format: str | None | MISSING = MISSING
    decimals: int | None | MISSING = Field(
        MISSING, description="numerical columns that are not whole: decimals of the output (0–6; null: full "
                             "precision); used when the column is declared, else discovered with DP")


class OutputFormat(BaseModel):
    """How the input file was written; the output is written the same way once declared."""

    delimiter: Literal[",", ";", "\t", "|"]
    decimal: Literal[".", ","]
    encoding: str


class DomainData(RootModel[dict[str, ColumnEntry]]):
    """``domain_data``: the kept columns, in table order."""


class ReasonPublic(BaseModel):
    """Why the inference chose a column's kind: a stable code and a sentence."""

    code: str
    message: str


class ColumnReport(BaseModel):
    """``info_data.inference_report[column]``: what the inference found; can the kind switch."""

    model_config = ConfigDict(extra="allow")

    kind: str | MISSING = MISSING
    reasons: list[ReasonPublic] | MISSING = MISSING
    switchable: bool | MISSING = MISSING
    high_cardinality: bool | MISSING = MISSING
    suggested_fix: str | None | MISSING = MISSING
    missing: int | MISSING = MISSING
    unique: int | MISSING = MISSING


class InfoData(BaseModel):
    """``info_data``: the table as a whole (its columns, the excluded ones, the inference)."""

    model_config = ConfigDict(extra="allow")

    schema_version: int | MISSING = MISSING
    name: str | MISSING = MISSING
    train_size: int | MISSING = MISSING
    columns: list[str]
    excluded_columns: list[str] = Field(description="the user's exclusions (the draft excludes none)")
    domain_mode: Literal["dp", "as_confirmed"] | MISSING = MISSING
    declared_public: list[str] | MISSING = Field(
        MISSING, description="columns whose confirmed entries are the user's public declaration")
    null_token: str | MISSING = Field(
        MISSING, description="how the output writes a missing cell (used when the file's format is declared)")
    output_format: OutputFormat | MISSING = Field(
        MISSING, description="the input file's delimiter, decimal mark and encoding (used when declared)")
    declared_format: bool | MISSING = Field(
        MISSING, description="true declares the file's format (output_format, null_token) public: the output "
                             "is written like the input; otherwise standard CSV")
    inference_settings: dict[str, Number | bool | list[str]] | MISSING = MISSING
    inference_report: dict[str, ColumnReport] | MISSING = MISSING
    warnings: list[str] | MISSING = MISSING
    num_columns: list[str] | MISSING = Field(MISSING, description="legacy: the columns that are not categorical")
    cat_columns: list[str] | MISSING = Field(MISSING, description="legacy: the categorical columns")
    n_num_features: int | MISSING = MISSING
    n_cat_features: int | MISSING = MISSING


class PreviewPublic(BaseModel):
    unique_id: str
    domain_data: DomainData
    info_data: InfoData
    message: str


class JobSchemaPublic(BaseModel):
    """The reviewed schema a job was confirmed with, and the preview it came from (``null``: none recorded)."""

    job_id: str
    preview_id: str | None
    domain_data: DomainData
    info_data: InfoData


# ------------------------------------------------------------------------------ jobs and privacy


class ProgressPublic(BaseModel):
    stage: str
    fraction: float
    message: str = Field("", description="what the method is doing, for people: e.g. 'round 7 of an estimated 42 "
                                         "(ETA 12 s)' or 'iteration 300 of up to 1000'")


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


class LedgerEntryPublic(BaseModel):
    """One privacy-budget spend: the stage, what it released, ρ (zCDP), the mechanism's σ or ε."""

    stage: str
    measured: str
    rho: float
    mechanism: str = Field(description="gaussian, exponential or composite")
    sigma: float | None
    epsilon: float | None
    count: int = Field(description="queries released together under this entry")


class ColumnProvenancePublic(BaseModel):
    """Where a column's domain came from: ``public``, ``dp`` (charged) or ``data`` (not DP)."""

    name: str
    kind: str
    provenance: str
    binning: str | None


class DecisionPublic(BaseModel):
    """One structural fact of the release and its source: ``declared`` (the user's word), ``dp``
    (derived with DP, ``rho`` charged) or ``default`` (a public rule that never looked at the rows)."""

    column: str = Field(description="the column; empty for a table-level fact such as the null token")
    decision: str = Field(description="kind, excluded, nullable, integer, dtype, datetime_format, decimals, "
                                      "categories, bounds, binning, other_label, null_token or output_format")
    value: Any
    source: Literal["declared", "dp", "default"]
    rho: float


class PrivacyReportPublic(BaseModel):
    """The privacy story of a succeeded run: the target, the spend by stage and by entry, each
    column's domain provenance, every structural decision with its source, where the randomness came
    from, a one-line summary, the row count and the dataset's odometer after this run (no timings:
    they stay in the job's log)."""

    method: str
    epsilon: float
    delta: float
    rho: float
    rho_spent: float
    threshold_delta: float = Field(0.0, description="the part of δ the DP category thresholds use")
    spent_by_stage: dict[str, float]
    ledger: list[LedgerEntryPublic]
    columns: list[ColumnProvenancePublic]
    non_dp_columns: list[str]
    domain_mode: str = Field("as_confirmed", description="dp or as_confirmed")
    declared_columns: list[str] = []
    decisions: list[DecisionPublic] = []
    seeded: bool = False
    randomness: str = Field("", description="where the randomness came from; a seeded run is not "
                            "private against anyone who knows the seed")
    summary: str = Field("", description="one truthful line: what the guarantee covers")
    rows: int
    dataset: DatasetBudgetPublic | None = None


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
    ledger: list[LedgerEntryPublic]
    privacy_report: PrivacyReportPublic | None
    backend: str
    submission: dict[str, Any]
    session_available: bool
    download_url: str
    session_id: str  # the predecessor's name for the job id


class JobsPublic(BaseModel):
    data: list[JobSummary]
    count: int
    next_url: str | None = Field(None, description="the next (older) page, or null on the last page")


class ConfirmPublic(JobPublic):
    message: str
    dataset_name: str = Field(description="the table's display name (the form's dataset_name)")


# ------------------------------------------------------------------------------ the service


class MethodParameterPublic(BaseModel):
    """A method's knob (``method.api.knobs.describe_knobs``): type, default, range or choices."""

    name: str
    type: str = Field(description="int, float, bool or str")
    default: Scalar | None
    help: str
    exclusive_minimum: Number | MISSING = MISSING
    minimum: Number | MISSING = MISSING
    maximum: Number | MISSING = MISSING
    choices: list[str] | MISSING = MISSING
    nullable: bool | MISSING = MISSING


class MethodPublic(BaseModel):
    name: str
    summary: str
    parameters: list[MethodParameterPublic]


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
    max_synthesis_columns: int = Field(200, description="the most columns one run may synthesize; a wider "
                                                         "upload is reviewed after choosing which to keep")


# ------------------------------------------------------------------------------ the evaluation


class EvaluatePublic(BaseModel):
    """The evaluation report (``web_app.evaluation.evaluate``): run card, privacy report, verdict, fidelity,
    utility (``null`` without a target) and disclosure checks. Not differentially private; owner only."""

    message: str
    results: EvaluationReport


def preview_public(unique_id: str, domain_data: dict[str, Any], info_data: dict[str, Any],
                   message: str) -> PreviewPublic:
    """The reply for a preview: its id and the review payload the service drafted."""
    return PreviewPublic(unique_id=unique_id, domain_data=DomainData.model_validate(domain_data),
                         info_data=InfoData.model_validate(info_data), message=message)


def job_public(view: JobView) -> JobPublic:
    """The reply for one job: its record, artifacts, ledger and (once succeeded) privacy report."""
    record = view.record
    return JobPublic(
        job_id=record.id, status=record.state.value, method=record.method, params=record.params,
        progress=ProgressPublic(stage=record.progress.stage, fraction=record.progress.fraction,
                                message=record.progress.message),
        created_at=record.created_at, started_at=record.started_at, finished_at=record.finished_at,
        error=FailurePublic(code=record.error.code, message=record.error.message) if record.error else None,
        artifacts=[ArtifactPublic(kind=a.kind, size_bytes=a.size_bytes, sha256=a.sha256) for a in view.artifacts],
        ledger=[LedgerEntryPublic(stage=e.stage, measured=e.measured, rho=e.rho,
                                  mechanism=e.mechanism, sigma=e.sigma, epsilon=e.epsilon,
                                  count=e.count) for e in view.ledger],
        privacy_report=None if view.privacy_report is None else PrivacyReportPublic.model_validate(
            view.privacy_report),
        backend=record.backend, submission=record.submission,
        session_available=view.session_available, status_url=f"/jobs/{record.id}",
        download_url=f"/download_synthesized_data/{record.id}", session_id=record.id,
        dataset_budget=DatasetBudgetPublic(**view.dataset.to_json()) if view.dataset else None,
    )
