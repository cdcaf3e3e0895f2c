"""The MST synthesizer behind the :class:`~method.api.Synthesizer` protocol.

Its knobs are the fields; :meth:`MSTSynthesizer.fit` runs the shared encode → fit → sample pipeline of
:mod:`method.synthesis.discrete` with :func:`method.synthesis.mst.mechanism.run_mst` as the mechanism.
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
from method.synthesis.discrete import EncodedSynthesizer
from method.synthesis.mst.mechanism import run_mst


@dataclass(frozen=True, slots=True, kw_only=True)
class MSTSynthesizer(EncodedSynthesizer):
    """MST (McKenna, Miklau, Sheldon 2021).

    Args:
        iters: mirror-descent iterations of the final Private-PGM estimate. The reference runs 10,000;
            on Adult (ε = 1) 1,000 generalise better (average 3-way TVD 0.111 vs 0.115: the extra
            iterations fit the noise of the measured 2-ways) and take a fifth of the time.
    """

    name: ClassVar[str] = "mst"

    iters: int = knob(1000, int, "mirror-descent iterations of the final Private-PGM estimate", low=0, high=1_000_000)


    def fit_discrete(
        self, data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig
    ) -> CompressedModel:
        return run_mst(np.asarray(data, dtype=np.int64), domain, ledger, config, iters=self.iters)
