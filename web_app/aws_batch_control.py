"""AWS Batch side effects: submit the plan's request, describe jobs, cancel (queued) or terminate (running).

Owns every call to the Batch API (boto3, imported lazily; ``PRIVSYN_AWS_BATCH__ENDPOINT_URL`` points it
at moto in tests) and the pure mapping of Batch states to ours (:func:`batch_status`). Batch has no
separate states for time-outs, memory kills, lost hosts or cancellations — they are all ``FAILED`` with
a reason — so the mapping reads the status reason and the container's reason. Every SDK error becomes a
:class:`~privsyn_platform.errors.SubmissionError` with the service's message.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from privsyn_platform.errors import SubmissionError
from privsyn_platform.metadata_records import JobState
from privsyn_platform.settings import Settings
from web_app.aws_batch_plan import build_aws_batch_plan
from web_app.remote.base import RemoteStatus, Submission
from web_app.remote.resources import ResourceRequest

CANCEL_REASON = "Cancelled by PrivSyn (POST /jobs/{id}/cancel)"
BATCH_STATES: dict[str, JobState] = {
    **dict.fromkeys(("SUBMITTED", "PENDING", "RUNNABLE"), JobState.QUEUED),
    **dict.fromkeys(("STARTING", "RUNNING"), JobState.RUNNING),
    "SUCCEEDED": JobState.SUCCEEDED,
    "FAILED": JobState.FAILED,
}
#: How a FAILED Batch job's reasons name the Slurm-style cause (checked in order).
_FAILURE_CAUSES = (
    ("CANCELLED", re.compile(r"cancel", re.IGNORECASE)),
    ("TIMEOUT", re.compile(r"timeout|duration exceeded", re.IGNORECASE)),
    ("OUT_OF_MEMORY", re.compile(r"OutOfMemory|memory", re.IGNORECASE)),
    ("NODE_FAIL", re.compile(r"Host EC2|instance .* terminated|spot", re.IGNORECASE)),
)


def batch_status(status: str, reason: str = "", container_reason: str = "") -> RemoteStatus:
    """Our view of a Batch job's ``status`` and reasons.

    >>> batch_status("RUNNABLE").state
    <JobState.QUEUED: 'queued'>
    >>> batch_status("FAILED", "Job attempt duration exceeded timeout").reason
    'TIMEOUT'

    Raises:
        SubmissionError: An unknown status.
    """
    if status not in BATCH_STATES:
        raise SubmissionError(f"unknown AWS Batch job status {status!r}; known: {', '.join(BATCH_STATES)}")
    detail = "; ".join(part for part in (reason, container_reason) if part)
    if status != "FAILED":
        return RemoteStatus(BATCH_STATES[status], status, detail)
    for cause, pattern in _FAILURE_CAUSES:
        if pattern.search(detail):
            return RemoteStatus(JobState.CANCELLED if cause == "CANCELLED" else JobState.FAILED, cause, detail)
    return RemoteStatus(JobState.FAILED, "FAILED", detail)


def cancel_action(status: str) -> str | None:
    """Batch's call for stopping a job in ``status``: cancel a queued job, terminate a running one.

    >>> cancel_action("RUNNABLE"), cancel_action("RUNNING"), cancel_action("SUCCEEDED")
    ('cancel_job', 'terminate_job', None)
    """
    state = BATCH_STATES.get(status)
    return {JobState.QUEUED: "cancel_job", JobState.RUNNING: "terminate_job"}.get(state) if state else None


class AwsBatchControl:
    backend: ClassVar[str] = "aws_batch"

    def __init__(self, settings: Settings, *, client: Any | None = None) -> None:
        self._settings, self._client = settings, client

    def _batch(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            section = self._settings.aws_batch
            self._client = boto3.client("batch", region_name=section.region, endpoint_url=section.endpoint_url,
                                        config=Config(connect_timeout=5, read_timeout=30,
                                                      retries={"max_attempts": 2, "mode": "standard"}))
        return self._client

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return dict(getattr(self._batch(), operation)(**kwargs))
        except (BotoCoreError, ClientError) as e:
            raise SubmissionError(f"AWS Batch {operation} failed: {e}") from e

    def submit(self, job_id: str, request_key: str) -> Submission:
        plan = build_aws_batch_plan(job_id, request_key, ResourceRequest.from_settings(self._settings),
                                    self._settings)
        reply = self._call("submit_job", **plan.request)
        remote_id = str(reply["jobId"])
        return Submission(remote_id, {"backend": self.backend, "remote_id": remote_id, "command": list(plan.cli_argv),
                                      "job_arn": reply.get("jobArn")})

    def _describe(self, handle: str) -> dict[str, Any] | None:
        jobs = self._call("describe_jobs", jobs=[handle]).get("jobs", [])
        return dict(jobs[0]) if jobs else None

    def status(self, handle: str) -> RemoteStatus | None:
        job = self._describe(handle)
        if job is None:
            return None
        container = job.get("container") or {}
        return batch_status(str(job["status"]), str(job.get("statusReason") or ""), str(container.get("reason") or ""))

    def cancel(self, handle: str) -> None:
        job = self._describe(handle)
        action = cancel_action(str(job["status"])) if job else None
        if action is not None:
            self._call(action, jobId=handle, reason=CANCEL_REASON)
