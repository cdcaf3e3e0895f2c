"""Recognising date/time text columns and their one ``strptime`` format.

A cheap regular-expression screen on a few values rules out most text columns; the candidate formats are
then tried on a sample of distinct values and, for the first that parses all of them, on the whole column.
The format is kept so that synthetic dates are written back the way the input wrote them.
"""

from __future__ import annotations

import re

import pandas as pd

from web_app.ingestion.column_stats import head_present

DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M",
)
#: The shape of every value one of :data:`DATETIME_FORMATS` parses (a cheap screen before parsing).
DATE_SHAPE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_SAMPLE = 200


def detect_datetime_format(
    series: pd.Series, formats: tuple[str, ...] = DATETIME_FORMATS
) -> tuple[str, pd.Series, bool] | None:
    """``(format, parsed datetime64 series, ambiguous)`` if every present value parses with one format.

    ``ambiguous`` is true when another format (e.g. month-first instead of day-first) parses them too.

    >>> fmt, stamps, ambiguous = detect_datetime_format(pd.Series(["31/01/2020", "01/02/2021", None]))
    >>> fmt, str(stamps.iloc[0].date()), ambiguous
    ('%d/%m/%Y', '2020-01-31', False)
    """
    head = head_present(series, 20)
    if not head or not all(DATE_SHAPE.match(str(value).strip()) for value in head):
        return None
    present = series.dropna()
    sample = pd.Series(present.astype(str).unique()[:_SAMPLE])
    matching = [fmt for fmt in formats if _parses(sample, fmt)]
    for fmt in matching:
        stamps = pd.to_datetime(series, format=fmt, errors="coerce")
        if stamps.notna().sum() == len(present):
            return fmt, stamps.astype("datetime64[ns]"), len(matching) > 1
    return None


def _parses(values: pd.Series, fmt: str) -> bool:
    return bool(pd.to_datetime(values, format=fmt, errors="coerce").notna().all())
