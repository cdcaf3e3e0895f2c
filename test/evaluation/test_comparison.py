"""Fidelity on the real values: the evaluation encoding, KS/Wasserstein, pairs and triples, out-of-domain values
judged against the real column, missing rates, errors (the verdict and the report have their own files)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from method.api import ColumnSpec, TableMetadata
from web_app.data_comparison import EvaluationError, compare
from web_app.data_inference import infer_metadata

RNG = np.random.default_rng


def _real(n: int = 2000) -> pd.DataFrame:
    rng = RNG(0)
    a = rng.integers(0, 5, n)
    return pd.DataFrame({"a": a, "b": (a + rng.integers(0, 2, n)) % 5, "c": rng.choice(["x", "y", "z"], n),
                         "d": rng.normal(40, 10, n)})


def _metadata() -> TableMetadata:
    return TableMetadata((
        ColumnSpec("a", "categorical", dtype="int64", categories=(0, 1, 2, 3, 4), nullable=False, provenance="data"),
        ColumnSpec("b", "categorical", dtype="int64", categories=(0, 1, 2, 3, 4), nullable=False),
        ColumnSpec("c", "categorical", dtype="str", categories=("x", "y", "z"), nullable=False),
        ColumnSpec("d", "numerical", dtype="float64", lower=0.0, upper=80.0, binning="privtree", bins=64),
    ))


def _by_name(report):  # type: ignore[no-untyped-def]
    return {c.name: c for c in report.columns}


def test_identical_tables_score_zero() -> None:
    real = _real()
    report = compare(real, real.copy(), _metadata(), rng=RNG(1))
    assert max(m.worst for m in report.marginals) == pytest.approx(0.0)
    assert [m.way for m in report.marginals] == [1, 2, 3]
    assert all(c.ks == pytest.approx(0.0) for c in report.columns if c.kind == "numerical")
    assert report.synthetic_scores.column_shapes == pytest.approx(1.0)
    assert report.synthetic_scores.pair_trends == pytest.approx(1.0)


def test_uniform_noise_inside_coarse_bins_scores_badly_on_the_real_values() -> None:
    """A heavy-tailed column: 32 uniform bins over its range put ~99 % of the rows in 3 bins. Synthetic values
    drawn uniformly inside the right coarse bins look perfect on those bins, not on the real values."""
    rng = RNG(4)
    n = 5000
    income = np.concatenate([rng.lognormal(3, 0.6, n - 50), rng.uniform(5000, 10000, 50)])
    real = pd.DataFrame({"income": income.round(2), "g": rng.choice(["p", "q"], n)})
    edges = np.linspace(income.min(), income.max(), 33)
    cells = np.clip(np.searchsorted(edges, income, side="right") - 1, 0, 31)
    assert np.bincount(cells, minlength=32)[:3].sum() / n >= 0.99  # the synthesizer's coarse view
    noise = rng.uniform(edges[cells], edges[cells + 1]).round(2)  # right coarse bin, uniform inside
    synth = real.assign(income=noise)
    coarse_tvd = 0.5 * np.abs(np.bincount(cells, minlength=32) / n
                              - np.bincount(np.clip(np.searchsorted(edges, noise, side="right") - 1, 0, 31),
                                            minlength=32) / n).sum()
    assert coarse_tvd < 0.01  # the old, bin-level comparison saw nothing
    column = _by_name(compare(real, synth, infer_metadata(real).to_table_metadata(), rng=RNG(1)))["income"]
    assert column.encoding == "bins" and column.ks > 0.4 and column.tvd > 0.4 and column.shape < 0.6


def test_invented_codes_are_out_of_domain() -> None:
    """An occupation-code column (integers, hundreds of distinct values): 89 % of the synthetic codes are
    integers in range that never occur in the real column."""
    rng = RNG(5)
    codes = np.sort(rng.choice(np.arange(10, 10000), 300, replace=False))
    real = pd.DataFrame({"occupation": rng.choice(codes, 6000), "x": rng.integers(0, 3, 6000)})
    invented = np.setdiff1d(np.arange(10, 10000), codes)
    synth = real.copy()
    fake = rng.random(6000) < 0.89
    synth.loc[fake, "occupation"] = rng.choice(invented, int(fake.sum()))
    metadata = infer_metadata(real).to_table_metadata()
    assert metadata.columns[0].kind == "numerical"
    column = _by_name(compare(real, synth, metadata, rng=RNG(1)))["occupation"]
    assert column.encoding == "values"
    detail = column.out_of_domain_detail  # invented codes, inside the real range or not
    assert detail.unseen + detail.out_of_range == column.out_of_domain == int(fake.sum())
    assert column.out_of_domain_share == pytest.approx(fake.mean())
    assert column.tvd > 0.85 and column.shape < 0.2


def test_out_of_range_wrong_precision_and_text_in_numbers() -> None:
    real = _real()
    real["d"] = real["d"].round(1)
    synth = real.copy().astype({"d": object})
    synth.loc[:9, "d"] = 500.0  # above the real range
    synth.loc[10:29, "d"] = 41.123  # three decimals where the real values have one
    synth.loc[30:33, "d"] = "n/a"
    synth.loc[34:40, "c"] = "w"  # a category the real column never has
    by_name = _by_name(compare(real, synth, _metadata(), rng=RNG(1)))
    detail = by_name["d"].out_of_domain_detail
    assert (detail.out_of_range, detail.wrong_precision, detail.unparsed) == (10, 20, 4)
    assert by_name["c"].out_of_domain_detail.unseen == 7 and by_name["c"].out_of_domain == 7


def test_integer_categories_read_back_as_text_match() -> None:
    real = _real()
    synth = real.sample(frac=1, random_state=2).reset_index(drop=True)
    synth["a"] = synth["a"].astype(str)  # a CSV read back as text: "1" must match the category 1
    report = compare(real, synth, _metadata(), rng=RNG(1))
    assert _by_name(report)["a"].tvd == pytest.approx(0.0) and _by_name(report)["a"].out_of_domain == 0
    assert all(0.0 <= m.worst <= 1.0 for m in report.marginals)


def test_rare_categories_are_pooled_and_worst_shape_first() -> None:
    rng = RNG(6)
    values = np.array([f"v{i}" for i in range(8)] + [f"rare{i}" for i in range(40)])
    weights = np.r_[np.full(8, 0.1225), np.full(40, 0.02 / 40)]  # the 40 rare ones under 0.1 % each
    real = pd.DataFrame({"cat": rng.choice(values, 10000, p=weights), "n": rng.normal(0, 1, 10000)})
    synth = real.assign(n=real["n"] + 1.5)
    report = compare(real, synth, infer_metadata(real).to_table_metadata(), rng=RNG(1))
    cat = _by_name(report)["cat"]
    # 8 kept values, the pooled rare ones, "not a real value", missing
    assert cat.cells == 8 + 3 and cat.coverage == 1.0 and cat.out_of_domain == 0
    assert report.columns[0].name == "n" and report.columns[0].wasserstein == pytest.approx(1.5 / np.ptp(real["n"]),
                                                                                            rel=0.05)


def test_pairs_correlations_and_the_baseline() -> None:
    real = _real()
    synth = real.copy()
    synth["b"] = RNG(3).permutation(synth["b"].to_numpy())  # same 1-way, a-b dependence destroyed
    report = compare(real, synth, _metadata(), rng=RNG(1))
    pair = next(p for p in report.pairs if {p.a, p.b} == {"a", "b"})
    assert pair.v_real > 0.5 and pair.v_synth < 0.1 and report.cramers_v_diff > 0
    assert report.baseline[0].mean < 0.05 and report.baseline[1].mean > 0.05  # baseline keeps 1-ways only
    assert report.baseline_scores.column_shapes > 0.97 and report.baseline_scores.pair_trends < 0.97


def test_many_columns_sample_the_triples() -> None:
    rng = RNG(0)
    real = pd.DataFrame({f"c{i}": rng.integers(0, 3, 300) for i in range(20)})
    metadata = infer_metadata(real).to_table_metadata()
    report = compare(real, real.sample(frac=1, random_state=0), metadata, rng=RNG(1), max_triples=100)
    assert report.marginals[2].sampled and report.marginals[2].count == 100 and not report.marginals[1].sampled


def test_missing_rates_and_errors() -> None:
    real = _real()
    synth = real.copy()
    synth.loc[:499, "d"] = np.nan
    d = _by_name(compare(real, synth, _metadata(), rng=RNG(1)))["d"]
    assert d.missing_real == 0 and d.missing_synth == pytest.approx(0.25)
    with pytest.raises(EvaluationError) as missing:
        compare(real, synth.drop(columns="c"), _metadata(), rng=RNG(1))
    with pytest.raises(EvaluationError) as empty:
        compare(real, synth.iloc[:0], _metadata(), rng=RNG(1))
    assert (missing.value.code, empty.value.code) == ("missing_columns", "empty_table")


def test_datetimes_with_missing_values() -> None:
    rng = RNG(8)
    when = pd.Series(pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, 1000), unit="D"))
    when[:50] = pd.NaT
    real = pd.DataFrame({"when": when, "k": rng.choice(["a", "b"], 1000)})
    report = compare(real, real.copy(), infer_metadata(real).to_table_metadata(), rng=RNG(1))
    column = _by_name(report)["when"]
    assert column.kind == "datetime" and column.ks == pytest.approx(0.0) and column.missing_real == 0.05
