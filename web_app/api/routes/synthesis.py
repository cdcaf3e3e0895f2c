"""Preview and confirm: ``POST /synthesize`` and ``POST /confirm_synthesis`` (multipart/form fields), and
``GET /previews/{preview_id}`` to read a preview back and ``DELETE /previews/{preview_id}`` to delete it
(owner-scoped, 404 once expired).

The two form routes read their forms by hand (``web_app.api.edge.read_form``: form media types only, field
and size limits, a truncated body refused; ``web_app.api.forms``: legacy text fields, lenient); their
request bodies are documented by ``openapi_extra``.
"""

from __future__ import annotations

import asyncio
import functools

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from privsyn_platform.metadata_records import JobState
from web_app.api.deps import ServicesDep
from web_app.api.edge import read_form
from web_app.api.errors import error_response, error_responses
from web_app.api.forms import (
    ConfirmForm,
    SynthesizeForm,
    display_params,
    field,
    form_body,
    synthesis_request,
    wants_to_wait,
)
from web_app.api.legacy import LEGACY_CONFIRMED, is_legacy, legacy_missing_file
from web_app.api.schemas import ConfirmPublic, PreviewPublic, job_public, preview_public
from web_app.auth import CurrentPrincipal
from web_app.ingestion.errors import DataError

router = APIRouter(tags=["synthesis"], responses=error_responses(401, 422))
PREVIEW_MESSAGE = "Review the inferred schema, then confirm to start synthesis."
#: Confirms prepared at once (each copies its table): 60 simultaneous confirms of a large upload must not
#: take 60 copies of it, nor every CPU the event loop needs; the others wait, holding no thread.
CONFIRMS_AT_ONCE = 2


def _confirm_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's confirm limiter on the running event loop (created on first use: limiters belong to a loop)."""
    loop = asyncio.get_running_loop()
    held: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = getattr(
        request.app.state, "confirm_limiter", None)
    if held is None or held[0] is not loop:
        held = request.app.state.confirm_limiter = (loop, anyio.CapacityLimiter(CONFIRMS_AT_ONCE))
    return held[1]


@router.post("/synthesize", response_model=PreviewPublic, operation_id="synthesis-preview",
             openapi_extra=form_body(SynthesizeForm), responses=error_responses(400, 408, 413, 415))
async def synthesize(request: Request, principal: CurrentPrincipal,
                     services: ServicesDep) -> PreviewPublic | JSONResponse:
    """Upload a table (or name a bundled sample) and get its inferred schema to review.

    The run settings are validated here already; the table is kept as a preview for the confirm.
    """
    form = await read_form(request, max_form_bytes=services.settings.max_form_bytes, file_fields=("data_file",))
    upload = form.get("data_file")
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    params = {**display_params(form), "method": field(form, "method"), "epsilon": field(form, "epsilon"),
              "delta": field(form, "delta")}
    try:
        preview = await run_in_threadpool(
            services.previews.create_preview, upload.file if upload else None, upload.filename if upload else None,
            field(form, "dataset_name"), synthesis_request(form), params, principal)
    except DataError as error:
        answer = legacy_missing_file(form, error)
        if answer is None:
            raise
        return answer
    return preview_public(preview.id, preview.domain_data, preview.info_data, PREVIEW_MESSAGE)


@router.get("/previews/{preview_id}", response_model=PreviewPublic,
            operation_id="synthesis-preview-get", responses=error_responses(404))
async def get_preview(preview_id: str, principal: CurrentPrincipal, services: ServicesDep) -> PreviewPublic:
    """The reply ``POST /synthesize`` gave for this preview (its inferred draft, not a later confirm's edits)."""
    domain_data, info_data = await run_in_threadpool(services.previews.read_payload, preview_id, principal)
    return preview_public(preview_id, domain_data, info_data, PREVIEW_MESSAGE)


@router.delete("/previews/{preview_id}", status_code=204, operation_id="synthesis-preview-delete",
               responses=error_responses(404))
async def delete_preview(preview_id: str, principal: CurrentPrincipal, services: ServicesDep) -> None:
    """Delete a preview now: its stored upload and inferred draft (jobs confirmed from it keep theirs)."""
    await run_in_threadpool(services.previews.delete, preview_id, principal)


@router.post("/confirm_synthesis", response_model=ConfirmPublic, operation_id="synthesis-confirm",
             openapi_extra=form_body(ConfirmForm),
             responses=error_responses(400, 404, 408, 413, 415, 502))
async def confirm_synthesis(request: Request, principal: CurrentPrincipal,
                            services: ServicesDep) -> ConfirmPublic | JSONResponse:
    """Confirm a preview's reviewed schema and start the synthesis job.

    Everything is validated before the job exists (a 4xx leaves the preview for another
    confirm). With ``wait`` (the default) and the inline runner the reply comes once the job has
    ended; a job that failed then answers 422 with its own failure code.
    """
    form = await read_form(request, max_form_bytes=services.settings.max_form_bytes)
    confirm = functools.partial(
        services.previews.confirm, field(form, "unique_id"), field(form, "confirmed_domain_data"),
        field(form, "confirmed_info_data"), synthesis_request(form), principal, display=display_params(form))
    job = await anyio.to_thread.run_sync(confirm, limiter=_confirm_limiter(request))
    if wants_to_wait(form):
        await services.jobs.wait(job.id)  # holds no thread: 60 waiting confirms must not starve /healthz
    view = await run_in_threadpool(services.jobs.get, job.id, principal)
    if view.record.state is JobState.FAILED and view.record.error is not None:
        return error_response(422, view.record.error.code, view.record.error.message)
    succeeded = LEGACY_CONFIRMED if is_legacy(form) else "Synthesis finished; the CSV is ready to download."
    message = {"succeeded": succeeded}.get(
        view.record.state.value, f"Synthesis job {view.record.state.value}; poll status_url for progress.")
    sent = form.get("dataset_name")  # echoed as sent, as the predecessor did (blank for its uploads)
    name = sent if isinstance(sent, str) else str(view.record.params.get("dataset_name") or field(form, "dataset_name"))
    return ConfirmPublic(**job_public(view).model_dump(), message=message, dataset_name=name)
