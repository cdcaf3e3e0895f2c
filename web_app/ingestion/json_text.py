"""JSON text from users (confirmed schemas, knobs): parsed with bounds, so no input reaches an unbounded path.

:func:`parse_json` is ``json.loads`` plus four limits, each a :class:`JsonLimitError` (a ``ValueError``)
naming the problem, for the caller to turn into its own coded error: nesting deeper than
:data:`MAX_DEPTH` (the decoder's own recursion would otherwise end in a ``RecursionError``), integers with more
than :data:`MAX_INT_DIGITS` digits (a 4,000-digit bound overflows ``float``; 5,000 digits exceed Python's
int-conversion limit), numbers that are not finite (``1e999``), and the non-JSON constants ``NaN`` /
``Infinity``. No web framework here: the CLI and the worker may use it too.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
MAX_INT_DIGITS = 40


class JsonLimitError(ValueError):
    """A JSON text that is valid or nearly so, but outside what the service reads."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonLimitError(f"an integer has {len(text.lstrip('-')):,} digits; at most {MAX_INT_DIGITS} are read")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonLimitError(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is too large to be finite")
    return value


def _constant(name: str) -> float:
    raise JsonLimitError(f"{name} is not a JSON number")


def parse_json(text: str | bytes) -> Any:
    """The value of a JSON text, within the module's limits.

    Raises:
        json.JSONDecodeError: the text is not JSON.
        JsonLimitError: the text is JSON outside the limits.

    >>> parse_json('{"a": [1, 2.5]}')
    {'a': [1, 2.5]}
    >>> parse_json("[" * 100 + "]" * 100)
    Traceback (most recent call last):
    ...
    web_app.ingestion.json_text.JsonLimitError: the JSON is nested more than 32 levels deep
    """
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JsonLimitError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JsonLimitError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
