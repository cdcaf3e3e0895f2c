"""The confirmed job bundle: everything a worker needs, as validated JSON (never a pickle).

A confirmed job is two objects in object storage: the confirmed input table (Parquet) and its
``job_request.json`` (:class:`JobRequest`). Any worker — in the API process, a local subprocess, a Slurm
node or a cloud container — rebuilds the run from those two alone. Keys are made here, from ids the
server generated, never from user text.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from method.api import TableMetadata
from method.api.privacy import LedgerEntry
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.object_storage_base import StoredObject
from web_app.review.output import CsvFormat
from web_app.synthesis_service import DomainStory, SynthesisRequest

JOB_REQUEST_KIND = "job_request"
CONFIRMED_INPUT_KIND = "confirmed_input"
SYNTHETIC_CSV_KIND = "synthetic_csv"
PRIVACY_REPORT_KIND = "privacy_report"
CONFIRMED_SCHEMA_KIND = "confirmed_schema"  # the reviewed payload the run was confirmed with (re-run restores it)


def job_key(job_id: str, name: str) -> str:
    """Storage key of a job's object (``job_id`` is server-generated).

    >>> job_key("0f3a", "job_request.json")
    'jobs/0f3a/job_request.json'
    """
    return f"jobs/{job_id}/{name}"


def preview_key(preview_id: str, name: str) -> str:
    return f"previews/{preview_id}/{name}"


class JobRequest(BaseModel):
    """``job_request.json``: the confirmed run, validated on read by every worker."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    owner: str
    method: str
    knobs: dict[str, Any] = Field(default_factory=dict)
    epsilon: float
    delta: float
    rows: int | None = None
    seed: int | None = None
    time_budget_s: float | None = None
    metadata: TableMetadata
    input_key: str
    null_token: str = ""
    datetime_formats: dict[str, str] = Field(default_factory=dict)
    decimals: dict[str, int] = Field(default_factory=dict)
    output_dialect: dict[str, str] | None = None  # delimiter, decimal mark, encoding; None = standard CSV
    domain_mode: str = "as_confirmed"
    declared: tuple[str, ...] = ()
    decisions: tuple[dict[str, Any], ...] = ()
    spent: tuple[LedgerEntry, ...] = ()  # the confirm's DP domain discovery, charged to this run
    threshold_delta: float = 0.0
    dataset_budget: dict[str, Any] | None = None  # the dataset's odometer with this run, at confirm
    created_at: datetime

    def synthesis_request(self) -> SynthesisRequest:
        return SynthesisRequest(self.method, self.epsilon, self.delta, dict(self.knobs), self.rows, self.seed,
                                self.time_budget_s)

    def csv_format(self) -> CsvFormat:
        return CsvFormat(**(self.output_dialect or {}), null_token=self.null_token,
                         datetime_formats=self.datetime_formats, decimals=self.decimals)

    def story(self) -> DomainStory:
        return DomainStory(self.domain_mode, self.declared, self.decisions, self.spent, self.threshold_delta)


def frame_to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def read_parquet(storage: ObjectStorage, key: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(storage.get_bytes(key)))


def write_request(storage: ObjectStorage, request: JobRequest) -> StoredObject:
    return storage.put_bytes(job_key(request.job_id, "job_request.json"), request.model_dump_json(indent=1).encode())


def read_request(storage: ObjectStorage, key: str) -> JobRequest:
    return JobRequest.model_validate_json(storage.get_bytes(key))
