"""The one evaluation report: run card, privacy report, verdict, fidelity, utility and disclosure checks.

:func:`evaluate` is what the API (``POST /evaluate``, the HTML report) and the CLI (``synthesize --report``,
``evaluate``) call. Everything it draws (sampled attribute sets, the baseline, the utility split, the
disclosure split) comes from generators spawned from ``seed`` (0 by default), so the same tables give the
same figures; the report says how each figure is defined (:mod:`web_app.evaluation.verdict`).

The privacy section is the run's own privacy report (the JSON the job stored); only it is differentially
private. Everything else reads the real table: owner only, not DP (:data:`~web_app.data_comparison.LABEL`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from typing import Any, cast

import numpy as np
import pandas as pd

from method.api import PrivacySpec
from method.api.metadata import TableMetadata
from web_app.data_comparison import LABEL, ComparisonReport, check_tables, clean, compare
from web_app.evaluation.disclosure import DisclosureResult, disclosure
from web_app.evaluation.encoding import fit_encodings
from web_app.evaluation.utility import UtilityResult, utility
from web_app.evaluation.verdict import Verdict, verdict

FRESH_ENTROPY = "fresh entropy"


def service_version() -> str:
    """The installed ``privsyn-service`` version (``unknown`` when run from a source tree without install)."""
    try:
        return package_metadata.version("privsyn-service")
    except package_metadata.PackageNotFoundError:  # pragma: no cover (always installed in our environments)
        return "unknown"


@dataclass(frozen=True, slots=True)
class RunCard:
    """What was run: the data set, its size, the method and its privacy parameters, the randomness.
    ``epsilon``/``delta``/``rho`` are ``None`` when the synthetic table's run is unknown (``privsyn evaluate``)."""

    dataset: str
    rows: int
    columns: int
    rows_synth: int
    method: str | None
    epsilon: float | None
    delta: float | None
    rho: float | None
    seed: int | None
    randomness: str
    version: str
    run_at: str | None
    evaluated_at: str


def run_card(dataset: str, real: pd.DataFrame, synth: pd.DataFrame, metadata: TableMetadata, *,
             method: str | None = None, epsilon: float | None = None, delta: float | None = None,
             seed: int | None = None, run_at: datetime | None = None) -> RunCard:
    """The card of one run (``ρ`` is converted from ``ε``, ``δ`` as the ledger does)."""
    rho = PrivacySpec(epsilon=epsilon, delta=delta).rho if epsilon is not None and delta is not None else None
    randomness = f"seed {seed}" if seed is not None else FRESH_ENTROPY
    return RunCard(dataset, len(real), len(metadata.columns), len(synth), method, epsilon, delta, rho, seed,
                   randomness, service_version(), run_at.isoformat(timespec="seconds") if run_at else None,
                   datetime.now(UTC).isoformat(timespec="seconds"))


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """The whole report (module docstring); ``privacy`` is the run's privacy report JSON (``None``: unknown)."""

    card: RunCard
    privacy: dict[str, Any] | None
    verdict: Verdict
    fidelity: ComparisonReport
    utility: UtilityResult | None
    disclosure: DisclosureResult
    seed: int
    label: str = LABEL
    targets: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN becomes ``None``)."""
        document = dataclasses.asdict(self)
        document["disclosure"]["copies_beyond_holdout"] = self.disclosure.copies_beyond_holdout
        return cast(dict[str, Any], clean(document))


def evaluate(real: pd.DataFrame, synth: pd.DataFrame, metadata: TableMetadata, card: RunCard, *,
             privacy: dict[str, Any] | None = None, target: str | None = None, seed: int = 0) -> EvaluationReport:
    """Evaluate ``synth`` against ``real`` (module docstring).

    Raises:
        EvaluationError: ``missing_columns``, ``empty_table``, ``unknown_target`` or ``unusable_target``.
    """
    check_tables(real, synth, metadata)
    # one stream per part: the utility split of a real table is the same whatever the synthetic table's size
    fidelity_rng, utility_rng, disclosure_rng = np.random.default_rng(seed).spawn(3)
    encodings = fit_encodings(real, metadata)
    fidelity = compare(real, synth, metadata, rng=fidelity_rng, encodings=encodings)
    useful = utility(real, synth, metadata, target, utility_rng) if target else None
    copies = disclosure(real, synth, encodings, disclosure_rng)
    judged = verdict(fidelity, epsilon=card.epsilon, utility=useful, disclosure=copies)
    return EvaluationReport(card, privacy, judged, fidelity, useful, copies, seed, targets=metadata.names)
