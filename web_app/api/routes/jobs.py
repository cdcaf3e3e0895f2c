"""Jobs: ``GET /jobs``, ``GET /jobs/{job_id}``, ``GET /jobs/{job_id}/schema``, ``POST /jobs/{job_id}/cancel``,
``DELETE /jobs/{job_id}``
(owner-scoped)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from web_app.api.deps import ServicesDep
from web_app.api.errors import error_responses
from web_app.api.schemas import (
    DatasetBudgetPublic,
    DomainData,
    InfoData,
    JobPublic,
    JobSchemaPublic,
    JobsPublic,
    JobSummary,
    ProgressPublic,
    job_public,
)
from web_app.auth import CurrentPrincipal
from web_app.jobs.dataset_budget import DatasetBudget

router = APIRouter(tags=["jobs"], responses=error_responses(401))


@router.get("/jobs", response_model=JobsPublic, operation_id="jobs-list", responses=error_responses(404, 422))
def list_jobs(principal: CurrentPrincipal, services: ServicesDep,
              limit: Annotated[int, Query(ge=1, le=500, description="jobs per page")] = 100,
              before: Annotated[str | None, Query(max_length=64, description="only jobs older than this job "
                                                  "(the next page: follow next_url)")] = None) -> JobsPublic:
    """A page of the caller's jobs, newest first (every owner's for an admin), without ledger or report.

    Each listed job that is not final is reconciled first (a lost worker shows as ``failed`` here).
    """
    records = services.jobs.list(principal, limit=limit, before=before)
    budgets = services.jobs.dataset_budgets({str(r.params["preview_id"]) for r in records
                                             if isinstance(r.params.get("preview_id"), str)})
    data = [JobSummary(job_id=r.id, status=r.state.value, method=r.method, params=r.params,
                       progress=ProgressPublic(stage=r.progress.stage, fraction=r.progress.fraction,
                                               message=r.progress.message),
                       created_at=r.created_at, started_at=r.started_at,
                       finished_at=r.finished_at, status_url=f"/jobs/{r.id}",
                       dataset_budget=_budget(budgets.get(str(r.params.get("preview_id")))))
            for r in records]
    next_url = f"/jobs?{urlencode({'limit': limit, 'before': records[-1].id})}" if len(records) == limit else None
    return JobsPublic(data=data, count=len(data), next_url=next_url)


def _budget(budget: DatasetBudget | None) -> DatasetBudgetPublic | None:
    return DatasetBudgetPublic(**budget.to_json()) if budget is not None else None


@router.get("/jobs/{job_id}", response_model=JobPublic, operation_id="jobs-get",
            responses=error_responses(404, 422))
def get_job(job_id: str, principal: CurrentPrincipal, services: ServicesDep) -> JobPublic:
    """One job: state, progress, artifacts, ledger and, once it succeeded, its privacy report.

    The job is reconciled with its executor first (a dead worker makes it ``failed``, ``worker_died``;
    one that stopped renewing its lease ``worker_lost``; one past ``PRIVSYN_JOB_TIMEOUT_MIN`` ``timeout``).
    """
    return job_public(services.jobs.get(job_id, principal))


@router.get("/jobs/{job_id}/schema", response_model=JobSchemaPublic, operation_id="jobs-schema",
            responses=error_responses(404, 422))
def get_job_schema(job_id: str, principal: CurrentPrincipal, services: ServicesDep) -> JobSchemaPublic:
    """The reviewed schema the job was confirmed with (``domain_data``, ``info_data``), for a re-run with changes.

    404 for an unknown job, another owner's, or one confirmed before schemas were kept.
    """
    schema = services.jobs.confirmed_schema(job_id, principal)
    preview_id = services.store.get_job(job_id, principal).params.get("preview_id")
    return JobSchemaPublic(job_id=job_id, preview_id=preview_id if isinstance(preview_id, str) else None,
                           domain_data=DomainData.model_validate(schema["domain_data"]),
                           info_data=InfoData.model_validate(schema["info_data"]))


@router.post("/jobs/{job_id}/cancel", response_model=JobPublic, operation_id="jobs-cancel",
             responses=error_responses(404, 422))
def cancel_job(job_id: str, principal: CurrentPrincipal, services: ServicesDep) -> JobPublic:
    """Cancel a job (final: no late worker revives it); a finished job is returned unchanged."""
    return job_public(services.jobs.cancel(job_id, principal))


@router.delete("/jobs/{job_id}", status_code=204, operation_id="jobs-delete",
               responses=error_responses(404, 409, 422))
async def delete_job(job_id: str, principal: CurrentPrincipal, services: ServicesDep) -> None:
    """Delete a finished job's stored data now: its confirmed (real) input, synthetic CSV, privacy report,
    ledger and cached session. A queued or running job answers 409 (cancel it first). What the job spent
    still counts in its dataset's odometer."""
    await run_in_threadpool(services.jobs.delete, job_id, principal)
