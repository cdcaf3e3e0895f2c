"""A Private-PGM engine in numpy (McKenna, Sheldon, Miklau, ICML 2019), used by AIM and MST.

Modules, bottom-up: :mod:`factor` (named-axis arrays), :mod:`marginals` (data marginals by bincount),
:mod:`junction_tree` (elimination order, maximal cliques, JT_SIZE), :mod:`inference` (belief propagation,
variable elimination), :mod:`sampling` (synthetic data), :mod:`model` (the fitted model) and
:mod:`estimation` (mirror descent on noisy marginals). Pure: no I/O, randomness only from passed
generators.
"""

from method.pgm.estimation import Measurement, estimate_total, mirror_descent
from method.pgm.factor import Clique, Factor, as_clique
from method.pgm.junction_tree import JunctionTree, build_junction_tree, jt_size_mb
from method.pgm.marginals import marginal_counts
from method.pgm.model import GraphicalModel

__all__ = [
    "Clique",
    "Factor",
    "GraphicalModel",
    "JunctionTree",
    "Measurement",
    "as_clique",
    "build_junction_tree",
    "estimate_total",
    "jt_size_mb",
    "marginal_counts",
    "mirror_descent",
]
