"""Jobs: ``GET /jobs``, ``GET /jobs/{job_id}``, ``GET /jobs/{job_id}/schema``, ``POST /jobs/{job_id}/cancel``
(owner-scoped)."""

from __future__ import annotations

from fastapi import APIRouter

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
from web_app.job_service import DatasetBudget

router = APIRouter(tags=["jobs"], responses=error_responses(401))


@router.get("/jobs", response_model=JobsPublic, operation_id="jobs-list")
def list_jobs(principal: CurrentPrincipal, services: ServicesDep) -> JobsPublic:
    """The caller's jobs, newest first (every owner's for an admin), without ledger or report."""
    records = services.jobs.list(principal)
    budgets = services.jobs.dataset_budgets(principal)
    data = [JobSummary(job_id=r.id, status=r.state.value, method=r.method, params=r.params,
                       progress=ProgressPublic(stage=r.progress.stage, fraction=r.progress.fraction),
                       created_at=r.created_at, started_at=r.started_at,
                       finished_at=r.finished_at, status_url=f"/jobs/{r.id}",
                       dataset_budget=_budget(budgets.get(str(r.params.get("preview_id")))))
            for r in records]
    return JobsPublic(data=data, count=len(data))


def _budget(budget: DatasetBudget | None) -> DatasetBudgetPublic | None:
    return DatasetBudgetPublic(**budget.to_json()) if budget is not None else None


@router.get("/jobs/{job_id}", response_model=JobPublic, operation_id="jobs-get",
            responses=error_responses(404, 422))
def get_job(job_id: str, principal: CurrentPrincipal, services: ServicesDep) -> JobPublic:
    """One job: state, progress, artifacts, ledger and, once it succeeded, its privacy report.

    The job is refreshed from its executor first (a dead worker makes it ``failed``,
    ``worker_died``).
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
