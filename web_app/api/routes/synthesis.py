"""Preview and confirm: ``POST /synthesize`` and ``POST /confirm_synthesis`` (multipart/form fields), and
``GET /previews/{preview_id}`` to read a preview back (owner-scoped, 404 once expired)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from privsyn_platform.metadata_records import JobState
from web_app.api.deps import ServicesDep
from web_app.api.errors import error_response
from web_app.api.forms import display_params, field, synthesis_request, wants_to_wait
from web_app.api.schemas import ConfirmPublic, PreviewPublic, job_public
from web_app.auth import CurrentPrincipal

router = APIRouter(tags=["synthesis"])
# A reviewed schema of a wide table is a large JSON field (10,000 columns ≈ 3 MB); uploads are file parts,
# capped separately by PRIVSYN_MAX_UPLOAD_BYTES.
MAX_FIELD_BYTES = 64 * 1024 * 1024
PREVIEW_MESSAGE = "Review the inferred schema, then confirm to start synthesis."


@router.post("/synthesize", response_model=PreviewPublic, operation_id="synthesis-preview")
async def synthesize(request: Request, principal: CurrentPrincipal, services: ServicesDep) -> PreviewPublic:
    form = await request.form(max_part_size=MAX_FIELD_BYTES)
    upload = form.get("data_file")
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    params = {**display_params(form), "method": field(form, "method"), "epsilon": field(form, "epsilon"),
              "delta": field(form, "delta")}
    preview = await run_in_threadpool(
        services.previews.create_preview, upload.file if upload else None, upload.filename if upload else None,
        field(form, "dataset_name"), synthesis_request(form), params, principal)
    return PreviewPublic(unique_id=preview.id, domain_data=preview.domain_data, info_data=preview.info_data,
                         message=PREVIEW_MESSAGE)


@router.get("/previews/{preview_id}", response_model=PreviewPublic, operation_id="synthesis-preview-get")
async def get_preview(preview_id: str, principal: CurrentPrincipal, services: ServicesDep) -> PreviewPublic:
    """The reply ``POST /synthesize`` gave for this preview (its inferred draft, not a later confirm's edits)."""
    domain_data, info_data = await run_in_threadpool(services.previews.read_payload, preview_id, principal)
    return PreviewPublic(unique_id=preview_id, domain_data=domain_data, info_data=info_data, message=PREVIEW_MESSAGE)


@router.post("/confirm_synthesis", response_model=ConfirmPublic, operation_id="synthesis-confirm")
async def confirm_synthesis(request: Request, principal: CurrentPrincipal, services: ServicesDep):  # type: ignore[no-untyped-def]
    form = await request.form(max_part_size=MAX_FIELD_BYTES)
    job = await run_in_threadpool(
        services.previews.confirm, field(form, "unique_id"), field(form, "confirmed_domain_data"),
        field(form, "confirmed_info_data"), synthesis_request(form), principal, display=display_params(form))
    if wants_to_wait(form):
        await run_in_threadpool(services.jobs.wait, job.id)
    view = await run_in_threadpool(services.jobs.get, job.id, principal)
    if view.record.state is JobState.FAILED and view.record.error is not None:
        return error_response(422, view.record.error.code, view.record.error.message)
    message = {"succeeded": "Synthesis finished; the CSV is ready to download."}.get(
        view.record.state.value, f"Synthesis job {view.record.state.value}; poll status_url for progress.")
    return ConfirmPublic(**job_public(view).model_dump(), message=message)
