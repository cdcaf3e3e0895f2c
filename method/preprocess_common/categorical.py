"""The categorical codec: a column's values ↔ their index in the confirmed category list.

Codes are laid out as ``0..m-1`` for ``spec.categories`` (in order), then one *other* code when
``spec.other_token`` (every value outside the list, decoded as ``spec.other_value``), then one *null*
code when ``spec.nullable`` (``pd.isna``, decoded as missing).

Values are matched to categories by equality first (so ``1``, ``1.0`` and ``np.int64(1)`` match the
category ``1``). Only when a string meets numeric categories, or a number meets string categories, are
both compared on a normalised text form (:func:`normalise`), so ``"1.0"`` in a text column matches the
category ``1`` and ``7`` in an integer column matches the category ``"7"``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from method.api.errors import InvalidMetadataError
from method.api.metadata import ColumnSpec

_EXAMPLES = 5


def normalise(value: Any) -> str:
    """A text form under which a number and its spelling as a string compare equal.

    >>> normalise(1), normalise(1.0), normalise(" 1.0 "), normalise(0.5), normalise(True), normalise("x")
    ('1', '1', '1', '0.5', 'true', 'x')
    """
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return text.lower()
        try:
            return normalise(float(text))
        except ValueError:
            return value
    if isinstance(value, numbers.Real):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


@dataclass(frozen=True, slots=True)
class CategoricalCodec:
    """Codes for one categorical column (module docstring for the layout)."""

    name: str
    categories: tuple[Any, ...]
    other_token: bool
    other_value: Any
    nullable: bool
    _index: pd.Index = field(init=False, repr=False, compare=False)
    _by_text: dict[bool, dict[str, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", pd.Index(list(self.categories), dtype=object))
        by_text: dict[bool, dict[str, int]] = {True: {}, False: {}}
        for code, category in enumerate(self.categories):
            by_text[_is_text(category)].setdefault(normalise(category), code)
        object.__setattr__(self, "_by_text", by_text)

    @classmethod
    def from_spec(cls, spec: ColumnSpec) -> CategoricalCodec:
        return cls(spec.name, spec.categories, spec.other_token, spec.other_value, spec.nullable)

    @property
    def other_code(self) -> int | None:
        return len(self.categories) if self.other_token else None

    @property
    def null_code(self) -> int | None:
        return len(self.categories) + int(self.other_token) if self.nullable else None

    @property
    def size(self) -> int:
        return len(self.categories) + int(self.other_token) + int(self.nullable)

    def encode(self, series: pd.Series) -> np.ndarray:
        """Codes of ``series``; raises :class:`InvalidMetadataError` for values it cannot code."""
        missing = series.isna().to_numpy()
        values = series.to_numpy(dtype=object)
        codes = np.asarray(self._index.get_indexer(values), dtype=np.int64)
        unmatched = (codes < 0) & ~missing
        if unmatched.any():
            codes[unmatched] = self._match_by_text(values[unmatched])
        self._reject_missing(int(missing.sum()))
        if self.null_code is not None:
            codes[missing] = self.null_code
        unknown = (codes < 0) & ~missing
        if unknown.any():
            if self.other_code is None:
                raise self._unknown_error(values[unknown])
            codes[unknown] = self.other_code
        return codes

    def _match_by_text(self, values: np.ndarray) -> np.ndarray:
        lookup: dict[Any, int] = {}
        for value in pd.unique(values):
            lookup[value] = self._by_text[not _is_text(value)].get(normalise(value), -1)
        return np.array([lookup[value] for value in values], dtype=np.int64)

    def _reject_missing(self, count: int) -> None:
        if count and not self.nullable:
            raise InvalidMetadataError(
                f"column {self.name!r} has {count} missing value(s) but is declared nullable=False"
            )

    def _unknown_error(self, values: np.ndarray) -> InvalidMetadataError:
        examples = ", ".join(repr(v) for v in pd.unique(values)[:_EXAMPLES])
        shown = ", ".join(repr(c) for c in self.categories[:_EXAMPLES])
        more = ", …" if len(self.categories) > _EXAMPLES else ""
        return InvalidMetadataError(
            f"column {self.name!r}: {len(values)} row(s) hold values outside its categories, "
            f"e.g. {examples}; "
            f"the categories are {shown}{more} (add them, or set other_token to map them to "
            f"{self.other_value!r})"
        )

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
        """The category (or other value, or missing) of each code; ``rng`` is unused (no sampling)."""
        del rng
        table = [*self.categories]
        if self.other_token:
            table.append(self.other_value)
        if self.nullable:
            table.append(None)
        lookup = np.empty(len(table), dtype=object)
        lookup[:] = table
        values = lookup[np.asarray(codes, dtype=np.int64)]
        return pd.Series(values, name=self.name, dtype=object).infer_objects()
