"""Service routes: ``GET /`` (the app or a JSON greeting),
liveness, readiness, the caller's identity, the method catalogue and the sample datasets."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from privsyn_platform.errors import NotFoundError
from web_app.api.deps import ServicesDep
from web_app.api.errors import error_response, error_responses
from web_app.api.frontend import root_reply
from web_app.api.legacy import LEGACY_ROOT
from web_app.api.schemas import (
    Message,
    MethodParameterPublic,
    MethodPublic,
    MethodsPublic,
    StatusPublic,
    WhoAmIPublic,
)
from web_app.auth import CurrentPrincipal
from web_app.methods_dispatcher import list_methods
from web_app.preview_service import SAMPLE_DATASETS

router = APIRouter(tags=["service"])


@router.get("/", response_model=Message, operation_id="service-root",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}})
def root(request: Request) -> Message | Response:
    """The browser app to a browser (``Accept: text/html``, when built); ``{"message": …}`` to every other client."""
    return root_reply(request) or Message(**LEGACY_ROOT)


@router.get("/healthz", response_model=StatusPublic, operation_id="service-healthz")
async def healthz() -> StatusPublic:
    """Liveness: answers ``ok`` whenever the process serves requests (also while jobs run)."""
    return StatusPublic(status="ok")


@router.get("/readyz", response_model=StatusPublic, operation_id="service-readyz",
            responses=error_responses(503))
def readyz(services: ServicesDep) -> StatusPublic | JSONResponse:
    """Readiness: ``ready`` when the metadata store and object storage answer, else 503."""
    try:
        services.store.check()
        services.storage.check()
    except Exception as e:  # readiness reports any dependency failure as 503
        return error_response(503, "not_ready", f"{type(e).__name__}: {e}")
    return StatusPublic(status="ready")


@router.get("/whoami", response_model=WhoAmIPublic, operation_id="service-whoami",
            responses=error_responses(401))
def whoami(principal: CurrentPrincipal, services: ServicesDep) -> WhoAmIPublic:
    """The caller (``local`` when auth is off) and the limits an upload must respect."""
    settings = services.settings
    return WhoAmIPublic(subject=principal.subject, is_admin=principal.is_admin, auth_mode=settings.auth_backend,
                        max_upload_bytes=settings.max_upload_bytes, max_columns=settings.max_columns,
                        max_synthesis_columns=settings.max_synthesis_columns)


@router.get("/methods", response_model=MethodsPublic, operation_id="service-methods")
def methods() -> MethodsPublic:
    """The synthesis methods: a one-line summary and the knobs (type, default, range, help)."""
    data = [MethodPublic(name=m.name, summary=m.summary,
                         parameters=[MethodParameterPublic.model_validate(p) for p in m.parameters])
            for m in list_methods()]
    return MethodsPublic(data=data, count=len(data))


@router.get("/sample_dataset/{name}", operation_id="service-sample-dataset",
            response_class=FileResponse,
            responses={**error_responses(404, 422), 200: {"content": {"application/zip": {}}}})
def sample_dataset(name: str) -> FileResponse:
    """A bundled sample table as a zip (``adult``: the UCI Adult census sample)."""
    path = SAMPLE_DATASETS.get(name)
    if path is None:
        raise NotFoundError(f"no sample dataset {name!r}; samples are: {', '.join(SAMPLE_DATASETS)}")
    return FileResponse(path, media_type="application/zip", filename=f"{name}.csv.zip")
