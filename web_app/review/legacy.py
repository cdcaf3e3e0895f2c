"""The predecessor's confirmed entries (vvv214/privsyn-tabular's UI and scripts) → ours, before validation.

That client edits a column with fields of its own; :func:`from_legacy` gives each its meaning and leaves
every other entry untouched (docs/api.md, "Legacy clients"):

* numerical ``binning = {method, bin_count, bin_width, growth_rate, dp_budget_fraction}``: ``dp_privtree`` is
  ``privtree`` (a DP binning at our default resolution); the bin count is ``ceil(span / bin_width)`` when a
  width is given, else ``bin_count``, else 10 (``bin_count: null``); ``exponential`` with ``growth_rate`` > 1
  gets edges whose widths grow by that factor; ``bin_count`` contradicting ``edges`` is ``invalid_binning``.
  The UI sends datetime columns as ``numerical`` with no bounds: they stay datetime.
* categorical ``selected_categories`` + ``custom_categories`` (a custom value already listed in another case is
  dropped, as the UI refuses it), minus ``excluded_categories``, are the category list; the ``special_token``
  the UI appends to ``categories`` is the "other" bucket's label (never a category). ``categories_from_data`` (a
  list there) is only the list the UI started from.

**Edits are declarations.** That UI has no "declare public" tick: a column whose entry differs from the
preview's draft (another kind, binning, bounds, a category added or excluded, another strategy) is added
to ``info_data["declared_public"]``, as our UI ticks it on an edit, and its entry is used as written
(docs/privacy.md). A column sent back as drafted declares nothing and is discovered with DP, so the
data-derived lists the UI echoes (``categories_from_data``, ``value_counts``) never reach the release.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from method.api.metadata import MAX_DP_RESOLUTION
from method.preprocess_common.categorical import normalise
from web_app.ingestion.errors import SchemaError
from web_app.review.discover import default_bins
from web_app.review.payload import Payload

LEGACY_BINNING_KEYS = ("bin_count", "bin_width", "growth_rate", "dp_budget_fraction")
LEGACY_CATEGORY_KEYS = ("selected_categories", "custom_categories", "excluded_categories")
LEGACY_METHODS = {"dp_privtree": "privtree"}
LEGACY_STRATEGIES = {"keep_in_domain": "resample"}
LEGACY_DEFAULT_BINS = 10
SPECIAL_TOKEN = "__OTHER__"
_DP_METHODS = ("privtree", "dawa")


def from_legacy(domain_data: Payload, info_data: Payload, draft: Payload) -> tuple[Payload, Payload]:
    """``(domain_data, info_data)`` with every legacy-shaped entry translated and edited columns declared.

    Args:
        domain_data, info_data: the confirmed payload (not modified).
        draft: the preview's drafted ``domain_data`` (what "unchanged" means).

    Raises:
        SchemaError: ``invalid_binning`` for a bin count that is not a positive whole number or that
            contradicts the entry's edges.
    """
    domain = dict(domain_data)
    edited: list[str] = []
    for name, entry in domain_data.items():
        if not isinstance(entry, dict):
            continue
        base = _dict(draft.get(name))
        if _is_legacy_numeric(entry):
            domain[name], changed = _numeric(str(name), entry, base)
        elif _is_legacy_categorical(entry):
            domain[name], changed = _categorical(entry, base)
        else:
            continue
        if changed:
            edited.append(str(name))
    if not edited:
        return domain, info_data
    declared = info_data.get("declared_public", [])
    declared = list(declared) if isinstance(declared, list) else []
    return domain, {**info_data, "declared_public": [*declared, *(n for n in edited if n not in declared)]}


def _is_legacy_numeric(entry: Payload) -> bool:
    binning = entry.get("binning")
    return (entry.get("type") in ("numerical", "datetime") and isinstance(binning, dict) and "bins" not in binning
            and (any(key in binning for key in LEGACY_BINNING_KEYS) or binning.get("method") in LEGACY_METHODS))


def _is_legacy_categorical(entry: Payload) -> bool:
    return entry.get("type") == "categorical" and (
        any(key in entry for key in LEGACY_CATEGORY_KEYS) or isinstance(entry.get("categories_from_data"), list))


def _dict(value: Any) -> Payload:
    return value if isinstance(value, dict) else {}


def _optional_number(value: Any, name: str, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise SchemaError("invalid_binning", f"column {name!r}: {what} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SchemaError("invalid_binning", f"column {name!r}: {what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SchemaError("invalid_binning", f"column {name!r}: {what} must be finite, got {value!r}")
    return number


def _bin_count(value: Any, name: str) -> int | None:
    number = _optional_number(value, name, "bin_count")
    if number is None:
        return None
    if not number.is_integer():
        raise SchemaError("invalid_binning", f"column {name!r}: bin_count must be an integer, got {value!r}")
    if number <= 0:
        raise SchemaError("invalid_binning", f"column {name!r}: bin_count must be positive, got {value!r}")
    return int(number)


def growth_edges(lower: float, upper: float, bins: int, growth: float, *, integer: bool) -> list[float]:
    """Edges from ``lower`` to ``upper`` whose widths grow by ``growth`` (a public function of public bounds);
    an integer column keeps the whole-number edges that stay distinct.

    >>> growth_edges(0, 7, 3, 2.0, integer=False)
    [0.0, 1.0, 3.0, 7.0]
    """
    weights = [growth**i for i in range(bins)]
    total, running, edges = sum(weights), 0.0, [float(lower)]
    for weight in weights[:-1]:
        running += weight
        edges.append(lower + (upper - lower) * running / total)
    edges.append(float(upper))
    if not integer:
        return edges
    inner = sorted({math.ceil(edge) for edge in edges[1:-1]} - {math.ceil(lower)})
    return [float(lower), *(float(e) for e in inner if math.ceil(lower) < e <= math.floor(upper)), float(upper)]


def _numeric(name: str, entry: Payload, base: Payload) -> tuple[Payload, bool]:
    out = copy.deepcopy(entry)
    binning = dict(entry["binning"])
    drafted = _dict(base.get("binning"))
    if base.get("type") == "datetime" and entry.get("type") == "numerical":
        out["type"] = "datetime"  # the UI knows no datetime kind and sends the dates' bounds as null
        out.setdefault("datetime_format", base.get("datetime_format"))
        sent = _dict(out.get("bounds"))
        out["bounds"] = {key: sent.get(key) for key in ("min", "max")}
        out.pop("numeric_summary", None)
    _keep_flags(out, base)
    method = LEGACY_METHODS.get(binning.get("method") or "uniform", binning.get("method") or "uniform")
    count = _bin_count(binning.get("bin_count"), name)
    width = _optional_number(binning.get("bin_width"), name, "bin_width")
    growth = _optional_number(binning.get("growth_rate"), name, "growth_rate")
    edges = binning.get("edges", binning.get("bin_edges"))
    if isinstance(edges, list) and count is not None and count != len(edges) - 1:
        raise SchemaError("invalid_binning", f"column {name!r}: bin_count ({count}) does not match the "
                          f"{len(edges)} edges ({len(edges) - 1} bins)", hint="send one of them, or make them agree")
    bounds, summary = _dict(out.get("bounds")), _dict(out.get("numeric_summary"))
    lower, upper = (_optional_number(bounds.get(k, summary.get(k)), name, f"bounds.{k}") if out["type"] == "numerical"
                    else None for k in ("min", "max"))
    span = (lower, upper) if lower is not None and upper is not None and upper > lower else None
    integer = bool(out.get("integer", False))
    if isinstance(edges, list):
        bins = len(edges) - 1
    elif width is not None and width > 0 and span is not None:
        bins = math.ceil((span[1] - span[0]) / width)
    else:
        bins = count or LEGACY_DEFAULT_BINS
    result: Payload = {"method": method}
    if method in _DP_METHODS:  # the DP binning chooses its own bins, down to our finest resolution
        bins = default_bins(integer, *span, MAX_DP_RESOLUTION) if span is not None else MAX_DP_RESOLUTION
    elif isinstance(edges, list):
        result["edges"] = edges
    elif span is not None:
        bins = default_bins(integer, *span, bins)
        if method == "exponential" and growth is not None and growth > 1:
            result["edges"] = growth_edges(*span, bins, growth, integer=integer)
            bins = len(result["edges"]) - 1
    out["binning"] = {**result, "bins": bins}
    edited = (out["type"] != base.get("type") or method != drafted.get("method") or width is not None
              or (growth is not None and method == "exponential") or "edges" in result
              or (method not in _DP_METHODS and bins != drafted.get("bins", drafted.get("bin_count")))
              or _bounds_changed(out, base))
    return out, edited


def _keep_flags(entry: Payload, base: Payload) -> None:
    """The UI drops our ``integer``/``nullable`` flags: the entry keeps the draft's (they were in the reply it
    edited, next to the bounds and categories it sends back; a column switched to numerical stays whole)."""
    for flag in ("integer", "nullable"):
        if flag not in entry and flag in base:
            entry[flag] = base[flag]


def _bounds_changed(entry: Payload, base: Payload) -> bool:
    sent, drafted = _dict(entry.get("bounds")), _dict(base.get("bounds"))
    return any(sent.get(key) is not None and sent.get(key) != drafted.get(key) for key in ("min", "max"))


def _key(value: Any) -> str:
    return normalise(value).casefold()


def _unique(values: list[Any], from_data: list[Any]) -> list[Any]:
    """``values`` without repeats: a value the user typed is dropped when listed already in another case (the
    UI's rule); values of the data that differ only in case stay apart (they are different values)."""
    data = {normalise(v) for v in from_data}
    kept: list[Any] = []
    for value in values:
        if value is None or value == "":
            continue
        typed = normalise(value) not in data
        if normalise(value) in {normalise(v) for v in kept} or (typed and _key(value) in {_key(v) for v in kept}):
            continue
        kept.append(value)
    return kept


def _listed(entry: Payload, key: str) -> list[Any]:
    value = entry.get(key)
    return list(value) if isinstance(value, list) else []


def _categorical(entry: Payload, base: Payload) -> tuple[Payload, bool]:
    out = copy.deepcopy(entry)
    _keep_flags(out, base)
    drafted = _listed(base, "categories") or _listed(base, "categories_preview")  # what the UI started from
    from_data = _listed(entry, "categories_from_data") or drafted
    selected = _listed(entry, "selected_categories") if "selected_categories" in entry else from_data
    custom = _listed(entry, "custom_categories")
    selected_keys = {normalise(v) for v in selected + custom}
    excluded = (_listed(entry, "excluded_categories") if "excluded_categories" in entry
                else [v for v in from_data if normalise(v) not in selected_keys])
    dropped = {normalise(v) for v in excluded}
    categories = [v for v in _unique(selected + custom, from_data) if normalise(v) not in dropped]
    token = entry.get("special_token") or SPECIAL_TOKEN
    strategy = entry.get("excluded_strategy") or "map_to_special"
    out.update(categories=categories, special_token=token,
               excluded_strategy=LEGACY_STRATEGIES.get(strategy, strategy), categories_from_data=bool(from_data))
    for key in LEGACY_CATEGORY_KEYS:
        out.pop(key, None)
    edited = (base.get("type") != "categorical" or bool(dropped & {normalise(v) for v in from_data}) or bool(custom)
              or {normalise(v) for v in categories} != {normalise(v) for v in drafted}
              or out["excluded_strategy"] != base.get("excluded_strategy", "map_to_special"))
    return out, edited
