"""Marginals of integer-coded data: one ``np.bincount`` over flat cell indices per clique.

Data are ``n × d`` arrays of codes, column ``a`` in ``0 .. sizes[a]-1``; a clique's marginal is the
count table over its (sorted) attributes, the ``M_r(D)`` of the AIM and MST papers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from method.pgm.factor import as_clique


def flat_index(data: np.ndarray, sizes: Sequence[int], clique: Sequence[int]) -> np.ndarray:
    """Row-major cell index of every row within the marginal table of ``clique`` (sorted).

    >>> import numpy as np
    >>> flat_index(np.array([[1, 2], [0, 1]]), (2, 3), (0, 1)).tolist()
    [5, 1]
    """
    attrs = as_clique(clique)
    if not attrs:
        return np.zeros(data.shape[0], dtype=np.int64)
    shape = tuple(int(sizes[a]) for a in attrs)
    return np.ravel_multi_index(tuple(data[:, a] for a in attrs), shape)


def marginal_counts(data: np.ndarray, sizes: Sequence[int], clique: Sequence[int]) -> np.ndarray:
    """Count table of ``data`` over ``clique`` (axes in sorted attribute order), as float.

    >>> import numpy as np
    >>> marginal_counts(np.array([[1, 2], [0, 1], [1, 2]]), (2, 3), (1,)).tolist()
    [0.0, 1.0, 2.0]
    """
    attrs = as_clique(clique)
    shape = tuple(int(sizes[a]) for a in attrs)
    counts = np.bincount(flat_index(data, sizes, attrs), minlength=math.prod(shape))
    return counts.astype(float).reshape(shape)
