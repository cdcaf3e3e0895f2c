"""The AWS Batch plan: a ``SubmitJob`` request for one confirmed job and the equivalent ``aws`` command. Pure.

The container runs the same image as the API (see the Dockerfile); the plan overrides its command with
the worker entrypoint, passes the worker environment as ``containerOverrides.environment`` and
translates the :class:`~web_app.remote.resources.ResourceRequest` into ``VCPU``/``MEMORY`` requirements and an
attempt timeout. The ``aws batch submit-job …`` argv is for diagnostics and manual replay; it shows secret
values redacted and is never run through a shell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from privsyn_platform.settings import Settings
from web_app.remote.resources import ResourceRequest, job_name, redacted, worker_args

#: The interpreter inside the service image.
CONTAINER_PYTHON = "python"


@dataclass(frozen=True, slots=True)
class AwsBatchPlan:
    """``request`` goes to ``batch.submit_job(**request)``; ``cli_argv`` is the same with secrets redacted."""

    job_name: str
    request: dict[str, Any]
    cli_argv: tuple[str, ...]


def _request(job_id: str, request_key: str, resources: ResourceRequest, settings: Settings,
             environment: dict[str, str]) -> dict[str, Any]:
    return {
        "jobName": job_name(job_id),
        "jobQueue": settings.aws_batch.job_queue,
        "jobDefinition": settings.aws_batch.job_definition,
        "containerOverrides": {
            "command": [CONTAINER_PYTHON, *worker_args(job_id, request_key)],
            "environment": [{"name": name, "value": value} for name, value in sorted(environment.items())],
            "resourceRequirements": [{"type": "VCPU", "value": str(resources.cpus)},
                                     {"type": "MEMORY", "value": str(resources.mem_gb * 1024)}],
        },
        "timeout": {"attemptDurationSeconds": max(60, resources.timeout_min * 60)},
        "tags": {"privsyn-job-id": job_id},
    }


def build_aws_batch_plan(job_id: str, request_key: str, resources: ResourceRequest,
                         settings: Settings) -> AwsBatchPlan:
    """The SubmitJob request that runs ``job_id`` on ``PRIVSYN_AWS_BATCH__JOB_QUEUE``.

    Args:
        job_id: Our job id (names the Batch job).
        request_key: Storage key of the job's bundle.
        resources: vCPUs, memory and time limit.
        settings: ``aws_batch`` section plus the state the worker must reach.

    Returns:
        The plan; nothing is sent.
    """
    environment = settings.worker_environment()
    request = _request(job_id, request_key, resources, settings, environment)
    shown = _request(job_id, request_key, resources, settings, redacted(environment))
    argv = ["aws", "batch", "submit-job", "--job-name", shown["jobName"], "--job-queue", str(shown["jobQueue"]),
            "--job-definition", str(shown["jobDefinition"]),
            "--container-overrides", json.dumps(shown["containerOverrides"], sort_keys=True),
            "--timeout", json.dumps(shown["timeout"]), "--tags", json.dumps(shown["tags"])]
    if settings.aws_batch.region:
        argv += ["--region", settings.aws_batch.region]
    if settings.aws_batch.endpoint_url:
        argv += ["--endpoint-url", settings.aws_batch.endpoint_url]
    return AwsBatchPlan(job_name(job_id), request, tuple(argv))
