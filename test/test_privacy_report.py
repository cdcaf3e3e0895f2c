"""The privacy report's column provenance follows the encoder's rule: a column whose bounds were read off the
data is not DP, even when its bin edges are (PrivTree/DAWA)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from method.api import ColumnSpec, TableMetadata
from web_app.synthesis_service import (
    SEEDED_RUN_NOTE,
    UNSEEDED_RUN_NOTE,
    SynthesisRequest,
    synthesize,
)


def test_dp_binned_columns_with_data_bounds_are_reported_as_not_dp() -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"a": rng.lognormal(size=300), "b": rng.lognormal(size=300), "c": ["x", "y"] * 150})
    metadata = TableMetadata((
        ColumnSpec("a", "numerical", dtype="float64", lower=0, upper=60, binning="privtree", provenance="data",
                   nullable=False),
        ColumnSpec("b", "numerical", dtype="float64", lower=0, upper=60, binning="privtree", nullable=False),
        ColumnSpec("c", "categorical", dtype="str", categories=("x", "y"), nullable=False),
    ))
    result = synthesize(table, metadata, SynthesisRequest("privsyn", 1.0, 1e-6, {"update_iterations": 3}, seed=0))
    provenance = {c.name: c.provenance for c in result.privacy.columns}
    assert provenance == {"a": "data", "b": "dp", "c": "public"}
    assert result.privacy.non_dp_columns == ("a",)
    assert result.privacy.spent_by_stage["preprocess:binning"] > 0


def test_the_report_says_whether_the_run_was_seeded() -> None:
    table = pd.DataFrame({"c": ["x", "y"] * 50})
    spec = ColumnSpec("c", "categorical", dtype="str", categories=("x", "y"), nullable=False)
    metadata = TableMetadata((spec,))
    request = SynthesisRequest("mst", 1.0, 1e-6, {"iters": 10}, seed=3)
    seeded = synthesize(table, metadata, request).privacy.to_json()
    assert seeded["seeded"] is True
    assert seeded["randomness"] == SEEDED_RUN_NOTE
    assert SEEDED_RUN_NOTE == (
        "seeded run: reproducible; not private against anyone who knows the seed"
    )
    request = SynthesisRequest("mst", 1.0, 1e-6, {"iters": 10})
    fresh = synthesize(table, metadata, request).privacy.to_json()
    assert fresh["seeded"] is False and fresh["randomness"] == UNSEEDED_RUN_NOTE
    assert {entry["mechanism"] for entry in fresh["ledger"]} == {"discrete-gaussian"}
