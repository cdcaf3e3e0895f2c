"""Numeric and datetime codecs with public binnings: bounds, exact integer bins, sampling, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from method.api import ColumnSpec, InvalidMetadataError
from method.preprocess_common.binning import exponential_edges, uniform_edges
from method.preprocess_common.codecs import make_codec


def build(column: pd.Series | None = None, **spec):
    spec.setdefault("kind", "numerical")
    return make_codec(ColumnSpec("x", **spec), column, epsilon=None, rng=np.random.default_rng(0))


def test_values_are_clipped_to_the_bounds() -> None:
    c = build(lower=0.0, upper=10.0, bins=10)
    assert c.encode(pd.Series([-5.0, 0.0, 4.2, 10.0, 99.0])).tolist() == [0, 0, 4, 9, 9]


def test_decoded_values_are_sampled_inside_the_bin() -> None:
    c = build(lower=0.0, upper=10.0, bins=5)
    codes = np.repeat(np.arange(5), 200)
    values = c.decode(codes, np.random.default_rng(3)).to_numpy()
    assert ((values >= 2 * codes) & (values <= 2 * codes + 2)).all()
    assert len(np.unique(values)) == 1000  # continuous: every draw differs
    np.testing.assert_array_equal(c.encode(pd.Series(values)), codes)


def test_integer_ranges_up_to_bins_get_one_bin_per_integer() -> None:
    c = build(lower=3, upper=9, integer=True, bins=7)
    series = pd.Series([3, 4, 5, 6, 7, 8, 9])
    codes = c.encode(series)
    assert c.size == 8 and codes.tolist() == list(range(7))
    assert c.decode(codes, np.random.default_rng(0)).tolist() == series.tolist()


def test_integer_columns_decode_to_integers_within_bounds() -> None:
    c = build(lower=0, upper=1000, integer=True, bins=4)
    decoded = c.decode(np.repeat(np.arange(4), 500), np.random.default_rng(0))
    assert decoded.dtype == np.int64 and decoded.between(0, 1000).all() and decoded.nunique() > 500


def test_null_code_decodes_to_missing() -> None:
    c = build(lower=0, upper=10, integer=True, bins=4)
    codes = c.encode(pd.Series([1, None, 9], dtype="Int64"))
    assert codes.tolist() == [0, 4, 3]
    decoded = c.decode(codes, np.random.default_rng(0))
    assert str(decoded.dtype) == "Int64" and decoded.isna().tolist() == [False, True, False]


def test_constant_column() -> None:
    c = build(lower=5.0, upper=5.0, bins=8)
    codes = c.encode(pd.Series([5.0, 5.0, np.nan]))
    assert c.size == 2 and codes.tolist() == [0, 0, 1]
    assert c.decode(codes, np.random.default_rng(0)).tolist()[:2] == [5.0, 5.0]
    ints = build(lower=7, upper=7, integer=True, bins=8, nullable=False)
    assert ints.size == 1
    assert ints.decode(np.zeros(3, np.int64), np.random.default_rng(0)).tolist() == [7, 7, 7]


def test_all_missing_column() -> None:
    c = build(lower=0.0, upper=1.0, bins=4)
    codes = c.encode(pd.Series([np.nan] * 5))
    assert codes.tolist() == [4] * 5
    assert c.decode(codes, np.random.default_rng(0)).isna().all()


def test_non_numbers_are_rejected_with_examples() -> None:
    c = build(lower=0.0, upper=1.0)
    with pytest.raises(InvalidMetadataError, match=r"column 'x': 2 row\(s\) are not numbers, e.g. 'abc'"):
        c.encode(pd.Series(["0.5", "abc", "abc"], dtype=object))


def test_missing_values_rejected_when_not_nullable() -> None:
    with pytest.raises(InvalidMetadataError, match="nullable=False"):
        build(lower=0.0, upper=1.0, nullable=False).encode(pd.Series([0.1, np.nan]))


def test_integer_bounds_without_an_integer_are_rejected() -> None:
    with pytest.raises(InvalidMetadataError, match=r"no integer lies in \[0.2, 0.8\]"):
        build(lower=0.2, upper=0.8, integer=True)


@pytest.mark.parametrize(("lower", "upper", "integer"),
                         [(1.0, 1e6, False), (0.0, 50.0, False), (-10.0, 10.0, False),
                          (0, 100_000, True), (-50, 50, True), (1, 20, True)])
def test_exponential_edges_increase_cover_the_bounds_and_are_finer_near_lower(lower, upper, integer) -> None:
    edges = exponential_edges(lower, upper, 16, integer=integer)
    widths = np.diff(edges)
    assert (widths > 0).all()
    assert edges[0] == lower and edges[-1] == (upper + 1 if integer else upper)
    assert (np.diff(widths) >= -1e-9 * (upper - lower)).all()  # widths never shrink
    if upper - lower > 16:
        assert widths[0] < widths[-1]


def test_exponential_codec_round_trip_on_a_skewed_column() -> None:
    values = pd.Series(np.random.default_rng(0).lognormal(3, 1.5, 2000)).clip(0, 1e4)
    c = build(lower=0.0, upper=1e4, bins=20, binning="exponential")
    codes = c.encode(values)
    np.testing.assert_array_equal(c.encode(c.decode(codes, np.random.default_rng(1))), codes)
    assert len(np.unique(codes)) > 10  # the dense low end is spread over many bins


def test_uniform_integer_edges_are_distinct_for_any_span() -> None:
    for span in range(1, 200):
        edges = uniform_edges(0, span - 1, 32, integer=True)
        assert len(edges) == min(span, 32) + 1 and (np.diff(edges) > 0).all()


@pytest.mark.parametrize("dtype", ["datetime64[ns]", "datetime64[s]", "datetime64[us, UTC]",
                                   "datetime64[ms, Europe/Paris]"])
def test_datetime_round_trip_keeps_unit_timezone_and_bin(dtype: str) -> None:
    raw = ["2001-02-03 04:05:06", "2020-12-31", None, "1999-01-01"]
    stamps = pd.Series(pd.to_datetime(raw, format="ISO8601"))
    stamps = stamps.dt.tz_localize("UTC") if "," in dtype else stamps
    stamps = stamps.astype(dtype)
    ns = stamps.dropna().dt.tz_convert("UTC").dt.tz_localize(None) if "," in dtype else stamps.dropna()
    ns = ns.dt.as_unit("ns").astype("int64")
    c = build(stamps, kind="datetime", lower=int(ns.min()), upper=int(ns.max()), bins=64, dtype=dtype)
    codes = c.encode(stamps)
    decoded = c.decode(codes, np.random.default_rng(0))
    assert str(decoded.dtype) == dtype
    assert decoded.isna().tolist() == stamps.isna().tolist()
    assert ((decoded.dropna() >= stamps.min()) & (decoded.dropna() <= stamps.max())).all()
    np.testing.assert_array_equal(c.encode(decoded), codes)


def test_datetime_constant_column_decodes_exactly() -> None:
    stamps = pd.Series(pd.to_datetime(["2024-05-01"] * 3))
    ns = int(stamps.dt.as_unit("ns").astype("int64").iloc[0])
    c = build(stamps, kind="datetime", lower=ns, upper=ns, dtype="datetime64[ns]")
    assert (c.decode(c.encode(stamps), np.random.default_rng(0)) == stamps).all()


def test_explicit_edges_are_the_bins() -> None:
    c = build(lower=0.0, upper=100.0, bins=4, edges=(0.0, 18.0, 30.0, 65.0, 100.0))
    assert c.size == 5  # four bins and the null code
    assert c.encode(pd.Series([0.0, 17.9, 18.0, 64.9, 65.0, 100.0, 150.0])).tolist() == [0, 0, 1, 2, 3, 3, 3]
    codes = np.repeat(np.arange(4), 100)
    values = c.decode(codes, np.random.default_rng(1)).to_numpy()
    low, high = np.array([0, 18, 30, 65])[codes], np.array([18, 30, 65, 100])[codes]
    assert ((values >= low) & (values <= high)).all()


def test_explicit_edges_on_an_integer_column_round_up_and_close_the_last_bin() -> None:
    c = build(lower=0, upper=99.5, bins=3, integer=True, edges=(0.0, 17.5, 64.0, 99.5))
    assert c.encode(pd.Series([0, 17, 18, 63, 64, 99])).tolist() == [0, 0, 1, 1, 2, 2]
    values = c.decode(np.repeat(np.arange(3), 300), np.random.default_rng(2))
    assert values.between(0, 99).all() and set(values[600:]) == set(range(64, 100))


@pytest.mark.parametrize(("spec", "fragment"), [
    ({"lower": 0, "upper": 10, "bins": 2, "edges": (0, 5, 10), "binning": "privtree"}, "DP binning"),
    ({"lower": 0, "upper": 10, "bins": 2, "edges": (0, 5, 9)}, "from lower to upper"),
    ({"lower": 0, "upper": 10, "bins": 3, "edges": (0, 5, 10)}, "bins = 2"),
    ({"lower": 0, "upper": 10, "bins": 2, "edges": (0, 0, 10)}, "increase strictly"),
])
def test_inconsistent_explicit_edges_are_refused(spec: dict, fragment: str) -> None:
    with pytest.raises(InvalidMetadataError, match=fragment):
        ColumnSpec("x", "numerical", **spec)


def test_an_integer_bin_without_a_whole_number_is_refused() -> None:
    with pytest.raises(InvalidMetadataError, match=r"\[0.2, 0.7\) holds no whole number"):
        build(lower=0, upper=3, bins=3, integer=True, edges=(0.0, 0.2, 0.7, 3.0))
