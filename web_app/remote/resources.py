"""What every remote plan shares: the generic resource request, the worker's argv and environment.

Owns :class:`ResourceRequest` (cpus, memory, time limit — translated per backend by ``slurm_plan``,
``aws_batch_plan`` and ``cloud_run_plan``), the check that names built from ids are ids we generated,
and the redaction of secrets in what we store as diagnostics. Pure: no subprocess, no SDK, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from privsyn_platform.settings import Settings, env_var

WORKER_MODULE = "web_app.run_confirmed_job"
#: Server-generated ids and storage keys: letters, digits and ``/._-`` only (never user text).
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$")
#: Worker variables whose values are secrets; stored diagnostics show them as ``<redacted>``.
SECRET_VARIABLES = frozenset({env_var("database_url"), env_var("s3", "secret_access_key")})
REDACTED = "<redacted>"


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    """What a job needs, independent of the scheduler: CPUs, memory (GiB) and a time limit (minutes)."""

    cpus: int
    mem_gb: int
    timeout_min: int

    def __post_init__(self) -> None:
        for name in ("cpus", "mem_gb", "timeout_min"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ResourceRequest.{name} must be a positive integer, got {value!r}")

    @classmethod
    def from_settings(cls, settings: Settings) -> ResourceRequest:
        """The request ``PRIVSYN_JOB_CPUS``, ``PRIVSYN_JOB_MEM_GB`` and ``PRIVSYN_JOB_TIMEOUT_MIN`` describe."""
        return cls(settings.job_cpus, settings.job_mem_gb, settings.job_timeout_min)


def checked_id(value: str, what: str = "job id") -> str:
    """Refuse anything that is not an id or key we generated (names and paths are built from these).

    >>> checked_id("0f3a9c")
    '0f3a9c'
    >>> checked_id("x; rm -rf /")
    Traceback (most recent call last):
    ...
    ValueError: job id 'x; rm -rf /' is not a server-generated id (letters, digits, '._/-')
    """
    if not _SAFE_ID.fullmatch(value) or ".." in value:
        raise ValueError(f"{what} {value!r} is not a server-generated id (letters, digits, '._/-')")
    return value


def worker_args(job_id: str, request_key: str) -> list[str]:
    """The worker's arguments after the interpreter: ``-m web_app.run_confirmed_job --job-id … --job-request-key …``.

    >>> worker_args("j1", "jobs/j1/job_request.json")[:3]
    ['-m', 'web_app.run_confirmed_job', '--job-id']
    """
    return ["-m", WORKER_MODULE, "--job-id", checked_id(job_id),
            "--job-request-key", checked_id(request_key, "request key")]


def job_name(job_id: str) -> str:
    """The scheduler-side name of a job: ``privsyn-<our id>``.

    >>> job_name("0f3a")
    'privsyn-0f3a'
    """
    return f"privsyn-{checked_id(job_id)}"


def redacted(environment: Mapping[str, str]) -> dict[str, str]:
    """``environment`` with secret values replaced, for diagnostics and logs."""
    return {name: REDACTED if name in SECRET_VARIABLES else value for name, value in environment.items()}
