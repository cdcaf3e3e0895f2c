"""The estimated graphical model: junction tree, clique potentials, calibrated marginals and total.

A :class:`GraphicalModel` is what Private-PGM estimation returns (McKenna, Sheldon, Miklau 2019): the
potentials θ_r of every measured clique (kept for warm starts), the junction tree they induce, the
calibrated marginals μ_C of its maximal cliques (scaled to the total N̂), and the last step size of the
mirror descent. Answering marginals and sampling are free post-processing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from method.pgm.factor import Clique
from method.pgm.inference import clique_marginal
from method.pgm.junction_tree import JunctionTree
from method.pgm.sampling import synthetic_data


@dataclass(frozen=True, slots=True)
class GraphicalModel:
    """A Private-PGM model over attributes ``0 .. len(sizes)-1``.

    Attributes:
        tree: the junction tree of the measured cliques.
        potentials: θ_r (log space) of every measured clique, over that clique's axes.
        marginals: μ_C of every maximal clique of ``tree`` (linear space, Σ μ_C = ``total``).
        total: the model's record count N̂.
        step: the mirror-descent step size at the end of estimation (a warm start reuses it).
    """

    tree: JunctionTree
    potentials: Mapping[Clique, np.ndarray]
    marginals: tuple[np.ndarray, ...]
    total: float
    step: float

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.tree.sizes

    @property
    def default_rows(self) -> int:
        """The estimated record count N̂, rounded (at least 1)."""
        return max(1, round(self.total))

    @property
    def cliques(self) -> tuple[Clique, ...]:
        """The measured cliques (the model's parameters live on them)."""
        return tuple(self.potentials)

    def marginal(self, clique: Sequence[int]) -> np.ndarray:
        """The model's marginal (counts scaled to ``total``) over ``clique``, axes in sorted order."""
        return clique_marginal(self.tree, self.marginals, clique)

    def sample(self, rows: int, rng: np.random.Generator) -> np.ndarray:
        """``rows × d`` synthetic codes (see :func:`method.pgm.sampling.synthetic_data`)."""
        return synthetic_data(self.tree, self.marginals, rows, rng)
