"""What the metadata store hands out: immutable records and the job state machine.

Owns :class:`JobState` with :data:`ALLOWED_TRANSITIONS` (queued → running → succeeded / failed /
cancelled; a queued job may also fail or be cancelled; terminal states are final) and the frozen
records returned by :class:`~privsyn_platform.metadata_store.MetadataStore`. No SQLAlchemy here: the
ORM rows live in ``metadata_models`` and are converted to these records before a session closes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from privsyn_platform.errors import ConflictError

#: A JSON document as stored in the JSON columns (params, submission diagnostics, ...).
JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
JsonObject = dict[str, JsonValue]


class JobState(StrEnum):
    """The life of a job. ``succeeded``, ``failed`` and ``cancelled`` are terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """Whether no further transition is possible."""
        return not ALLOWED_TRANSITIONS[self]


ALLOWED_TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.FAILED, JobState.CANCELLED}),
    JobState.RUNNING: frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}),
    JobState.SUCCEEDED: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}


def sources_of(target: JobState) -> frozenset[JobState]:
    """The states from which ``target`` may be entered.

    >>> sorted(sources_of(JobState.RUNNING))
    [<JobState.QUEUED: 'queued'>]
    """
    return frozenset(state for state, targets in ALLOWED_TRANSITIONS.items() if target in targets)


def check_transition(job_id: str, current: JobState, target: JobState) -> None:
    """Refuse an illegal state change.

    Args:
        job_id: For the message.
        current: The job's state now.
        target: The requested state.

    Raises:
        ConflictError: ``target`` is not reachable from ``current``; the message lists what is.

    >>> check_transition("j1", JobState.QUEUED, JobState.RUNNING)
    >>> check_transition("j1", JobState.CANCELLED, JobState.SUCCEEDED)
    Traceback (most recent call last):
    ...
    privsyn_platform.errors.ConflictError: job 'j1' is cancelled, a final state; it cannot become succeeded
    """
    allowed = ALLOWED_TRANSITIONS[current]
    if target in allowed:
        return
    if not allowed:
        raise ConflictError(f"job {job_id!r} is {current}, a final state; it cannot become {target}")
    raise ConflictError(f"job {job_id!r} cannot go from {current} to {target}; "
                        f"allowed: {', '.join(sorted(allowed))}")


PROGRESS_MESSAGE_CHARS = 200


@dataclass(frozen=True, slots=True)
class JobProgress:
    """How far a job is: the current stage (e.g. ``"measure"``), a fraction in [0, 1] and a sentence for
    people (e.g. ``"round 7 of an estimated 42 (ETA 12 s)"``; cut to :data:`PROGRESS_MESSAGE_CHARS`)."""

    stage: str = ""
    fraction: float = 0.0
    message: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.fraction, int | float) and math.isfinite(self.fraction)
                and 0.0 <= self.fraction <= 1.0):
            raise ValueError(f"progress fraction must be in [0, 1], got {self.fraction!r}")
        if len(self.stage) > 64:
            raise ValueError(f"progress stage must be at most 64 characters, got {len(self.stage)}")


@dataclass(frozen=True, slots=True)
class JobFailure:
    """Why a job failed: a short machine-readable code and a human message."""

    code: str
    message: str

    def __post_init__(self) -> None:
        if not self.code or len(self.code) > 64:
            raise ValueError(f"failure code must be 1-64 characters, got {self.code!r}")


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as stored. ``version`` increases by one with every change (for optimistic readers)."""

    id: str
    owner: str
    method: str
    params: JsonObject
    state: JobState
    progress: JobProgress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: JobFailure | None
    submission: JsonObject
    backend: str
    backend_handle: str | None
    version: int
    lease_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ArtifactRecord:
    """A stored output of a job (one per kind, e.g. ``synthetic_csv``, ``report_json``)."""

    id: int
    job_id: str
    owner: str
    kind: str
    storage_key: str
    size_bytes: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PreviewBundleRecord:
    """A persisted preview (uploaded table + inferred metadata + params) waiting for confirmation."""

    id: str
    owner: str
    storage_keys: dict[str, str]
    params: JsonObject
    created_at: datetime
    expires_at: datetime

    def is_expired(self, now: datetime) -> bool:
        """Whether the bundle's time is up at ``now``."""
        return now >= self.expires_at


class LedgerEntryLike(Protocol):
    """Anything shaped like ``method.api.privacy.LedgerEntry`` (structural: no import of ``method``)."""

    @property
    def stage(self) -> str: ...
    @property
    def measured(self) -> str: ...
    @property
    def rho(self) -> float: ...
    @property
    def mechanism(self) -> str: ...
    @property
    def sigma(self) -> float | None: ...
    @property
    def epsilon(self) -> float | None: ...
    @property
    def count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class LedgerEntryRecord:
    """One privacy-budget spend of a job, as stored (ρ in zCDP; σ or ε of the mechanism)."""

    id: int
    job_id: str
    owner: str
    stage: str
    measured: str
    rho: float
    mechanism: str
    sigma: float | None
    epsilon: float | None
    count: int
    created_at: datetime
