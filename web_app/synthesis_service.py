"""DataFrame in, DataFrame and privacy report out: one synthesis run, with no I/O.

``synthesize`` builds the method from its knobs (via the dispatcher), fits it on the confirmed table —
the shared pipeline encodes with the confirmed metadata and records every spend in the run's ledger, which
starts with the confirm's DP domain discovery (``spent``) — samples, checks the output's schema, and returns
the synthetic frame with a :class:`PrivacyReport`: the target, the ledger, and every structural decision of
the release with its source (declared, DP, public default).
Jobs, storage and HTTP are someone else's business (``job_execution``, ``job_service``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from method.api import PrivacySpec, ProgressCallback, RunConfig, TableMetadata
from method.api.errors import InvalidParameterError, InvalidPrivacySpecError, MethodError
from method.api.privacy import BudgetLedger, LedgerEntry
from privsyn_platform.errors import SeedNotAllowedError
from web_app.methods_dispatcher import create_synthesizer

#: Default share of ρ for DP domain discovery: on the raw Adult at ε = 1, 20 % brings the DP-domain run
#: level with the same run on the exact domain declared public (bench.domain_cost; 10 % left privsyn 15 %
#: behind, since thresholds scale as 1/√ρ and the merged categories and clipped tails cost more than the
#: mechanism's extra noise).
DOMAIN_BUDGET = 0.2


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
    domain_mode: str | None = None  # None: the confirmed payload's (default "dp")
    domain_budget: float = DOMAIN_BUDGET  # share of ρ for DP domain discovery

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
    """Where a column's domain came from: ``public`` (declared), ``dp`` (charged) or ``data`` (not DP)."""

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
    """The privacy story of one run: the target, the ledger, each column's domain provenance, and every
    structural decision of the release with its source.

    Attributes:
        decisions: JSON objects ``{column, decision, value, source, rho}``
            (:class:`web_app.review.discover.Decision`).
        domain_mode: ``dp`` or ``as_confirmed``.
        declared: the columns whose confirmed entries were declared public.
        threshold_delta: the part of δ the DP category thresholds may use (0 without discovery).
        seeded: the run used a fixed seed (its ``randomness`` says it is not private against
            whoever knows the seed).
    """

    method: str
    epsilon: float
    delta: float
    rho: float
    rho_spent: float
    ledger: tuple[LedgerEntry, ...]
    spent_by_stage: dict[str, float]
    columns: tuple[ColumnProvenance, ...]
    decisions: tuple[dict[str, Any], ...] = ()
    domain_mode: str = "as_confirmed"
    declared: tuple[str, ...] = ()
    threshold_delta: float = 0.0
    seeded: bool = False

    @property
    def randomness(self) -> str:
        return SEEDED_RUN_NOTE if self.seeded else UNSEEDED_RUN_NOTE

    @property
    def non_dp_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.provenance == "data")

    @property
    def summary(self) -> str:
        """One truthful line: what the (ε, δ) guarantee covers, and what is the user's declaration."""
        target = f"(ε = {self.epsilon:g}, δ = {self.delta:g})-DP"
        domain_rho = sum(e.rho for e in self.ledger if e.stage.startswith("domain:"))
        if self.non_dp_columns:
            line = (f"{target} for the synthetic rows, but the domains of {', '.join(self.non_dp_columns)} were "
                    "read off the data without DP and are not covered")
        elif self.domain_mode == "as_confirmed" or len(self.declared) == len(self.columns):
            line = (f"{target} for the rows, given the schema you declared public (kinds, categories, bounds "
                    "and formats are released as you declared them)")
        elif self.declared:
            line = (f"{target} end to end, except that {len(self.declared)} column(s) "
                    f"({', '.join(self.declared)}) use the schema you declared public; every other fact was "
                    f"derived with DP ({domain_rho / self.rho:.0%} of ρ) or is a public default")
        else:
            line = (f"{target} end to end: every fact about the table in the release was derived with DP "
                    f"({domain_rho / self.rho:.0%} of ρ) or is a public default")
        if self.seeded:
            line += f"; {SEEDED_RUN_NOTE}"
        return line + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "rho": self.rho,
            "rho_spent": self.rho_spent,
            "threshold_delta": self.threshold_delta,
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
            "domain_mode": self.domain_mode,
            "declared_columns": list(self.declared),
            "decisions": list(self.decisions),
            "seeded": self.seeded,
            "randomness": self.randomness,
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class SynthesisResult:
    frame: pd.DataFrame
    privacy: PrivacyReport
    fit_seconds: float
    sample_seconds: float


