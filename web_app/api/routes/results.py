"""Results of a succeeded job (``session_id`` is the job id): the synthetic CSV, streamed, and the
non-DP evaluation against the real data — ``POST /evaluate`` (the report as JSON) and
``GET /evaluate/{session_id}/report`` (the same report as one self-contained HTML page); both take an optional
``target`` column for the utility check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from web_app.api.deps import ServicesDep
from web_app.api.errors import error_responses
from web_app.api.legacy import result_job_id
from web_app.api.schemas import EvaluatePublic
from web_app.auth import CurrentPrincipal
from web_app.evaluation.report import render_html

router = APIRouter(tags=["results"], responses=error_responses(401, 404, 422))
CHUNK_BYTES = 1024 * 1024
TARGET_HELP = ("a column to predict: adds TSTR vs TRTR utility (a model trained on the synthetic rows vs one "
               "trained on real rows, both tested on held-out real rows)")


@router.get("/download_synthesized_data/{session_id}", operation_id="results-download",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def download_synthesized_data(session_id: str, principal: CurrentPrincipal,
                              services: ServicesDep) -> StreamingResponse:
    """The synthetic CSV of a succeeded job, streamed from the artifact store (404 before).

    ``session_id`` is the job id, or (legacy clients) the preview's ``unique_id``: its newest succeeded job.
    """
    session_id = result_job_id(services, session_id, principal)
    key = services.jobs.synthetic_csv_key(session_id, principal)
    params = services.store.get_job(session_id, principal).params
    stream = services.storage.open_stream(key)

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
        finally:
            stream.close()

    headers = {"Content-Disposition": f'attachment; filename="{download_name(params, session_id)}"',
               "Content-Length": str(services.storage.size(key))}
    output_format = params.get("output_format")
    encoding = output_format.get("encoding", "utf-8") if isinstance(output_format, dict) else "utf-8"
    return StreamingResponse(chunks(), media_type=f"text/csv; charset={encoding}", headers=headers)


def download_name(params: dict[str, Any], job_id: str) -> str:
    """``<data set>_synthetic.csv`` (ASCII letters, digits, ``. _ -`` only), ``synthetic_<job id>.csv`` without a name.

    >>> download_name({"dataset_name": "Parcels 2024 (v2)"}, "ab12"), download_name({}, "ab12")
    ('Parcels_2024_v2_synthetic.csv', 'synthetic_ab12.csv')
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(params.get("dataset_name") or "")).strip("._")
    return f"{name}_synthetic.csv" if name else f"synthetic_{job_id}.csv"



@router.post("/evaluate", response_model=EvaluatePublic, operation_id="results-evaluate")
async def evaluate_session(session_id: Annotated[str, Form()], principal: CurrentPrincipal, services: ServicesDep,
                           target: Annotated[str | None, Form(description=TARGET_HELP)] = None) -> EvaluatePublic:
    """Evaluate the synthetic table against the real one: run card, privacy report, verdict, fidelity, utility
    (with a ``target``) and disclosure checks (not differentially private; owner only)."""
    session_id = await run_in_threadpool(result_job_id, services, session_id, principal)  # or a preview's id
    session = await run_in_threadpool(services.jobs.result_session, session_id, principal)
    report = await run_in_threadpool(session.evaluation, target or None)
    return EvaluatePublic(message="Evaluation against the real data (not differentially private; owner only).",
                          results=report)


# The route class stays the plain Response so that its errors are documented as JSON
# (HTMLResponse as the class would make OpenAPI list the error envelope as text/html).
@router.get("/evaluate/{session_id}/report", response_class=Response, operation_id="results-report",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}})
async def evaluation_report(session_id: str, principal: CurrentPrincipal, services: ServicesDep,
                            target: Annotated[str | None, Query(description=TARGET_HELP)] = None) -> HTMLResponse:
    """The evaluation of ``POST /evaluate`` as one self-contained HTML page (same figures, same seed)."""
    session = await run_in_threadpool(services.jobs.result_session, session_id, principal)
    report = await run_in_threadpool(session.evaluation, target or None)
    return HTMLResponse(render_html(report, title=f"Evaluation of {report.card.dataset}"))
