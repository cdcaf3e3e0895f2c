"""Acceptance 1 of issue 17: no numpy floating-point sampler draws privacy noise anywhere in
``method``.

Every generator made while a synthesizer fits is a :class:`FloatFreeGenerator`, whose floating-point
samplers raise; each registered method (with a PrivTree and a DAWA column, so the DP binnings run
too) must still fit. Sampling afterwards is post-processing and may use them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import method.synthesis  # noqa: F401  (registers the methods)
from method.api import ColumnSpec, PrivacySpec, RunConfig, TableMetadata, registry
from method.api.privacy import (
    DISCRETE_GAUSSIAN,
    DISCRETE_GAUSSIAN_LATTICE,
    DISCRETE_LAPLACE,
    EXPONENTIAL_EXACT,
)

FLOAT_SAMPLERS = (
    "normal",
    "standard_normal",
    "laplace",
    "choice",
    "gumbel",
    "exponential",
    "standard_exponential",
    "random",
    "uniform",
    "logistic",
    "standard_t",
    "beta",
    "gamma",
)
FAST = {
    "aim": {"max_iters": 20, "round_iters": 10, "rounds": 3},
    "privsyn": {"update_iterations": 3},
}


def _refuse(name: str):  # type: ignore[no-untyped-def]
    def sampler(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"Generator.{name} drew privacy noise during fit")

    return sampler


FloatFreeGenerator = type(
    "FloatFreeGenerator", (np.random.Generator,), {name: _refuse(name) for name in FLOAT_SAMPLERS}
)


def _float_free_default_rng(seed=None):  # type: ignore[no-untyped-def]
    return FloatFreeGenerator(np.random.PCG64(seed))


def _table() -> tuple[pd.DataFrame, TableMetadata]:
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "a": rng.integers(0, 3, 400),
            "b": rng.integers(0, 2, 400),
            "x": rng.lognormal(2, 1, 400).clip(0, 99),
            "y": rng.uniform(0, 50, 400),
        }
    )
    metadata = TableMetadata(
        (
            ColumnSpec("a", "categorical", dtype="int64", categories=(0, 1, 2), nullable=False),
            ColumnSpec("b", "categorical", dtype="int64", categories=(0, 1), nullable=False),
            ColumnSpec(
                "x",
                "numerical",
                dtype="float64",
                lower=0,
                upper=99,
                binning="privtree",
                nullable=False,
            ),
            ColumnSpec(
                "y", "numerical", dtype="float64", lower=0, upper=50, binning="dawa", nullable=False
            ),
        )
    )
    return table, metadata


@pytest.mark.parametrize("name", registry.list())
def test_fit_draws_no_floating_point_noise(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    table, metadata = _table()
    with monkeypatch.context() as patched:
        patched.setattr(np.random, "default_rng", _float_free_default_rng)
        config = RunConfig(seed=4)
        assert isinstance(config.sampling_rng, FloatFreeGenerator)
        assert isinstance(config.noise.generator(), FloatFreeGenerator)
        fitted = registry.create(name, **FAST.get(name, {})).fit(
            table, metadata, PrivacySpec(1.0, 1e-6), config
        )
    mechanisms = {entry.mechanism for entry in fitted.ledger.entries}
    assert mechanisms <= {
        DISCRETE_GAUSSIAN,
        DISCRETE_GAUSSIAN_LATTICE,
        EXPONENTIAL_EXACT,
        DISCRETE_LAPLACE,
    }
    assert DISCRETE_LAPLACE in mechanisms  # the DP binnings ran
    assert len(fitted.sample(30, rng=np.random.default_rng(0))) == 30


def test_the_float_free_generator_does_refuse() -> None:
    with pytest.raises(AssertionError, match="Generator.normal drew privacy noise"):
        _float_free_default_rng(0).normal()
