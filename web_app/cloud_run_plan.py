"""The Cloud Run plan: the ``gcloud run jobs execute … --async`` argv for one confirmed job. Pure.

The Cloud Run job (``PRIVSYN_CLOUD_RUN__JOB``) is defined once with the service image and
``--command python``; each execution overrides its arguments with the worker's and its environment
with the worker environment. gcloud splits list flags on commas, so values travel in gcloud's
alternate-delimiter form (``^|^a|b``) with a delimiter that occurs in no value. CPUs and memory are
properties of the Cloud Run job, not of an execution; the time limit becomes ``--task-timeout``.
"""

from __future__ import annotations

from dataclasses import dataclass

from privsyn_platform.settings import Settings
from web_app.remote.resources import ResourceRequest, checked_id, redacted, worker_args

_DELIMITERS = ("|", "@", "#", "~", "%", "!", "+", ";")


@dataclass(frozen=True, slots=True)
class CloudRunPlan:
    """``argv`` to run; ``display_argv`` is the same with secret values redacted (for diagnostics)."""

    job: str
    argv: tuple[str, ...]
    display_argv: tuple[str, ...]


def gcloud_list(values: list[str]) -> str:
    """A gcloud list-flag value that keeps commas inside values: ``^<delimiter>^v1<delimiter>v2``.

    >>> gcloud_list(["-m", "a,b"])
    '^|^-m|a,b'

    Raises:
        ValueError: Every candidate delimiter occurs in some value.
    """
    for delimiter in _DELIMITERS:
        if not any(delimiter in value for value in values):
            return f"^{delimiter}^" + delimiter.join(values)
    raise ValueError(f"no list delimiter among {' '.join(_DELIMITERS)} is free for these gcloud values")


def _argv(job_id: str, request_key: str, resources: ResourceRequest, settings: Settings,
          environment: dict[str, str]) -> tuple[str, ...]:
    section = settings.cloud_run
    env_pairs = [f"{name}={value}" for name, value in sorted(environment.items())]
    argv = [section.gcloud, "run", "jobs", "execute", str(section.job), f"--project={section.project}",
            f"--region={section.region}", "--async", "--format=json",
            f"--task-timeout={resources.timeout_min * 60}s",
            f"--args={gcloud_list(worker_args(checked_id(job_id), request_key))}"]
    if env_pairs:
        argv.append(f"--update-env-vars={gcloud_list(env_pairs)}")
    return tuple(argv)


def build_cloud_run_plan(job_id: str, request_key: str, resources: ResourceRequest,
                         settings: Settings) -> CloudRunPlan:
    """The gcloud command that starts one execution of ``PRIVSYN_CLOUD_RUN__JOB`` for ``job_id``.

    Args:
        job_id: Our job id.
        request_key: Storage key of the job's bundle.
        resources: Only the time limit applies per execution.
        settings: ``cloud_run`` section plus the state the worker must reach.

    Returns:
        The plan; nothing is run.
    """
    environment = settings.worker_environment()
    return CloudRunPlan(
        job=str(settings.cloud_run.job),
        argv=_argv(job_id, request_key, resources, settings, environment),
        display_argv=_argv(job_id, request_key, resources, settings, redacted(environment)),
    )
