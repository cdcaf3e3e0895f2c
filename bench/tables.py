"""Generated tables for the scale benchmarks: mixed numeric/categorical columns with real correlations.

Each row draws a latent class z (8 classes); every column depends on z and on the previous column, so
pairs and triples are correlated and an independent-columns model is measurably worse. Seeded, so a run
is reproducible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def mixed_table(rows: int, columns: int, seed: int = 0) -> pd.DataFrame:
    """``rows × columns``: every third column numeric (floats or integers), the others categorical."""
    rng = np.random.default_rng(seed)
    latent = rng.integers(0, 8, rows)
    previous = latent.copy()
    data: dict[str, object] = {}
    for c in range(columns):
        if c % 3 == 2:
            centre = rng.normal(0, 10, 8)
            values = centre[latent] + 0.3 * previous + rng.normal(0, 3, rows)
            data[f"num{c}"] = np.round(values, 2) if c % 2 else np.round(values).astype(np.int64)
            previous = np.clip(((values - values.min()) / (np.ptp(values) + 1e-9) * 8).astype(np.int64), 0, 7)
        else:
            k = int(rng.integers(2, 12))
            table = rng.dirichlet(np.full(k, 0.5), size=(8, 8))  # P(value | z, previous)
            cumulative = table[latent, previous % 8].cumsum(axis=1)
            codes = (rng.random((rows, 1)) > cumulative).sum(axis=1).clip(0, k - 1)
            data[f"cat{c}"] = pd.Categorical.from_codes(codes, [f"v{i}" for i in range(k)])
            previous = codes % 8
    return pd.DataFrame(data)


def coded_table(rows: int, columns: int, seed: int = 0) -> tuple[np.ndarray, tuple[int, ...]]:
    """The same shape of dependence as integer codes (for engine-level profiles): codes and domain sizes."""
    rng = np.random.default_rng(seed)
    latent = rng.integers(0, 8, rows)
    previous = latent.copy()
    out, sizes = [], []
    for _ in range(columns):
        k = int(rng.integers(2, 16))
        table = rng.dirichlet(np.full(k, 0.5), size=(8, 8))
        cumulative = table[latent, previous % 8].cumsum(axis=1)
        codes = (rng.random((rows, 1)) > cumulative).sum(axis=1).clip(0, k - 1)
        out.append(codes)
        sizes.append(k)
        previous = codes
    return np.stack(out, axis=1), tuple(sizes)
