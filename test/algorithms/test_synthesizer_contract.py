"""Every registered synthesizer, through the public contract (fit → sample), on small and awkward tables:
columns, order, dtypes and category spellings are kept, the ledger stays within ρ, the same seed gives
the same output. Nothing is stubbed: these are the real mechanisms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import method.synthesis  # noqa: F401
from method.api import ColumnSpec, PrivacySpec, RunConfig, TableMetadata, registry

FAST = {"aim": {"max_iters": 20, "round_iters": 10, "rounds": 3}, "privsyn": {"update_iterations": 5}}

TABLE = pd.DataFrame({
    "größe": ["x", "y", "x", "z"] * 10,  # unicode name
    "empty": [np.nan] * 40,  # all missing
    "const": [7] * 40,  # constant
    "n": np.linspace(0.0, 19.5, 40),
    "wide": [f"v{i % 37}" for i in range(40)],  # high cardinality for 40 rows
})
METADATA = TableMetadata((
    ColumnSpec("größe", "categorical", dtype="str", categories=("x", "y", "z")),
    ColumnSpec("empty", "numerical", dtype="float64", lower=0, upper=1),
    ColumnSpec("const", "numerical", dtype="int64", lower=7, upper=7, integer=True, nullable=False),
    ColumnSpec("n", "numerical", dtype="float64", lower=0, upper=19.5, bins=8),
    ColumnSpec("wide", "categorical", dtype="str", categories=tuple(f"v{i}" for i in range(37)), nullable=False),
))


def _run(name: str, table: pd.DataFrame, metadata: TableMetadata, seed: int):  # type: ignore[no-untyped-def]
    fitted = registry.create(name, **FAST.get(name, {})).fit(table, metadata, PrivacySpec(1.0, 1e-6),
                                                              RunConfig(seed=seed))
    return fitted, fitted.sample(25)


@pytest.mark.parametrize("name", registry.list())
def test_schema_is_kept_and_budget_respected(name: str) -> None:
    fitted, out = _run(name, TABLE, METADATA, seed=1)
    assert list(out.columns) == list(TABLE.columns) and len(out) == 25
    assert [str(t) for t in out.dtypes] == ["str", "float64", "int64", "float64", "str"]
    assert set(out["größe"].dropna()) <= {"x", "y", "z"} and (out["const"] == 7).all()
    assert out["n"].dropna().between(0, 19.5).all()  # nullable: DP noise may produce missing cells
    assert fitted.ledger.spent <= fitted.ledger.total_rho * (1 + 1e-9)


@pytest.mark.parametrize("name", registry.list())
def test_the_same_seed_gives_the_same_table(name: str) -> None:
    pd.testing.assert_frame_equal(_run(name, TABLE, METADATA, 3)[1], _run(name, TABLE, METADATA, 3)[1])


@pytest.mark.parametrize("name", registry.list())
def test_one_row_one_column(name: str) -> None:
    _, out = _run(name, TABLE[["größe"]].head(1), TableMetadata((METADATA["größe"],)), seed=0)
    assert list(out.columns) == ["größe"] and set(out["größe"].dropna()) <= {"x", "y", "z"}
