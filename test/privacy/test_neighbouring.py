"""What a reviewer would try: run the real pipeline on D and on D plus one record, and check that nothing
released follows that record beyond what DP allows (issue #16, findings 1–8; the dataset odometer, 9, is in
test_odometer.py).

Every structural fact below is decided from noisy counts whose thresholds sit many σ away from the counts
of D, so on D and D + 1 the decisions agree run after run; before the fix each of them flipped
deterministically with the planted record. The runs use ε = 4: on 2,000 rows and 7 columns that leaves
each column's discovery enough budget (σ ≈ 80–160 on counts of 2,000) for margins of several σ, so a
difference between D and D + 1 would be the record's doing, not noise. Bounds and the bins they imply
are noisy by design and are checked against the planted value instead.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from test.privacy.conftest import PLANTED_AGE, PLANTED_CITY, Pair, Release, api_release
from web_app.cli import main as cli

METHODS = ("privsyn", "aim", "mst")
SEEDS = range(5)
STRUCTURE = ("kind", "excluded", "nullable", "integer", "dtype", "datetime_format", "other_label", "null_token")
EPSILON = 4.0


def _runs(client: Any, data: bytes, method: str, **fields: str) -> list[Release]:
    return [api_release(client, data, method, seed, epsilon=EPSILON, **fields) for seed in SEEDS]


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_the_default_path_releases_nothing_that_follows_one_record(privacy_client: Any, pair: Pair,
                                                                   method: str) -> None:
    without = _runs(privacy_client, pair.without, method)
    planted = _runs(privacy_client, pair.with_record, method)
    for a, b in zip(without, planted, strict=True):
        assert a.decisions(*STRUCTURE) == b.decisions(*STRUCTURE)           # findings 1–6
        assert list(a.table.columns) == list(b.table.columns)                # 6: no column in or out
    for release in planted:
        assert PLANTED_CITY not in release.text                              # 7: the unique category
        assert pd.to_numeric(release.table["age"]).max() < PLANTED_AGE       # 7: the extreme value
        assert "?" not in release.text and "NA" not in release.text.split()  # 2: the null token
    for release in [*without, *planted]:
        decisions = release.decisions()
        assert decisions[("score", "integer")] is True                       # 3: 42.5 does not make it float
        assert pd.to_numeric(release.table["score"]).mod(1).eq(0).all()
        assert decisions[("day", "datetime_format")] == "%d/%m/%Y"           # 5: day-first stays
        assert decisions[("flag", "nullable")] is False                      # 1: one missing cell adds no null
        assert (release.table["flag"] != "").all()
        assert decisions[("code", "kind")] == "numerical"                    # 6: 21 values do not flip it
        assert decisions[("age", "binning")]["method"] == "privtree"         # 4: a public default
        assert release.report["declared_columns"] == []
        assert all(d["source"] in ("dp", "default") for d in release.report["decisions"])


@pytest.mark.parametrize("method", ["mst"])
def test_a_declared_non_nullable_column_gets_no_null_from_one_missing_cell(privacy_client: Any, pair: Pair,
                                                                          method: str) -> None:
    def declare(domain: dict[str, Any], info: dict[str, Any]) -> None:
        domain["flag"].update(categories=["yes", "no"], nullable=False)
        domain["age"].update(bounds={"min": 0, "max": 120}, nullable=False)
        info["declared_public"] = ["flag", "age"]

    for seed in SEEDS:
        release = api_release(privacy_client, pair.with_record, method, seed, epsilon=EPSILON, edit=declare)
        assert release.table["flag"].isin(["yes", "no", "other"]).all()  # never missing
        assert pd.to_numeric(release.table["age"]).between(0, 120).all()
        sources = {(d["column"], d["decision"]): d["source"] for d in release.report["decisions"]}
        assert sources[("flag", "categories")] == sources[("flag", "nullable")] == "declared"
        assert sources[("city", "categories")] == "dp"                       # 8: undeclared stays DP


def test_editing_an_undeclared_category_list_does_not_make_it_public(privacy_client: Any, pair: Pair) -> None:
    def drop_one(domain: dict[str, Any], info: dict[str, Any]) -> None:
        domain["city"]["categories"] = [c for c in domain["city"]["categories"] if c != "Oslo"]

    release = api_release(privacy_client, pair.without, "mst", 0, epsilon=EPSILON, edit=drop_one)
    sources = {(d["column"], d["decision"]): d["source"] for d in release.report["decisions"]}
    assert sources[("city", "categories")] == "dp"                           # 8: provenance is not guessed
    assert "Oslo" in release.decisions("categories")[("city", "categories")]


def test_as_confirmed_declares_the_whole_schema(privacy_client: Any, pair: Pair) -> None:
    release = api_release(privacy_client, pair.without, "mst", 0, domain_mode="as_confirmed")
    assert release.report["domain_mode"] == "as_confirmed"
    assert {d["source"] for d in release.report["decisions"]} <= {"declared", "default"}
    assert release.report["spent_by_stage"].keys().isdisjoint({"domain:structure", "domain:categories"})
    assert "declared public" in release.report["summary"]


def _cli_release(tmp_path: Path, data: bytes, seed: int) -> str:
    source = tmp_path / f"in-{seed}-{len(data)}.csv"
    source.write_bytes(data)
    out = tmp_path / f"out-{seed}-{len(data)}.csv"
    status = cli(["synthesize", str(source), "--method", "mst", "--epsilon", str(EPSILON), "--delta", "1e-9",
                  "--seed", str(seed), "--rows", "1000", "-o", str(out), "--no-progress"])
    assert status == 0
    return out.read_text()


def test_the_cli_default_path_releases_nothing_that_follows_one_record(tmp_path: Path, pair: Pair) -> None:
    for seed in range(3):
        without = pd.read_csv(io.StringIO(_cli_release(tmp_path, pair.without, seed)), dtype=str,
                              keep_default_na=False)
        text = _cli_release(tmp_path, pair.with_record, seed)
        planted = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        assert list(without.columns) == list(planted.columns)
        assert PLANTED_CITY not in text and "?" not in text
        assert pd.to_numeric(planted["age"]).max() < PLANTED_AGE
        assert pd.to_numeric(planted["score"]).mod(1).eq(0).all()
        assert pd.to_datetime(planted["day"], format="%d/%m/%Y", errors="coerce").notna().all()  # day-first
