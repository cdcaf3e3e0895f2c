"""FastAPI dependencies: the app's services, resolved per request from ``app.state`` (set by create_app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import ObjectStorage
from privsyn_platform.settings import Settings
from web_app.job_runner import JobRunner
from web_app.job_service import JobService
from web_app.preview_service import PreviewService


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: MetadataStore
    storage: ObjectStorage
    runner: JobRunner
    jobs: JobService
    previews: PreviewService


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