@dataclass(frozen=True, slots=True)
class DomainStory:
    """What the confirm decided about the domain, carried to the run's report (empty: nothing declared
    nor discovered, e.g. a method-level caller with its own public metadata)."""

    mode: str = "as_confirmed"
    declared: tuple[str, ...] = ()
    decisions: tuple[dict[str, Any], ...] = ()
    spent: tuple[LedgerEntry, ...] = ()
    threshold_delta: float = 0.0


def privacy_report(request: SynthesisRequest, privacy: PrivacySpec, ledger: BudgetLedger,
                   metadata: TableMetadata, story: DomainStory | None = None) -> PrivacyReport:
    story = story or DomainStory()
    columns = tuple(
        ColumnProvenance(c.name, c.kind, c.domain_provenance, c.effective_binning)
        for c in metadata.columns
    )
    return PrivacyReport(
        request.method, privacy.epsilon, privacy.delta, privacy.rho, ledger.spent, tuple(ledger.entries),
        ledger.spent_by_stage(), columns, story.decisions, story.mode, story.declared, privacy.threshold_delta,
        request.seed is not None,
    )


SEED_REFUSED = (
    "this service does not accept a fixed seed: a seeded run's noise can be reproduced by anyone "
    "who knows the seed, so its output is not private against them; leave 'seed' empty (a "
    "deployment for reproducible research can allow seeds with PRIVSYN_ALLOW_FIXED_SEED=true)"
)


def validate_request(request: SynthesisRequest, *, allow_fixed_seed: bool = False) -> None:
    """Raise, before any work, the method layer's error for bad ε/δ, an unknown method, a bad knob or
    domain budget, and :class:`SeedNotAllowedError` for a seed the caller does not allow."""
    if request.seed is not None and not allow_fixed_seed:
        raise SeedNotAllowedError(SEED_REFUSED)
    PrivacySpec(epsilon=request.epsilon, delta=request.delta)
    create_synthesizer(request.method, request.knobs)
    if not (isinstance(request.domain_budget, int | float) and 0 < request.domain_budget <= 0.5):
        raise InvalidParameterError(f"domain_budget must be a share of ρ in (0, 0.5], got {request.domain_budget!r}")


def check_delta(delta: float, rows: int) -> None:
    """Refuse δ ≥ 1/rows: with that δ a mechanism could publish one whole record and still be "(ε, δ)-DP".

    >>> check_delta(1e-9, 48_842)
    >>> try:
    ...     check_delta(0.01, 100)
    ... except InvalidPrivacySpecError as error:
    ...     print(str(error)[:52])
    δ = 0.01 is not below 1/rows = 1/100 = 0.01: a δ thi
    """
    if rows > 0 and delta >= 1.0 / rows:
        raise InvalidPrivacySpecError(
            f"δ = {delta:g} is not below 1/rows = 1/{rows:,} = {1.0 / rows:.3g}: a δ this large allows releasing "
            f"whole records; use 1e-9, or at most 1/(10 × rows) = {0.1 / rows:.3g}")


def synthesize(
    table: pd.DataFrame,
    metadata: TableMetadata,
    request: SynthesisRequest,
    *,
    story: DomainStory | None = None,
    on_progress: ProgressCallback | None = None,
) -> SynthesisResult:
    """Run ``request`` on ``table`` (already restricted to the confirmed columns and prepared).

    Args:
        story: the confirm's domain decisions and the discovery's charges (the ledger starts with them).

    Raises:
        MethodError: bad privacy parameters or knobs, metadata that does not fit the table, or a
            synthetic table that does not match the confirmed schema.
    """
    story = story or DomainStory()
    privacy = PrivacySpec(epsilon=request.epsilon, delta=request.delta, threshold_delta=story.threshold_delta)
    synthesizer = create_synthesizer(request.method, request.knobs)
    config = RunConfig(seed=request.seed, time_budget_s=request.time_budget_s)
    if on_progress is not None:
        config = replace(config, on_progress=on_progress)
    started = time.perf_counter()
    fitted = synthesizer.fit(table[list(metadata.names)], metadata, privacy, config, spent=story.spent)
    fitted_at = time.perf_counter()
    frame = fitted.sample(request.rows)
    finished = time.perf_counter()
    if list(frame.columns) != list(metadata.names):
        raise MethodError(f"the synthetic table's columns {list(frame.columns)} differ from {list(metadata.names)}")
    report = privacy_report(request, privacy, fitted.ledger, metadata, story)
    return SynthesisResult(frame, report, fitted_at - started, finished - fitted_at)
