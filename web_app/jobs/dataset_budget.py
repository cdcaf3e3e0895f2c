"""A dataset's privacy odometer: what every charged job on one upload (preview) spent, composed.

Read from the store by the jobs' ``preview_id`` column (one indexed query, any owner's jobs on that
preview, deleted jobs' tombstones included: deleting a job never refunds budget).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from method.api.privacy import cdp_epsilon
from privsyn_platform.metadata_records import JobRecord, JobState
from privsyn_platform.metadata_store import MetadataStore


@dataclass(frozen=True, slots=True)
class DatasetBudget:
    """A dataset's odometer: the jobs on one upload that were charged, composed (zCDP: their ρ add).

    Job ``i`` is ρ_i-zCDP except on its thresholds' events (δ reserved by DP category discovery), so
    the runs together are (ε, δ)-DP with ε = ``cdp_epsilon(Σρ_i, δ_c)`` at the smallest conversion δ_c of
    the jobs and δ = δ_c + the thresholds' δ. A job counts once it may have drawn noise: always while
    queued, running or succeeded; when it failed or was cancelled, only if its confirm discovered a
    domain with DP or its run had started (reported progress).
    """

    dataset_id: str
    jobs: int = 0
    rho: float = 0.0
    conversion_delta: float = 1.0
    threshold_delta: float = 0.0

    @property
    def delta(self) -> float:
        return min(self.conversion_delta, 1.0) + self.threshold_delta if self.jobs else 0.0

    @property
    def epsilon(self) -> float:
        return cdp_epsilon(self.rho, self.conversion_delta) if self.jobs else 0.0

    def adding(self, rho: float, conversion_delta: float, threshold_delta: float) -> DatasetBudget:
        return DatasetBudget(self.dataset_id, self.jobs + 1, self.rho + rho,
                             min(self.conversion_delta, conversion_delta), self.threshold_delta + threshold_delta)

    def to_json(self) -> dict[str, Any]:
        return {"dataset_id": self.dataset_id, "jobs": self.jobs, "rho": self.rho, "epsilon": self.epsilon,
                "delta": self.delta}


def _charged(record: JobRecord) -> bool:
    if record.state in (JobState.FAILED, JobState.CANCELLED):
        return bool(record.params.get("noise_at_confirm")) or bool(record.progress.stage)
    return True


def dataset_budgets(store: MetadataStore, dataset_ids: Collection[str]) -> dict[str, DatasetBudget]:
    """The odometer of each of these datasets (one query)."""
    return budgets_of(store.dataset_jobs(set(dataset_ids)))


def budgets_of(records: Iterable[JobRecord]) -> dict[str, DatasetBudget]:
    """The odometers these jobs add up to, by dataset."""
    budgets: dict[str, DatasetBudget] = {}
    for record in records:
        dataset_id, rho = record.params.get("preview_id"), record.params.get("rho")
        threshold, delta = record.params.get("threshold_delta", 0.0), record.params.get("delta")
        if not (isinstance(dataset_id, str) and isinstance(rho, int | float) and _charged(record)
                and isinstance(threshold, int | float) and isinstance(delta, int | float)):
            continue
        budgets[dataset_id] = budgets.get(dataset_id, DatasetBudget(dataset_id)).adding(rho, delta - threshold,
                                                                                      threshold)
    return budgets
