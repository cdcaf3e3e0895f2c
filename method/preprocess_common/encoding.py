"""Per-column codecs and the TableEncoder (interface only in this commit; implemented next)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from method.api.metadata import Domain, TableMetadata
from method.api.privacy import BudgetLedger


class TableEncoder:
    domain: Domain

    @classmethod
    def fit(
        cls,
        table: pd.DataFrame,
        metadata: TableMetadata,
        ledger: BudgetLedger,
        rng: np.random.Generator,
        *,
        binning_rho: float,
    ) -> TableEncoder:
        raise NotImplementedError("TableEncoder lands in the next commit")

    def transform(self, table: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def inverse_transform(self, codes: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        raise NotImplementedError
