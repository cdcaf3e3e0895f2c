"""The verdict (score, baseline, warnings worst first), utility (TSTR vs TRTR), the disclosure checks, and the one
report as JSON and self-contained HTML."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from method.api import ColumnSpec, TableMetadata
from web_app.data_comparison import EvaluationError, independent_baseline
from web_app.data_inference import infer_metadata
from web_app.evaluation.evaluate import FRESH_ENTROPY, evaluate, run_card
from web_app.evaluation.report import render_html

RNG = np.random.default_rng


def _related(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Columns that depend on each other strongly (a synthesizer must keep that)."""
    rng = RNG(seed)
    group = rng.choice(["a", "b", "c", "d"], n)
    level = pd.Series(group).map({"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0}).to_numpy()
    amount = (level + rng.normal(0, 2, n)).round(1)
    label = np.where(amount + rng.normal(0, 3, n) > 25, "high", "low")
    return pd.DataFrame({"group": group, "amount": amount, "label": label,
                         "size": (amount * 3 + rng.normal(0, 5, n)).round(0)})


def _evaluate(real: pd.DataFrame, synth: pd.DataFrame, **kwargs):  # type: ignore[no-untyped-def]
    metadata = infer_metadata(real).to_table_metadata()
    card = run_card("related.csv", real, synth, metadata, method="privsyn", epsilon=kwargs.pop("epsilon", 1.0),
                    delta=1e-9)
    return evaluate(real, synth, metadata, card, **kwargs)


def test_the_real_table_against_itself_scores_about_100() -> None:
    real = _related()
    report = _evaluate(real, real.copy())
    assert report.verdict.overall == pytest.approx(100.0)
    assert report.verdict.baseline_overall < 95  # the independent baseline loses the relationships
    assert "no_better_than_independent" not in {w.code for w in report.verdict.warnings}


def test_an_independent_shuffle_is_no_better_than_independent() -> None:
    real = _related()
    shuffled = real.apply(lambda c: c.sample(frac=1, random_state=hash(c.name) % 1000).to_numpy())
    report = _evaluate(real, shuffled)
    first = report.verdict.warnings[0]
    assert first.code == "no_better_than_independent" and first.severity == 3
    assert "sampling each column independently" in first.message
    assert abs(report.verdict.overall - report.verdict.baseline_overall) < 2


def test_warnings_name_the_column_and_come_worst_first() -> None:
    real = _related()
    synth = real.copy()
    synth["amount"] = synth["amount"] + 25  # lost its shape, mostly out of range
    synth.loc[:99, "group"] = "zzz"  # a few invented categories
    report = _evaluate(real, synth, epsilon=0.01)  # 3,000 rows is small for ε = 0.01
    codes = [(w.code, w.subject) for w in report.verdict.warnings]
    assert ("lost_shape", "amount") in codes and ("out_of_domain", "amount") in codes
    assert ("out_of_domain", "group") in codes and ("small_for_epsilon", "table") in codes
    severities = [w.severity for w in report.verdict.warnings]
    assert severities == sorted(severities, reverse=True)


def test_an_identifier_column_is_flagged() -> None:
    real = _related().assign(email=[f"user{i}@example.org" for i in range(3000)])
    inferred = infer_metadata(real).to_table_metadata()  # inference leaves the e-mail column out; the user kept it
    kept = TableMetadata((*inferred.columns, ColumnSpec("email", "categorical", dtype="str", other_token=True)))
    synth = _related(seed=4).assign(email=[f"other{i}@example.org" for i in range(3000)])
    report = evaluate(real, synth, kept, run_card("x", real, synth, kept))
    assert ("identifier_like", "email") in {(w.code, w.subject) for w in report.verdict.warnings}


def test_utility_tstr_vs_trtr() -> None:
    real = _related(4000)
    good = _evaluate(real, _related(4000, seed=9), target="label").utility
    assert good is not None and good.task == "classification" and good.metric == "accuracy"
    assert good.trtr > 0.8 and abs(good.gap) < 0.05 and good.test_rows == 1200
    baseline = independent_baseline(real, 4000, RNG(2))
    bad = _evaluate(real, baseline, target="label")
    assert bad.utility is not None and bad.utility.gap > 0.15
    assert "utility_gap" in {w.code for w in bad.verdict.warnings}
    regression = _evaluate(real, _related(4000, seed=9), target="size").utility
    assert regression is not None and regression.metric == "R²" and regression.tstr > 0.8
    with pytest.raises(EvaluationError) as unknown:
        _evaluate(real, real, target="nope")
    assert unknown.value.code == "unknown_target"


def _varied(seed: int, n: int = 3000) -> pd.DataFrame:
    rng = RNG(seed)
    return pd.DataFrame({**{f"x{i}": rng.normal(0, 1, n).round(3) for i in range(3)},
                         **{f"k{i}": rng.choice(list("abcdefghij"), n) for i in range(3)}})


def test_disclosure_sees_copies_and_not_fresh_rows() -> None:
    real = _varied(0)
    copied = _evaluate(real, real.copy()).disclosure
    assert copied.exact_copy_rate == 1.0 and copied.unique_real_reproduced == 1.0 and copied.copies_beyond_holdout
    fresh = _evaluate(real, _varied(5)).disclosure
    assert fresh.exact_copy_rate == 0.0 and not fresh.copies_beyond_holdout
    assert 0.4 < fresh.closer_than_holdout < 0.6  # as close as fresh real rows, no closer
    assert copied.dcr_synth_zero > 0.4 > fresh.dcr_synth_zero and copied.closer_than_holdout > 0.65
    small = _evaluate(_related(), _related(seed=5)).disclosure  # a small domain: many natural duplicates
    assert small.exact_copy_rate > 0.2 and small.holdout_copy_rate > 0.1 and not small.copies_beyond_holdout


def test_the_same_tables_give_the_same_figures() -> None:
    real = _related()
    synth = _related(seed=3)
    first, again = _evaluate(real, synth, target="label").to_json(), _evaluate(real, synth, target="label").to_json()
    for document in (first, again):
        document["card"].pop("evaluated_at")
    assert first == again


def test_json_and_html_hold_every_section() -> None:
    real = _related().rename(columns={"group": "<script>alert(1)</script>"})
    privacy = {"method": "privsyn", "epsilon": 1.0, "delta": 1e-9, "rho": 0.0123, "rho_spent": 0.0123,
               "spent_by_stage": {"domain:amount": 0.001, "select": 0.004}, "domain_mode": "dp",
               "randomness": FRESH_ENTROPY, "summary": "(ε = 1, δ = 1e-09)-DP end to end",
               "columns": [{"name": "amount", "kind": "numerical", "provenance": "dp", "binning": "privtree"}]}
    report = _evaluate(real, _related(seed=3).rename(columns={"group": "<script>alert(1)</script>"}),
                       privacy=privacy, target="label")
    document = json.loads(json.dumps(report.to_json()))
    assert {"card", "privacy", "verdict", "fidelity", "utility", "disclosure", "label"} <= set(document)
    assert document["card"]["randomness"] == FRESH_ENTROPY and document["card"]["rho"] > 0
    html = render_html(report)
    for section in ("run-card", "privacy", "verdict", "fidelity", "utility", "disclosure", "definitions"):
        assert f'id="{section}"' in html
    assert "non-DP evaluation, owner only" in html and "domain:amount" in html and "not a DP claim" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert set(re.findall(r"https?://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") == len(report.fidelity.plots) + 1 and "2-way TVD" in html


def test_a_single_column_and_an_all_missing_column_still_give_a_report() -> None:
    rng = RNG(3)
    one = pd.DataFrame({"a": rng.choice(["x", "y"], 200)})
    alone = _evaluate(one, one.sample(frac=1, random_state=1))
    assert alone.verdict.pair_trends is None and alone.verdict.overall == pytest.approx(100.0)
    assert "fewer than two columns" in render_html(alone)
    table = pd.DataFrame({"a": rng.choice(["x", "y"], 300), "empty": np.full(300, np.nan), "v": rng.normal(0, 1, 300)})
    metadata = TableMetadata((ColumnSpec("a", "categorical", dtype="str", categories=("x", "y")),
                              ColumnSpec("empty", "numerical", dtype="float64", lower=0.0, upper=1.0, nullable=True),
                              ColumnSpec("v", "numerical", dtype="float64", lower=-5.0, upper=5.0)))
    synth = table.assign(empty=0.5)
    report = evaluate(table, synth, metadata, run_card("t", table, synth, metadata), target="a")
    assert report.utility is not None and report.utility.test_rows == 90
    assert ("missing_rate", "empty") in {(w.code, w.subject) for w in report.verdict.warnings}
    json.dumps(report.to_json())
