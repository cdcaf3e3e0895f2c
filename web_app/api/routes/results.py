"""Results of a succeeded job (``session_id`` is the job id): the synthetic CSV, streamed, and the
non-DP evaluation against the real data — ``POST /evaluate`` (JSON) and ``GET /evaluate/{session_id}/report``
(the self-contained HTML report)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from web_app.api.deps import ServicesDep
from web_app.api.errors import error_responses
from web_app.api.legacy import result_job_id
from web_app.api.schemas import ComparisonPublic, EvaluatePublic
from web_app.auth import CurrentPrincipal
from web_app.evaluation.report import render_html

router = APIRouter(tags=["results"], responses=error_responses(401, 404, 422))
CHUNK_BYTES = 1024 * 1024


@router.get("/download_synthesized_data/{session_id}", operation_id="results-download",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def download_synthesized_data(session_id: str, principal: CurrentPrincipal,
                              services: ServicesDep) -> StreamingResponse:
    """The synthetic CSV of a succeeded job, streamed from the artifact store (404 before).

    ``session_id`` is the job id, or (legacy clients) the preview's ``unique_id``: its newest succeeded job.
    """
    session_id = result_job_id(services, session_id, principal)
    key = services.jobs.synthetic_csv_key(session_id, principal)
    stream = services.storage.open_stream(key)

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
        finally:
            stream.close()

    headers = {"Content-Disposition": f'attachment; filename="synthetic_{session_id}.csv"',
               "Content-Length": str(services.storage.size(key))}
    return StreamingResponse(chunks(), media_type="text/csv", headers=headers)


@router.post("/evaluate", response_model=EvaluatePublic, operation_id="results-evaluate")
async def evaluate_session(session_id: Annotated[str, Form()], principal: CurrentPrincipal,
                           services: ServicesDep) -> EvaluatePublic:
    """Compare the synthetic table with the real one (not differentially private; owner only)."""
    session_id = await run_in_threadpool(result_job_id, services, session_id, principal)  # or a preview's id
    session = await run_in_threadpool(services.jobs.result_session, session_id, principal)
    report = await run_in_threadpool(session.evaluation)
    return EvaluatePublic(message="Evaluation against the real data (not differentially private; owner only).",
                          results=ComparisonPublic.model_validate(report.to_json()))


# The route class stays the plain Response so that its errors are documented as JSON
# (HTMLResponse as the class would make OpenAPI list the error envelope as text/html).
@router.get("/evaluate/{session_id}/report", response_class=Response, operation_id="results-report",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}})
async def evaluation_report(session_id: str, principal: CurrentPrincipal,
                            services: ServicesDep) -> HTMLResponse:
    """The evaluation of ``POST /evaluate`` as a self-contained HTML page with plots."""
    session = await run_in_threadpool(services.jobs.result_session, session_id, principal)
    report = await run_in_threadpool(session.evaluation)
    return HTMLResponse(render_html(report, title=f"Evaluation of job {session_id}",
                                    privacy_summary=session.privacy_summary))
