"""The FastAPI application factory: settings → services → routers, error handlers, CORS, frontend.

``create_app(settings)`` builds everything from one Settings object (tests pass their own, and may point
``frontend_dist`` at another build);
``web_app.main.app`` — what ``uvicorn web_app.main:app`` serves — is ``create_app()``, built on first access.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from privsyn_platform.metadata_store import metadata_store_from_settings
from privsyn_platform.object_storage import storage_from_settings
from privsyn_platform.settings import Settings, get_settings
from web_app.api.deps import Services
from web_app.api.edge import FORM_OVERHEAD_BYTES, RequestEdge
from web_app.api.errors import error_responses, install_error_handlers
from web_app.api.forms import document_forms
from web_app.api.frontend import FRONTEND_DIST, mount_frontend
from web_app.api.routes import jobs, meta, results, synthesis
from web_app.job_runner import make_job_runner
from web_app.job_service import JobService, result_bytes
from web_app.jobs.upkeep import Upkeep
from web_app.preview_service import PreviewService, preview_bytes
from web_app.sessions import SessionStore


def build_services(settings: Settings) -> Services:
    store = metadata_store_from_settings(settings)
    storage = storage_from_settings(settings)
    runner = make_job_runner(settings, storage, store)
    cache_bytes = settings.session_cache_mb * 2**20 // 2  # half for results, half for previews
    results = SessionStore(settings.session_ttl_seconds, max_bytes=cache_bytes, size_of=result_bytes)
    jobs_service = JobService(store, storage, runner, results, lease_s=settings.job_lease_s,
                              timeout_min=settings.job_timeout_min)
    previews = PreviewService(settings, store, storage, jobs_service,
                              SessionStore(settings.session_ttl_seconds, max_bytes=cache_bytes, size_of=preview_bytes))
    return Services(settings, store, storage, runner, jobs_service, previews)


def max_body_bytes(settings: Settings) -> int:
    """The largest request body: an upload at its cap, the text fields at theirs, and the multipart framing."""
    return settings.max_upload_bytes + settings.max_form_bytes + FORM_OVERHEAD_BYTES


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, frontend_dist: Path = FRONTEND_DIST) -> FastAPI:
    settings = settings or get_settings()
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        upkeep = Upkeep(services.jobs, services.previews, settings.upkeep_interval_s).start()
        yield
        upkeep.stop()
        shutdown = getattr(services.runner, "shutdown", None)
        if shutdown is not None:
            shutdown()
        services.store.dispose()

    # /docs and /redoc load Swagger UI and ReDoc from the app itself (fastapi-offline ships the assets):
    # our users run on offline and enclave machines, where a CDN page stays blank.
    app = FastAPIOffline(title="PrivSyn service", version="0.1.0", lifespan=lifespan,
                         generate_unique_id_function=_operation_id, static_url="/docs-assets")
    app.state.services = services
    app.dependency_overrides[get_settings] = lambda: settings
    install_error_handlers(app)
    app.add_middleware(RequestEdge, max_body_bytes=max_body_bytes(settings),
                       body_timeout_s=settings.body_timeout_seconds,
                       local_only=settings.auth_backend == "none" and not settings.allow_unauthenticated_remote)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                       allow_methods=["*"], allow_headers=["*"])
    for module in (synthesis, jobs, results, meta):
        app.include_router(module.router, responses=error_responses(500))
    document_forms(app)
    mount_frontend(app, frontend_dist)
    return app


def __getattr__(name: str) -> FastAPI:
    """``web_app.main.app`` is built on first access (what uvicorn does), not as a side effect of importing."""
    if name == "app":
        globals()["app"] = application = create_app()
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
