"""What runners and scheduler controls exchange: a submission, the scheduler's view of a job, the control
protocol, and the one rule for moving a job to a final state on an executor's word."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.errors import ConflictError
from privsyn_platform.metadata_records import JobFailure, JobState
from privsyn_platform.metadata_store import MetadataStore


@dataclass(frozen=True, slots=True)
class Submission:
    """What a runner reports after submitting: a handle to find the job again and diagnostics to store."""

    backend_handle: str | None
    diagnostics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteStatus:
    """The scheduler's view of a job in our terms: ``state`` plus the scheduler's own word for it."""

    state: JobState
    reason: str
    detail: str = ""


class RemoteControl(Protocol):
    """The side effects of one scheduler: submit, report a job's status, cancel."""

    backend: ClassVar[str]

    def submit(self, job_id: str, request_key: str) -> Submission:
        """Hand the job to the scheduler; raises SubmissionError with the scheduler's message."""
        ...

    def status(self, handle: str) -> RemoteStatus | None:
        """The scheduler's view, or None when it does not know ``handle`` (any more)."""
        ...

    def cancel(self, handle: str) -> None:
        """Stop the remote job, queued or running."""
        ...


def finish_if_active(store: MetadataStore, job_id: str, target: JobState, failure: JobFailure | None = None) -> None:
    """Move a job to a final state on its executor's word, unless it is final already (the worker's own
    final state always stands: it may have finished meanwhile)."""
    if store.get_job(job_id, SYSTEM_PRINCIPAL).state.is_terminal:
        return
    try:
        store.transition_job(job_id, SYSTEM_PRINCIPAL, target, error=failure)
    except ConflictError:
        pass  # it finished after all
