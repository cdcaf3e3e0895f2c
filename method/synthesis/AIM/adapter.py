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

from method.api.base import RunConfig
from method.api.knobs import knob
from method.api.metadata import Domain
from method.api.privacy import BudgetLedger
from method.pgm.compression import CompressedModel
from method.synthesis.AIM.mechanism import AIMSettings, run_aim
from method.synthesis.discrete import EncodedSynthesizer


@dataclass(frozen=True, slots=True, kw_only=True)
class AIMSynthesizer(EncodedSynthesizer):
    """AIM (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022).

    Args:
        degree: size of the workload marginals (all ``degree``-way marginals).
        max_cells: drop workload marginals with more cells than this.
        max_model_size: junction-tree size limit in MB once the whole budget is spent (grows with it).
        max_iters: mirror-descent iterations of the final estimate.
        round_iters: mirror-descent iterations of each round's warm-started estimate.
        num_marginals: use a random subset of this many workload marginals (``None``: all, at most
            ``workload.WORKLOAD_CAP`` = 1,000, drawn at random on wide tables).
        rounds: cap on the number of selection rounds (the last spends what is left; ``None``: no cap).
        rounds_per_attribute: T = this × d sizes the first rounds (σ₀, ε₀). The paper uses 16; we default
            to 4 (measured on Adult, docs/pgm.md: the 1-ways are what every wide marginal is built on).
        compress_domain: merge values whose noisy 1-way count is below 3σ₀ into one bucket per attribute
            (MST's compression; not in the AIM paper, measured in docs/pgm.md), undone when sampling.
    """

    name: ClassVar[str] = "aim"

    degree: int = knob(3, int, "size of the workload marginals (all degree-way marginals)", low=1, high=10)
    max_cells: int = knob(10_000, int, "drop workload marginals with more cells than this", low=1, high=10**9)
    max_model_size: float = knob(80.0, float, "junction-tree size limit in MB once the whole budget is spent",
                                 low=0, high=100_000, open_low=True)
    max_iters: int = knob(1000, int, "mirror-descent iterations of the final estimate", low=0, high=1_000_000)
    round_iters: int = knob(300, int, "mirror-descent iterations of each round's warm-started estimate",
                            low=0, high=1_000_000)
    num_marginals: int | None = knob(None, int, "use a random subset of this many workload marginals",
                                     low=1, high=10**9, optional=True)
    rounds: int | None = knob(None, int, "cap on the number of selection rounds", low=1, high=100_000,
                              optional=True)
    rounds_per_attribute: int = knob(4, int, "T = this × (number of columns) sizes the first rounds (paper: 16)",
                                     low=1, high=1000)
    compress_domain: bool = knob(True, bool, "merge values whose noisy 1-way count is below 3σ₀ into one bucket")


    def fit_discrete(
        self, data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig
    ) -> CompressedModel:
        settings = AIMSettings(
            degree=self.degree, max_cells=self.max_cells, max_model_size=float(self.max_model_size),
            max_iters=self.max_iters, round_iters=self.round_iters, num_marginals=self.num_marginals,
            rounds=self.rounds, rounds_per_attribute=self.rounds_per_attribute,
            compress_domain=self.compress_domain,
        )  # fmt: skip
        return run_aim(np.asarray(data, dtype=np.int64), domain, ledger, config, settings)


