"""Shared fixtures: the bundled Adult sample (encoded and raw)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from method.api import Domain

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def adult_encoded() -> tuple[np.ndarray, Domain]:
    """The integer-coded Adult (48,842 × 14) and its public domain."""
    sizes = json.loads((DATA / "adult-encoded-domain.json").read_text())
    domain = Domain.from_dict(sizes)
    table = pd.read_csv(DATA / "adult-encoded.csv")
    return table[list(domain.names)].to_numpy(dtype=np.int64), domain


@pytest.fixture(scope="session")
def adult_raw() -> pd.DataFrame:
    """The raw 15-column Adult sample as shipped (``?`` read as missing)."""
    return pd.read_csv(DATA / "adult.csv.zip", na_values=["?"], skipinitialspace=True)
