"""Cloud Run side effects: ``gcloud run jobs execute`` the plan, ``executions describe`` / ``cancel``.

Owns every ``gcloud`` call of the service (the real CLI, through :func:`web_app.remote.process.run_cli`:
argv lists with time-outs) and the pure mapping of an Execution resource to our states
(:func:`cloud_run_status`). gcloud's environment is built from the settings: the project, prompts off,
and ``PRIVSYN_CLOUD_RUN__API_ENDPOINT`` as ``CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN``; credentials and any
proxy are gcloud's own configuration (``CLOUDSDK_*``) of the machine running the API.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from privsyn_platform.errors import SubmissionError
from privsyn_platform.metadata_records import JobState
from privsyn_platform.settings import Settings
from web_app.cloud_run_plan import build_cloud_run_plan
from web_app.remote.base import RemoteStatus, Submission
from web_app.remote.process import run_cli
from web_app.remote.resources import ResourceRequest

#: How a failed execution's condition names the Slurm-style cause (checked in order).
_FAILURE_CAUSES = (
    ("CANCELLED", re.compile(r"cancel", re.IGNORECASE)),
    ("TIMEOUT", re.compile(r"timeout|deadline", re.IGNORECASE)),
    ("OUT_OF_MEMORY", re.compile(r"memory", re.IGNORECASE)),
    ("NODE_FAIL", re.compile(r"infrastructure|instance failed|node", re.IGNORECASE)),
)


def cloud_run_status(execution: dict[str, Any]) -> RemoteStatus:
    """Our view of a Cloud Run Execution (``gcloud run jobs executions describe --format=json``).

    >>> cloud_run_status({"status": {"runningCount": 1}}).state
    <JobState.RUNNING: 'running'>
    >>> cloud_run_status({"status": {"conditions": [{"type": "Completed", "status": "True"}]}}).reason
    'COMPLETED'
    """
    status = execution.get("status") or {}
    completed: dict[str, Any] = next((c for c in status.get("conditions", []) if c.get("type") == "Completed"), {})
    if completed.get("status") == "True":
        return RemoteStatus(JobState.SUCCEEDED, "COMPLETED")
    if completed.get("status") == "False" or status.get("cancelledCount"):
        detail = ": ".join(str(part) for part in (completed.get("reason"), completed.get("message")) if part)
        if status.get("cancelledCount"):
            return RemoteStatus(JobState.CANCELLED, "CANCELLED", detail)
        for cause, pattern in _FAILURE_CAUSES:
            if pattern.search(detail):
                return RemoteStatus(JobState.CANCELLED if cause == "CANCELLED" else JobState.FAILED, cause, detail)
        return RemoteStatus(JobState.FAILED, "FAILED", detail)
    if status.get("runningCount"):
        return RemoteStatus(JobState.RUNNING, "RUNNING")
    return RemoteStatus(JobState.QUEUED, "PENDING")


def _json(stdout: str, command: str) -> dict[str, Any]:
    try:
        value = json.loads(stdout)
    except json.JSONDecodeError as e:
        raise SubmissionError(f"{command} printed no JSON: {stdout.strip()[:200]!r}") from e
    if not isinstance(value, dict):
        raise SubmissionError(f"{command} printed {type(value).__name__}, not an object")
    return value


class CloudRunControl:
    backend: ClassVar[str] = "cloud_run"

    def __init__(self, settings: Settings, *, timeout_s: float = 60.0) -> None:
        self._settings, self._timeout_s = settings, timeout_s
        section = settings.cloud_run
        self._env = {**settings.child_environment(), "CLOUDSDK_CORE_PROJECT": str(section.project),
                     "CLOUDSDK_CORE_DISABLE_PROMPTS": "1", "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1"}
        if section.api_endpoint:
            self._env["CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN"] = section.api_endpoint
        self._where = [f"--project={section.project}", f"--region={section.region}"]

    def submit(self, job_id: str, request_key: str) -> Submission:
        plan = build_cloud_run_plan(job_id, request_key, ResourceRequest.from_settings(self._settings),
                                    self._settings)
        reply = _json(run_cli(plan.argv, self._env, timeout_s=self._timeout_s).stdout, "gcloud run jobs execute")
        name = str((reply.get("metadata") or {}).get("name") or "")
        if not name:
            raise SubmissionError("gcloud run jobs execute returned no execution name")
        return Submission(name, {"backend": self.backend, "remote_id": name, "command": list(plan.display_argv)})

    def _gcloud(self, *args: str, check: bool = True) -> Any:
        argv = [self._settings.cloud_run.gcloud, "run", "jobs", "executions", *args, *self._where, "--format=json"]
        return run_cli(argv, self._env, timeout_s=self._timeout_s, check=check)

    def status(self, handle: str) -> RemoteStatus | None:
        result = self._gcloud("describe", handle, check=False)
        if result.returncode != 0:
            if re.search(r"NOT_FOUND|cannot find execution|could not be found", result.stderr, re.IGNORECASE):
                return None
            raise SubmissionError(f"gcloud exited with status {result.returncode}: {result.stderr.strip()[-2000:]}")
        return cloud_run_status(_json(result.stdout, "gcloud run jobs executions describe"))

    def cancel(self, handle: str) -> None:
        self._gcloud("cancel", handle, "--async", "--quiet")
