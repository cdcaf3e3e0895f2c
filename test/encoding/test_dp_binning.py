"""PrivTree and DAWA binnings: budget accounting, edges that cover the bounds, data-adaptive widths."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from method.api import (
    BudgetExceededError,
    BudgetLedger,
    ColumnSpec,
    InvalidMetadataError,
    InvalidParameterError,
    TableMetadata,
)
from method.api.noise import NoiseSource
from method.api.privacy import DISCRETE_LAPLACE
from method.preprocess_common.dawa import dawa_partition
from method.preprocess_common.encoding import BINNING_STAGE, TableEncoder
from method.preprocess_common.privtree import privtree_partition

DP = ("privtree", "dawa")


class NoNoise:
    """Stands in for the rng where no noise may be drawn."""

    def __getattr__(self, name: str):
        raise AssertionError(f"noise was drawn ({name}) before the budget was checked")


def skewed(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"income": np.clip(rng.lognormal(3.0, 1.0, n), 0, 1000),
                         "count": rng.integers(0, 50, n), "city": rng.choice(["a", "b"], n)})


def meta(binning_income: str, binning_count: str = "uniform", bins: int = 256) -> TableMetadata:
    return TableMetadata((
        ColumnSpec("income", "numerical", lower=0.0, upper=1000.0, binning=binning_income, bins=bins),
        ColumnSpec("count", "numerical", lower=0, upper=49, integer=True, binning=binning_count, bins=16),
        ColumnSpec("city", "categorical", categories=("a", "b")),
    ))


def test_ledger_records_each_dp_binning() -> None:
    ledger = BudgetLedger(1.0)
    encoder = TableEncoder.fit(skewed(), meta("privtree", "dawa"), ledger, NoiseSource.from_seed(0),
                               binning_rho=0.1)
    expected = [(BINNING_STAGE, 0.05, DISCRETE_LAPLACE)] * 2
    assert [(e.stage, e.rho, e.mechanism) for e in ledger.entries] == expected
    assert ledger.entries[0].epsilon == pytest.approx(math.sqrt(0.1))  # pure ε-DP costs ρ = ε²/2
    assert "income" in ledger.entries[0].measured and "count" in ledger.entries[1].measured
    provenance = encoder.provenance()
    assert provenance["income"].provenance == "dp" and provenance["income"].rho == 0.05
    assert provenance["income"].binning == "privtree" and provenance["count"].binning == "dawa"
    assert provenance["city"].rho == 0.0 and provenance["city"].edges == 0


def test_no_dp_binning_spends_nothing() -> None:
    ledger = BudgetLedger(1.0)
    TableEncoder.fit(skewed(), meta("uniform"), ledger, NoNoise(), binning_rho=0.1)  # type: ignore[arg-type]
    assert ledger.entries == []


@pytest.mark.parametrize("binning", DP)
def test_over_budget_raises_before_any_noise_and_leaves_the_ledger_unchanged(binning: str) -> None:
    ledger = BudgetLedger(0.1)
    ledger.charge("earlier", 0.08, mechanism="gaussian", measured="something")
    before = list(ledger.entries)
    with pytest.raises(BudgetExceededError, match=BINNING_STAGE):
        TableEncoder.fit(skewed(), meta(binning, binning), ledger, NoNoise(), binning_rho=0.04)  # type: ignore[arg-type]
    assert ledger.entries == before


@pytest.mark.parametrize("binning", DP)
def test_a_table_the_binning_rejects_costs_nothing(binning: str) -> None:
    table = skewed().astype({"income": object})
    table.loc[3, "income"] = "n/a"
    ledger = BudgetLedger(1.0)
    with pytest.raises(InvalidMetadataError, match=r"'income': 1 row\(s\) are not numbers, e.g. 'n/a'"):
        TableEncoder.fit(table, meta(binning), ledger, NoNoise(), binning_rho=0.1)  # type: ignore[arg-type]
    assert ledger.entries == []


@pytest.mark.parametrize("binning", DP)
def test_dp_binning_without_budget_is_refused(binning: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"'income' ask for a DP binning but binning_rho is 0"):
        TableEncoder.fit(skewed(), meta(binning), BudgetLedger(1.0), NoiseSource.from_seed(0),
                         binning_rho=0.0)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_bad_binning_rho_is_refused(bad: float) -> None:
    with pytest.raises(InvalidParameterError, match="binning_rho"):
        TableEncoder.fit(skewed(), meta("uniform"), BudgetLedger(1.0), NoiseSource.from_seed(0),
                         binning_rho=bad)


@pytest.mark.parametrize("binning", DP)
@pytest.mark.parametrize("seed", range(5))
def test_edges_cover_the_bounds_without_gaps(binning: str, seed: int) -> None:
    table = skewed(seed=seed)
    encoder = TableEncoder.fit(table, meta(binning, binning), BudgetLedger(1.0),
                               NoiseSource.from_seed(seed),
                               binning_rho=0.2)
    income, count = encoder.codecs[0].edges, encoder.codecs[1].edges
    assert income[0] == 0.0 and income[-1] == 1000.0 and (np.diff(income) > 0).all()
    assert count.dtype == np.int64 and count[0] == 0 and count[-1] == 50 and (np.diff(count) > 0).all()
    codes = encoder.transform(table)
    decoded = encoder.inverse_transform(codes, np.random.default_rng(seed))
    assert decoded["income"].between(0, 1000).all() and decoded["count"].between(0, 49).all()
    np.testing.assert_array_equal(encoder.transform(decoded), codes)


@pytest.mark.parametrize("binning", DP)
def test_dp_edges_lie_on_the_fine_grid(binning: str) -> None:
    encoder = TableEncoder.fit(skewed(), meta(binning), BudgetLedger(1.0), NoiseSource.from_seed(0),
                               binning_rho=0.5)
    grid = np.linspace(0.0, 1000.0, 257)
    assert np.isin(encoder.codecs[0].edges, grid).all()
    assert encoder.domain["income"] == len(encoder.codecs[0].edges)  # bins + the null code


@pytest.mark.parametrize("binning", DP)
def test_same_seed_same_edges(binning: str) -> None:
    def edges(seed: int) -> np.ndarray:
        return TableEncoder.fit(skewed(), meta(binning), BudgetLedger(1.0),
                                NoiseSource.from_seed(seed),
                                binning_rho=0.5).codecs[0].edges
    np.testing.assert_array_equal(edges(7), edges(7))


@pytest.mark.parametrize("binning", DP)
def test_bins_are_finer_where_a_skewed_column_is_dense(binning: str) -> None:
    dense_widths, sparse_widths = [], []
    for seed in range(10):
        table = skewed(seed=seed)
        encoder = TableEncoder.fit(table, meta(binning), BudgetLedger(1.0),
                                   NoiseSource.from_seed(seed),
                                   binning_rho=0.02)
        edges = encoder.codecs[0].edges
        widths = np.diff(edges)
        centres = (edges[:-1] + edges[1:]) / 2
        dense_widths += widths[centres < table["income"].quantile(0.5)].tolist()
        sparse_widths += widths[centres > table["income"].quantile(0.99)].tolist()
    assert np.mean(dense_widths) * 5 < np.mean(sparse_widths)


def test_privtree_splits_nothing_on_an_empty_histogram() -> None:
    cuts = privtree_partition(np.zeros(64), 1.0, np.random.default_rng(0))
    assert len(cuts) <= 4  # a handful of noisy splits at most; θ − δ bias stops them


def test_privtree_splits_down_to_single_cells_on_a_heavy_cell() -> None:
    counts = np.zeros(64)
    counts[37] = 1e6
    cuts = privtree_partition(counts, 1.0, np.random.default_rng(0)).tolist()
    assert 37 in cuts and 38 in cuts


def test_dawa_merges_uniform_runs_and_separates_spikes() -> None:
    counts = np.array([500] * 32 + [0] * 30 + [5000, 0], dtype=float)
    partitions = [dawa_partition(counts, 2.0, np.random.default_rng(seed)).tolist() for seed in range(10)]
    assert all(62 in cuts and 63 in cuts for cuts in partitions)  # the spike is a bucket of its own
    assert np.mean([len(cuts) - 1 for cuts in partitions]) < 20  # of 64 cells


def test_dp_binning_on_a_datetime_column() -> None:
    stamps = pd.Series(pd.to_datetime("2020-01-01") + pd.to_timedelta(
        np.random.default_rng(0).exponential(30, 5000), unit="D"))
    ns = stamps.dt.as_unit("ns").astype("int64")
    spec = ColumnSpec("t", "datetime", lower=int(ns.min()), upper=int(ns.max()), binning="privtree", bins=128)
    ledger = BudgetLedger(1.0)
    encoder = TableEncoder.fit(pd.DataFrame({"t": stamps}), TableMetadata((spec,)), ledger,
                               NoiseSource.from_seed(0), binning_rho=0.5)
    codes = encoder.transform(pd.DataFrame({"t": stamps}))
    decoded = encoder.inverse_transform(codes, np.random.default_rng(1))
    assert decoded["t"].between(stamps.min(), stamps.max()).all() and ledger.spent == 0.5
