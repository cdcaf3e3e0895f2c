"""Evaluation: TVD stays in [0, 1] (integer-valued categories included), worst columns first, the baseline,
sampled 3-way sets, out-of-domain counts, JSON and the self-contained HTML report."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from method.api import ColumnSpec, TableMetadata
from web_app.data_comparison import EvaluationError, compare
from web_app.data_inference import infer_metadata
from web_app.evaluation.report import render_html

RNG = np.random.default_rng


def _real(n: int = 2000) -> pd.DataFrame:
    rng = RNG(0)
    a = rng.integers(0, 5, n)
    return pd.DataFrame({"a": a, "b": (a + rng.integers(0, 2, n)) % 5, "c": rng.choice(["x", "y", "z"], n),
                         "d": rng.normal(40, 10, n)})


def _metadata(real: pd.DataFrame) -> TableMetadata:
    return TableMetadata((
        ColumnSpec("a", "categorical", dtype="int64", categories=(0, 1, 2, 3, 4), nullable=False, provenance="data"),
        ColumnSpec("b", "categorical", dtype="int64", categories=(0, 1, 2, 3, 4), nullable=False),
        ColumnSpec("c", "categorical", dtype="str", categories=("x", "y", "z"), nullable=False),
        ColumnSpec("d", "numerical", dtype="float64", lower=0.0, upper=80.0, binning="privtree", bins=64),
    ))


def _all_tvds(report) -> list[float]:
    values = [c.tvd for c in report.columns] + [p.tvd for p in report.pairs]
    return values + [m.mean for m in report.marginals] + [m.worst for m in report.marginals]


def test_identical_tables_score_zero() -> None:
    real = _real()
    report = compare(real, real.copy(), _metadata(real), rng=RNG(1))
    assert max(_all_tvds(report)) == pytest.approx(0.0)
    assert [m.way for m in report.marginals] == [1, 2, 3]


def test_integer_categories_read_back_as_text_stay_within_one() -> None:
    real = _real()
    synth = real.sample(frac=1, random_state=2).reset_index(drop=True)
    synth["a"] = synth["a"].astype(str)  # a CSV read back as text: "1" must match the category 1
    synth.loc[:99, "b"] = 7  # out of the domain
    report = compare(real, synth, _metadata(real), rng=RNG(1))
    assert all(0.0 <= v <= 1.0 for v in _all_tvds(report))
    by_name = {c.name: c for c in report.columns}
    assert by_name["a"].tvd == pytest.approx(0.0) and by_name["b"].out_of_domain == 100


def test_disjoint_values_give_exactly_one() -> None:
    real = _real()
    synth = real.copy()
    synth["c"] = "w"
    report = compare(real, synth, _metadata(real), rng=RNG(1))
    assert report.columns[0].name == "c" and report.columns[0].tvd == pytest.approx(1.0)
    assert report.columns[0].coverage == 0.0 and report.columns[0].out_of_domain == len(real)


def test_worst_first_and_baseline() -> None:
    real = _real()
    synth = real.copy()
    synth["b"] = RNG(3).permutation(synth["b"].to_numpy())  # same 1-way, a-b dependence destroyed
    synth["d"] = synth["d"] + 15  # shifted
    report = compare(real, synth, _metadata(real), rng=RNG(1))
    scores = [c.score for c in report.columns]
    assert scores == sorted(scores, reverse=True) and report.columns[0].name in ("b", "d")
    assert report.baseline[1].mean > 0.05 and report.baseline[0].mean < 0.05  # baseline keeps 1-ways only
    perfect = compare(real, real.copy(), _metadata(real), rng=RNG(1))
    assert perfect.marginals[1].mean < perfect.baseline[1].mean
    pair = next(p for p in report.pairs if {p.a, p.b} == {"a", "b"})
    assert pair.v_real > 0.5 and pair.v_synth < 0.1 and report.cramers_v_diff > 0


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
    report = compare(real, synth, _metadata(real), rng=RNG(1))
    d = next(c for c in report.columns if c.name == "d")
    assert d.missing_real == 0 and d.missing_synth == pytest.approx(0.25)
    with pytest.raises(EvaluationError) as missing:
        compare(real, synth.drop(columns="c"), _metadata(real), rng=RNG(1))
    with pytest.raises(EvaluationError) as empty:
        compare(real, synth.iloc[:0], _metadata(real), rng=RNG(1))
    assert (missing.value.code, empty.value.code) == ("missing_columns", "empty_table")


def test_json_and_html() -> None:
    real = _real().rename(columns={"c": "<script>alert(1)</script>"})
    metadata = infer_metadata(real).to_table_metadata()
    report = compare(real, real.sample(frac=0.5, random_state=1), metadata, rng=RNG(1))
    document = json.loads(json.dumps(report.to_json()))
    assert document["label"].startswith("non-DP evaluation, owner only") and len(document["columns"]) == 4
    html = render_html(report)
    assert "non-DP evaluation, owner only" in html and html.count("<svg") == len(report.plots) + 1
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert set(re.findall(r"https?://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}
