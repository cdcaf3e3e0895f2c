"""The categorical codec: code layout, null and other tokens, robust matching, and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from method.api import ColumnSpec, InvalidMetadataError
from method.preprocess_common.categorical import CategoricalCodec

RNG = np.random.default_rng(0)


def codec(categories, **kwargs) -> CategoricalCodec:
    spec = ColumnSpec("col", "categorical", categories=tuple(categories), **kwargs)
    return CategoricalCodec.from_spec(spec)


def test_codes_are_category_indices_then_other_then_null() -> None:
    c = codec(["a", "b"], other_token=True, other_value="OTHER")
    assert c.size == 4 and c.other_code == 2 and c.null_code == 3
    codes = c.encode(pd.Series(["b", "a", "zzz", None]))
    assert codes.tolist() == [1, 0, 2, 3]
    assert c.decode(codes, RNG).tolist()[:3] == ["b", "a", "OTHER"]
    assert pd.isna(c.decode(codes, RNG).iloc[3])


def test_not_nullable_has_no_null_code_and_rejects_missing() -> None:
    c = codec(["a"], nullable=False)
    assert c.size == 1 and c.null_code is None
    with pytest.raises(InvalidMetadataError, match=r"'col' has 2 missing value\(s\)"):
        c.encode(pd.Series(["a", None, np.nan]))


def test_unknown_value_error_names_column_count_and_examples() -> None:
    c = codec(["a", "b"])
    with pytest.raises(InvalidMetadataError) as error:
        c.encode(pd.Series(["a", "x", "y", "x"], dtype="str"))
    message = str(error.value)
    assert "'col'" in message and "3 row(s)" in message and "'x'" in message and "'y'" in message
    assert "other_token" in message


def test_one_category_and_all_missing_column() -> None:
    c = codec(["only"])
    assert c.size == 2
    codes = c.encode(pd.Series([None, None, None], dtype=object))
    assert codes.tolist() == [1, 1, 1]
    assert c.decode(codes, RNG).isna().all()
    assert c.encode(pd.Series(["only"])).tolist() == [0]


def test_int_categories_match_an_int64_column_and_decode_to_ints() -> None:
    c = codec([0, 1, 2])
    series = pd.Series([2, 0, 1, 1], dtype="int64")
    codes = c.encode(series)
    assert codes.tolist() == [2, 0, 1, 1]
    decoded = c.decode(codes, RNG)
    assert decoded.tolist() == [2, 0, 1, 1] and all(type(v) is int for v in decoded.tolist())


def test_int_categories_match_a_float_column_with_missing() -> None:
    assert codec([0, 1]).encode(pd.Series([1.0, np.nan, 0.0])).tolist() == [1, 2, 0]


def test_numbers_and_their_spellings_match_across_types() -> None:
    assert codec([1, 2.5]).encode(pd.Series(["1", "2.5", " 1.0 "], dtype="str")).tolist() == [0, 1, 0]
    assert codec(["7", "8"]).encode(pd.Series([8, 7], dtype="int64")).tolist() == [1, 0]
    assert codec([True, False]).encode(pd.Series(["False", "true"])).tolist() == [1, 0]


def test_string_categories_decode_spelled_as_in_the_input() -> None:
    c = codec(["1.0", "01"])
    codes = c.encode(pd.Series(["01", "1.0"], dtype="str"))
    assert codes.tolist() == [1, 0]
    assert c.decode(codes, RNG).tolist() == ["01", "1.0"]


def test_bool_categories() -> None:
    c = codec([False, True])
    codes = c.encode(pd.Series([True, False, None], dtype=object))
    assert codes.tolist() == [1, 0, 2]
    assert c.decode(codes, RNG).tolist()[:2] == [True, False]


def test_unicode_values() -> None:
    c = codec(["café", "東京", "🙂"])
    series = pd.Series(["🙂", "東京", "café"], dtype="str")
    assert c.decode(c.encode(series), RNG).tolist() == series.tolist()


def test_other_token_without_categories() -> None:
    c = codec([], other_token=True, other_value="?", nullable=False)
    assert c.size == 1
    assert c.decode(c.encode(pd.Series(["x", "y"])), RNG).tolist() == ["?", "?"]
