"""Domain compression after the noisy 1-ways (McKenna, Miklau, Sheldon, JPC 2021, §3 ``compress_domain``).

Used by MST, as in its paper, and by AIM (a measured deviation: docs/pgm.md). Values whose noisy
1-way count is below 3σ are merged into one bucket per attribute, so the model does not spend cells on
values the measurement cannot tell from zero. The merged cell is measured as the sum of its members' noisy
counts, with noise σ√m for m members. Decompression (free post-processing) replaces the bucket by one of
its members, drawn from the noisy 1-way restricted to the members (uniform if that has no positive mass).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from method.api.metadata import Domain
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger, gaussian_sigma
from method.pgm.estimation import Measurement
from method.pgm.marginals import marginal_counts
from method.pgm.model import GraphicalModel

_THRESHOLD_SIGMAS = 3.0


@dataclass(frozen=True, slots=True)
class Compression:
    """For one attribute: the kept original values (in code order) and the merged ones with their weights.

    Code ``i < len(kept)`` stands for ``kept[i]``; code ``len(kept)`` (only if ``merged``) is the bucket.

    >>> c = compress(np.array([50.0, 1.0, 80.0, -2.0]), sigma=10.0)
    >>> c.kept.tolist(), c.merged.tolist(), c.size
    ([0, 2], [1, 3], 3)
    """

    kept: np.ndarray
    merged: np.ndarray
    merged_weights: np.ndarray

    @property
    def size(self) -> int:
        return len(self.kept) + (1 if len(self.merged) else 0)

    def encode(self, codes: np.ndarray, original_size: int) -> np.ndarray:
        """Original codes → compressed codes."""
        table = np.full(original_size, len(self.kept), dtype=np.int64)
        table[self.kept] = np.arange(len(self.kept))
        return table[codes]

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Compressed codes → original codes; the bucket becomes a member drawn from the noisy 1-way."""
        out = np.empty(codes.shape, dtype=np.int64)
        is_kept = codes < len(self.kept)
        out[is_kept] = self.kept[codes[is_kept]]
        if len(self.merged):
            bucket = ~is_kept
            out[bucket] = rng.choice(self.merged, size=int(bucket.sum()), p=self.merged_weights)
        return out

    def measured(self, noisy: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
        """The 1-way measurement re-expressed on the compressed domain: values and per-cell σ."""
        if not len(self.merged):
            return noisy, np.full(noisy.shape, sigma)
        values = np.append(noisy[self.kept], noisy[self.merged].sum())
        sigmas = np.append(np.full(len(self.kept), sigma), sigma * np.sqrt(len(self.merged)))
        return values, sigmas


def compress(noisy: np.ndarray, sigma: float) -> Compression:
    """Keep values with noisy count ≥ 3σ; merge the rest (a single low value is merged too)."""
    keep = noisy >= _THRESHOLD_SIGMAS * sigma
    kept, merged = np.flatnonzero(keep), np.flatnonzero(~keep)
    mass = np.clip(noisy[merged], 0.0, None)
    weights = mass / mass.sum() if mass.sum() > 0 else np.full(len(merged), 1.0 / max(len(merged), 1))
    return Compression(kept, merged, weights)


def keep_all(size: int) -> Compression:
    """The identity compression of a domain of ``size`` values."""
    return Compression(np.arange(size), np.empty(0, dtype=np.int64), np.empty(0))


def compress_data(data: np.ndarray, sizes: Sequence[int], compressions: Sequence[Compression]) -> np.ndarray:
    """Every column of ``data`` mapped to its compressed codes."""
    return np.stack([c.encode(data[:, a], sizes[a]) for a, c in enumerate(compressions)], axis=1)


def decompress_data(
    codes: np.ndarray, compressions: Sequence[Compression], rng: np.random.Generator
) -> np.ndarray:
    """Inverse of :func:`compress_data` (buckets become members drawn from the noisy 1-ways)."""
    if codes.shape[1] == 0:
        return codes
    return np.stack([c.decode(codes[:, a], rng) for a, c in enumerate(compressions)], axis=1)


@dataclass(frozen=True, slots=True)
class CompressedModel:
    """A model fitted on compressed codes, and how to undo the compression when sampling."""

    model: GraphicalModel
    compressions: tuple[Compression, ...]

    @property
    def default_rows(self) -> int:
        return self.model.default_rows

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return decompress_data(self.model.sample(n, rng), self.compressions, rng)


def measure_one_ways(
    data: np.ndarray,
    domain: Domain,
    ledger: BudgetLedger,
    stage: str,
    rho: float,
    noise: NoiseSource,
    *,
    merge: bool = True,
) -> tuple[list[Compression], list[Measurement]]:
    """Measure every 1-way marginal of ``data`` spending ``rho`` each (charged to ``ledger`` under ``stage``)
    and compress each attribute's domain (``merge=False`` keeps every value); the measurements are
    re-expressed on the compressed domains."""
    compressions, measurements = [], []
    sigma = gaussian_sigma(rho)
    for a, name in enumerate(domain.names):
        counts = marginal_counts(data, domain.sizes, (a,))
        noisy = ledger.gaussian(stage, counts, rho, noise, measured=name)
        compression = compress(noisy, sigma) if merge else keep_all(len(noisy))
        values, sigmas = compression.measured(noisy, sigma)
        compressions.append(compression)
        measurements.append(Measurement((a,), values, sigmas))
    return compressions, measurements
