"""Fixtures of the data-layer tests: a known DataFrame with every kind of column, and a file writer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def known_frame() -> pd.DataFrame:
    """Text with accents, delimiters, quotes and a newline; ints, ints with missing, floats, floats with
    missing, text with missing; header names with spaces, parentheses and slashes."""
    return pd.DataFrame({
        "name (full)": ["Zoë Müller", "O'Brien, Pat", 'say "hi"', "two\nlines", "Ærø; ok", "plain|pipe"],
        "age": np.array([25, 38, 28, 44, 18, 90], dtype="int64"),
        "score/10": [1.5, 2.25, -3.0, 4.125, 0.5, 10.0],
        "visits": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
        "ratio": [0.1, np.nan, 0.3, 0.4, 0.5, np.nan],
        "city": pd.array(["Köln", None, "Montréal", "Köln", "São Paulo", None], dtype="str"),
    }).astype({"name (full)": "str"})
