"""Rare-value filtering on noisy 1-way marginals (PrivSyn §5.3; MST's ``compress_domain`` is the same idea).

Given an attribute's noisy 1-way counts and a threshold θ (3σ of that noise), values with a noisy count
≥ θ are kept; the rest are merged into one new value whose count is the sum of theirs — or 0 when that
sum is below θ too (the paper "drops" them; records holding them still encode to the merged value, so
the data stays well defined, but the model gives it no mass). Decoding turns the merged value back into
one of its members, drawn in proportion to the members' noisy counts made non-negative by ``norm_sub``.

Everything here is post-processing of already-released noisy counts: it costs no budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from method.preprocess_common.nonnegative import norm_sub


@dataclass(frozen=True, slots=True)
class ValueCompression:
    """How one attribute's values ``0..original_size-1`` map to the compressed values ``0..size-1``.

    The kept values come first (in their original order); the merged value, if any, is the last one.
    """

    original_size: int
    kept: np.ndarray  # original values kept, ascending
    merged: np.ndarray  # original values merged into the last compressed value (may be empty)
    merged_weights: np.ndarray  # sampling weights of the merged members (sum 1 when non-empty)
    counts: np.ndarray  # noisy counts in the compressed domain

    @property
    def size(self) -> int:
        return int(self.kept.size + (1 if self.merged.size else 0))

    @property
    def mapping(self) -> np.ndarray:
        """``mapping[original value] = compressed value``."""
        table = np.full(self.original_size, self.kept.size, dtype=np.int64)
        table[self.kept] = np.arange(self.kept.size)
        return table

    def compress(self, values: np.ndarray) -> np.ndarray:
        return self.mapping[values]

    def expand(self, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Map compressed values back; each merged value becomes a member drawn by its weight."""
        out = np.empty(values.shape, dtype=np.int64)
        is_kept = values < self.kept.size
        out[is_kept] = self.kept[values[is_kept]]
        n_merged = int((~is_kept).sum())
        if n_merged:
            out[~is_kept] = rng.choice(self.merged, size=n_merged, p=self.merged_weights)
        return out


def compress_values(noisy_counts: np.ndarray, threshold: float) -> ValueCompression:
    """Keep values whose noisy count is ≥ ``threshold``; merge the rest (module docstring).

    >>> c = compress_values(np.array([500.0, 3.0, 900.0, -4.0, 2.0]), threshold=100.0)
    >>> c.kept.tolist(), c.merged.tolist(), c.size, c.counts.tolist()
    ([0, 2], [1, 3, 4], 3, [500.0, 900.0, 0.0])
    >>> compress_values(np.array([5.0, 400.0]), threshold=100.0).merged.tolist()  # one rare value stays
    []
    """
    noisy_counts = np.asarray(noisy_counts, dtype=float)
    rare = noisy_counts < threshold
    if rare.sum() <= 1:  # merging a single value would change nothing
        rare = np.zeros_like(rare)
    kept = np.flatnonzero(~rare)
    merged = np.flatnonzero(rare)
    counts = noisy_counts[kept]
    weights = np.empty(0)
    if merged.size:
        merged_total = float(noisy_counts[merged].sum())
        counts = np.append(counts, merged_total if merged_total >= threshold else 0.0)
        # norm_sub, not clipping: clipping gives every truly-empty member about 0.4σ of mass.
        positive = norm_sub(noisy_counts[merged])
        weights = positive / positive.sum() if positive.sum() > 0 else np.full(merged.size, 1.0 / merged.size)
    return ValueCompression(noisy_counts.size, kept, merged, weights, counts)
