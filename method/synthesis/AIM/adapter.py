"""The AIM synthesizer behind the :class:`~method.api.Synthesizer` protocol.

Its knobs are the fields (the paper's defaults, with the reference script's ``max_cells``);
:meth:`AIMSynthesizer.fit` runs the shared encode → fit → sample pipeline of
:mod:`method.synthesis.discrete` with :func:`method.synthesis.AIM.mechanism.run_aim` as the mechanism.
The wall-clock budget is the run's ``RunConfig.time_budget_s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from method.api.base import PrivacySpec, RunConfig
from method.api.errors import InvalidParameterError
from method.api.metadata import Domain, TableMetadata
from method.api.privacy import BudgetLedger
from method.pgm.model import GraphicalModel
from method.synthesis.AIM.mechanism import AIMSettings, run_aim
from method.synthesis.discrete import EncodedFit, fit_encoded


@dataclass(frozen=True, slots=True, kw_only=True)
class AIMSynthesizer:
    """AIM (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022).

    Args:
        degree: size of the workload marginals (all ``degree``-way marginals).
        max_cells: drop workload marginals with more cells than this.
        max_model_size: junction-tree size limit in MB once the whole budget is spent (grows with it).
        max_iters: mirror-descent iterations of the final estimate.
        round_iters: mirror-descent iterations of each round's warm-started estimate.
        num_marginals: use a random subset of this many workload marginals (``None``: all).
        rounds: cap on the number of selection rounds (the last spends what is left; ``None``: no cap).
    """

    name: ClassVar[str] = "aim"

    degree: int = 3
    max_cells: int = 10_000
    max_model_size: float = 80.0
    max_iters: int = 1000
    round_iters: int = 300
    num_marginals: int | None = None
    rounds: int | None = None

    def __post_init__(self) -> None:
        for knob, minimum in (("degree", 1), ("max_cells", 1), ("max_iters", 0), ("round_iters", 0)):
            _integer(knob, getattr(self, knob), minimum)
        for knob in ("num_marginals", "rounds"):
            if getattr(self, knob) is not None:
                _integer(knob, getattr(self, knob), 1)
        if isinstance(self.max_model_size, bool) or not (
            isinstance(self.max_model_size, int | float) and self.max_model_size > 0
        ):
            raise InvalidParameterError(
                f"max_model_size must be a number of MB > 0, got {self.max_model_size!r}"
            )

    def fit(
        self, table: pd.DataFrame, metadata: TableMetadata, privacy: PrivacySpec, config: RunConfig
    ) -> EncodedFit:
        return fit_encoded(self, table, metadata, privacy, config)

    def fit_discrete(
        self, data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig
    ) -> GraphicalModel:
        settings = AIMSettings(
            degree=self.degree, max_cells=self.max_cells, max_model_size=float(self.max_model_size),
            max_iters=self.max_iters, round_iters=self.round_iters, num_marginals=self.num_marginals,
            rounds=self.rounds,
        )  # fmt: skip
        return run_aim(np.asarray(data, dtype=np.int64), domain, ledger, config, settings)


def _integer(knob: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParameterError(f"{knob} must be an integer >= {minimum}, got {value!r}")
