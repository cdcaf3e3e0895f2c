"""The shape of a CSV file's text: delimiter, quoting, decimal mark, and the header row with visible renames.

* :func:`sniff_dialect` splits the sample's first records with each candidate delimiter (``,`` ``;`` tab
  ``|``) using the stdlib's C ``csv.reader`` and picks the one whose records are most consistent in width,
  then widest (ties: that order). This is linear in the sample; the stdlib ``csv.Sniffer`` is not (its
  regular expressions take ~40 s on 63 KB of ``,"a`` repeated, holding the GIL, so the whole server froze).
  A file named ``.csv`` that is really tab-separated is thus read as TSV.
* The decimal mark is ``,`` when the delimiter is not ``,`` and the sample has numbers like ``3,25`` and none
  like ``3.25``.
* :func:`clean_header` renames empty header cells to ``column_<position>`` and later duplicates (compared
  case-insensitively, after trimming) to ``name (2)``, ``name (3)``…, recording a warning for each; columns
  are never merged or dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")
_MAX_RECORDS = 200


@dataclass(frozen=True, slots=True)
class Dialect:
    """How the file's text is split into fields.

    Args:
        delimiter: one of ``,`` ``;`` tab ``|``.
        quotechar: the quote character (``"``).
        decimal: the decimal mark of numbers (``.`` or ``,``).
        line_terminator: ``\\r\\n`` or ``\\n`` as seen in the sample.
    """

    delimiter: str
    quotechar: str = '"'
    decimal: str = "."
    line_terminator: str = "\n"

    def describe(self) -> str:
        """A short human description, e.g. ``semicolon-separated, decimal comma, CRLF``."""
        parts = [f"{DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}-separated"]
        if self.decimal == ",":
            parts.append("decimal comma")
        parts.append("CRLF" if self.line_terminator == "\r\n" else "LF")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class HeaderRename:
    """One header cell that was renamed: its position, the name in the file and the name we use."""

    position: int
    original: str
    renamed: str
    reason: str


def _records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    records = []
    try:
        for record in reader:
            if record:
                records.append(record)
            if len(records) >= _MAX_RECORDS:
                break
    except csv.Error:
        pass
    return records


def dominant_null_token(text: str, dialect: Dialect, null_tokens: tuple[str, ...], *, trim: bool = True) -> str:
    r"""The non-empty null token the sample's data rows use most (``""`` when missing cells are just empty).

    >>> dominant_null_token("a,b\n1,?\n?,NA\n3, ?\n", Dialect(","), ("NA", "?", ""))
    '?'
    >>> dominant_null_token("a,b\n1,\n2,3\n", Dialect(","), ("NA", "?", ""))
    ''
    """
    counts: dict[str, int] = {}
    wanted = {token for token in null_tokens if token}
    for record in _records(text, dialect.delimiter)[1:]:
        for cell in record:
            cell = cell.strip() if trim else cell
            if cell in wanted:
                counts[cell] = counts.get(cell, 0) + 1
    return max(sorted(counts), key=lambda token: counts[token]) if counts else ""


def _consistency(records: list[list[str]]) -> tuple[float, int]:
    """(share of records with the modal field count, that count)."""
    if not records:
        return 0.0, 0
    counts = Counter(len(record) for record in records)
    width, hits = counts.most_common(1)[0]
    return hits / len(records), width


def _best_delimiter(text: str) -> str:
    best, best_key = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        share, width = _consistency(_records(text, delimiter))
        key = (share if width > 1 else 0.0, width)
        if width > 1 and key > best_key:
            best, best_key = delimiter, key
    return best


def sniff_dialect(text: str, *, delimiter: str | None = None) -> Dialect:
    """The :class:`Dialect` of a text sample (whole lines). ``delimiter`` overrides the sniffing.

    >>> sniff_dialect("a;b\\n1,5;2\\n").describe()
    'semicolon-separated, decimal comma, LF'
    >>> sniff_dialect("a\\tb\\tc\\n1\\t2,5\\tx\\n").delimiter == "\\t"
    True
    """
    if delimiter is None:
        delimiter = _best_delimiter(text)
    records = _records(text, delimiter)
    return Dialect(
        delimiter=delimiter,
        decimal=_decimal_mark(records[1:], delimiter),
        line_terminator="\r\n" if "\r\n" in text else "\n",
    )


def _decimal_mark(records: list[list[str]], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    cells = [cell.strip() for record in records for cell in record]
    commas = sum(1 for cell in cells if _DECIMAL_COMMA.match(cell))
    points = sum(1 for cell in cells if _DECIMAL_POINT.match(cell))
    return "," if commas and not points else "."


def read_header(text: str, dialect: Dialect) -> list[str]:
    """The first record of ``text`` (the header row), BOM removed."""
    records = _records(text.lstrip("\ufeff"), dialect.delimiter)
    return records[0] if records else []


def clean_header(names: list[str]) -> tuple[list[str], tuple[HeaderRename, ...]]:
    """Unique, non-empty column names; each change is returned as a :class:`HeaderRename`.

    >>> clean_header(["id", "", "Name", "name", "id"])[0]
    ['id', 'column_2', 'Name', 'name (2)', 'id (2)']
    """
    cleaned: list[str] = []
    renames: list[HeaderRename] = []
    seen: set[str] = set()
    for position, original in enumerate(names):
        name = original
        reason = "empty header" if not name.strip() else ""
        if reason:
            name = f"column_{position + 1}"
        if _key(name) in seen:
            base, copy = name, 2
            while _key(f"{base} ({copy})") in seen:
                copy += 1
            name = f"{base} ({copy})"
            reason = reason or "duplicate header (names are compared ignoring case and surrounding spaces)"
        seen.add(_key(name))
        cleaned.append(name)
        if reason:
            renames.append(HeaderRename(position, original, name, reason))
    return cleaned, tuple(renames)


def _key(name: str) -> str:
    return name.strip().casefold()
