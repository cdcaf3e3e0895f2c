"""DataFrame in, DataFrame and privacy report out: one synthesis run, with no I/O.

``synthesize`` builds the method from its knobs (via the dispatcher), fits it on the confirmed table —
the shared pipeline encodes with the confirmed metadata and records every spend in the run's ledger —
samples, checks the output's schema, and returns the synthetic frame with a :class:`PrivacyReport`.
Jobs, storage and HTTP are someone else's business (``job_execution``, ``job_service``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from method.api import PrivacySpec, ProgressCallback, RunConfig, TableMetadata
from method.api.errors import MethodError
from method.api.privacy import BudgetLedger, LedgerEntry
from web_app.methods_dispatcher import create_synthesizer


@dataclass(frozen=True, slots=True)
class SynthesisRequest:
    """What to run: the method and its knobs, the privacy target, rows (default: the DP estimate of n)."""

    method: str
    epsilon: float
    delta: float
    knobs: Mapping[str, Any] = field(default_factory=dict)
    rows: int | None = None
    seed: int | None = None
    time_budget_s: float | None = None

    def capped(self, max_seconds: float) -> SynthesisRequest:
        """This request with a wall-clock budget of at most ``max_seconds`` (a lower one of its own stays).

        >>> SynthesisRequest("mst", 1.0, 1e-9, time_budget_s=60.0).capped(3240.0).time_budget_s
        60.0
        >>> SynthesisRequest("mst", 1.0, 1e-9).capped(3240.0).time_budget_s
        3240.0
        """
        if self.time_budget_s is not None and self.time_budget_s <= max_seconds:
            return self
        return replace(self, time_budget_s=max_seconds)


@dataclass(frozen=True, slots=True)
class ColumnProvenance:
    """Where a column's domain came from: ``public``, ``dp`` (charged) or ``data`` (not DP)."""

    name: str
    kind: str
    provenance: str
    binning: str | None


SEEDED_RUN_NOTE = "seeded run: reproducible; not private against anyone who knows the seed"
UNSEEDED_RUN_NOTE = (
    "noise drawn with fresh OS entropy for every mechanism call, independent of the stream "
    "that sampled the records"
)


@dataclass(frozen=True, slots=True)
class PrivacyReport:
    """The privacy story of one run: the target, the ledger, each column's domain provenance, and
    where the randomness came from (a seeded run says it is not private against whoever knows the
    seed)."""

    method: str
    epsilon: float
    delta: float
    rho: float
    rho_spent: float
    ledger: tuple[LedgerEntry, ...]
    spent_by_stage: dict[str, float]
    columns: tuple[ColumnProvenance, ...]
    seeded: bool = False

    @property
    def randomness(self) -> str:
        return SEEDED_RUN_NOTE if self.seeded else UNSEEDED_RUN_NOTE

    @property
    def non_dp_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.provenance == "data")

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "rho": self.rho,
            "rho_spent": self.rho_spent,
            "spent_by_stage": self.spent_by_stage,
            "ledger": [
                {"stage": e.stage, "measured": e.measured, "rho": e.rho, "mechanism": e.mechanism,
                 "sigma": e.sigma, "epsilon": e.epsilon, "count": e.count}
                for e in self.ledger
            ],
            "columns": [
                {"name": c.name, "kind": c.kind, "provenance": c.provenance, "binning": c.binning}
                for c in self.columns
            ],
            "non_dp_columns": list(self.non_dp_columns),
            "seeded": self.seeded,
            "randomness": self.randomness,
        }


@dataclass(frozen=True, slots=True)
class SynthesisResult:
    frame: pd.DataFrame
    privacy: PrivacyReport
    fit_seconds: float
    sample_seconds: float


def privacy_report(request: SynthesisRequest, privacy: PrivacySpec, ledger: BudgetLedger,
                   metadata: TableMetadata) -> PrivacyReport:
    columns = tuple(
        ColumnProvenance(c.name, c.kind, c.domain_provenance, c.effective_binning)
        for c in metadata.columns
    )
    return PrivacyReport(
        request.method, privacy.epsilon, privacy.delta, privacy.rho, ledger.spent, tuple(ledger.entries),
        ledger.spent_by_stage(), columns, seeded=request.seed is not None,
    )


def synthesize(
    table: pd.DataFrame,
    metadata: TableMetadata,
    request: SynthesisRequest,
    *,
    on_progress: ProgressCallback | None = None,
) -> SynthesisResult:
    """Run ``request`` on ``table`` (already restricted to the confirmed columns).

    Raises:
        MethodError: bad privacy parameters or knobs, metadata that does not fit the table, or a
            synthetic table that does not match the confirmed schema.
    """
    privacy = PrivacySpec(epsilon=request.epsilon, delta=request.delta)
    synthesizer = create_synthesizer(request.method, request.knobs)
    config = RunConfig(seed=request.seed, time_budget_s=request.time_budget_s)
    if on_progress is not None:
        config = replace(config, on_progress=on_progress)
    started = time.perf_counter()
    fitted = synthesizer.fit(table[list(metadata.names)], metadata, privacy, config)
    fitted_at = time.perf_counter()
    frame = fitted.sample(request.rows)
    finished = time.perf_counter()
    if list(frame.columns) != list(metadata.names):
        raise MethodError(f"the synthetic table's columns {list(frame.columns)} differ from {list(metadata.names)}")
    report = privacy_report(request, privacy, fitted.ledger, metadata)
    return SynthesisResult(frame, report, fitted_at - started, finished - fitted_at)
