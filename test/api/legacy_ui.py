"""What the predecessor's browser UI (vvv214/privsyn-tabular, ``frontend/``) posts, written from its documented
request and response shapes (not its code): the review it builds from a ``/synthesize`` reply and the
confirmed ``domain_data`` / ``info_data`` it serialises. Tests edit the review like a user would, then call
:func:`confirmed` to get exactly the JSON that UI sends to ``/confirm_synthesis``.

Shapes, per column:

* categorical: the review keeps ``categories`` (the reply's list), ``selected_categories`` (= categories),
  ``custom_categories`` (added by hand), ``excluded_strategy``, ``special_token`` (the reply's, default
  ``__OTHER__``). The confirm sends ``categories_from_data`` (the reply's list), ``selected_categories``,
  ``custom_categories``, ``excluded_categories`` (from-data values not selected), ``excluded_strategy``,
  ``special_token``, ``category_null_token``, ``value_counts``, ``categories`` = selected + custom (+ the
  special token unless ``resample``) and ``size``.
* numerical: the review's ``binning`` is ``{method, bin_count, bin_width, growth_rate, dp_budget_fraction}``,
  ``bin_count`` defaulting to the reply's ``binning.bin_count`` or min(20, max(5, size)); an emptied input is
  ``""``. The confirm sends ``{type, bounds, binning, numeric_summary, numeric_candidate_summary, size}`` with
  every number of ``bounds``/``binning`` parsed (``""`` → ``null``). ``method`` is one of ``uniform``,
  ``exponential``, ``dp_privtree``.
* info_data: the reply's, plus ``num_columns``, ``cat_columns``, ``n_num_features``, ``n_cat_features``.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

SPECIAL_TOKEN = "__OTHER__"
# The predecessor's /synthesize and /confirm_synthesis run fields, as its UI's form state posts them.
UI_RUN_FORM = {
    "method": "privsyn", "dataset_name": "", "epsilon": "1", "delta": "0.00001", "num_preprocess": "uniform_kbins",
    "rare_threshold": "0.002", "n_sample": "200", "consist_iterations": "3", "append": "true", "sep_syn": "false",
    "initialize_method": "singleton", "update_iterations": "2",
}


def review(preview: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The UI's editable review of a ``/synthesize`` reply (what its editors change)."""
    columns: dict[str, dict[str, Any]] = {}
    for name, details in copy.deepcopy(preview["domain_data"]).items():
        if details["type"] == "categorical":
            fallback = details.get("categories_preview") or list(details.get("value_counts") or {})
            categories = details.get("categories") or fallback
            strategy = details.get("excluded_strategy") or "map_to_special"
            columns[name] = {**details, "categories": list(categories), "selected_categories": list(categories),
                             "custom_categories": [], "special_token": details.get("special_token") or SPECIAL_TOKEN,
                             "excluded_strategy": "resample" if strategy == "keep_in_domain" else strategy}
        else:
            summary = details.get("numeric_summary") or {}
            bounds = details.get("bounds") or {}
            binning = details.get("binning") or {}
            count = binning.get("bin_count")
            if count is None:
                count = min(20, max(5, details.get("size") or 10))
            columns[name] = {**details, "bounds": {"min": bounds.get("min", summary.get("min", "")),
                                                   "max": bounds.get("max", summary.get("max", ""))},
                             "binning": {"method": binning.get("method") or "uniform", "bin_count": count,
                                         "bin_width": binning.get("bin_width", ""),
                                         "growth_rate": binning.get("growth_rate", ""),
                                         "dp_budget_fraction": binning.get("dp_budget_fraction", 0.05)}}
    return columns


def _number(value: Any) -> float | int | None:
    if value in ("", None):
        return None
    try:
        number = float(value)
    except ValueError:  # Number("2020-01-01") is NaN: the UI sends null
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def confirmed(preview: dict[str, Any], columns: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``confirmed_domain_data`` and ``confirmed_info_data`` the UI posts for the edited review."""
    domain: dict[str, Any] = {}
    for name, details in columns.items():
        if details["type"] == "categorical":
            from_data = list(details.get("categories") or [])
            selected = details.get("selected_categories") or from_data
            custom = list(details.get("custom_categories") or [])
            token = details.get("special_token") or SPECIAL_TOKEN
            strategy = details.get("excluded_strategy") or "map_to_special"
            final = _unique([*selected, *custom] + ([] if strategy == "resample" else [token]))
            domain[name] = {"type": "categorical", "categories_from_data": from_data,
                            "selected_categories": selected, "custom_categories": custom,
                            "excluded_categories": [c for c in from_data if c not in selected],
                            "excluded_strategy": strategy, "special_token": token,
                            "category_null_token": details.get("category_null_token"),
                            "value_counts": details.get("value_counts") or {}, "categories": final,
                            "size": len(final), "numeric_candidate_summary": details.get("numeric_candidate_summary")}
        else:
            binning = details.get("binning") or {}
            bounds = details.get("bounds") or {}
            domain[name] = {"type": "numerical",
                            "bounds": {"min": _number(bounds.get("min")), "max": _number(bounds.get("max"))},
                            "binning": {"method": binning.get("method") or "uniform",
                                        "bin_count": _number(binning.get("bin_count")),
                                        "bin_width": _number(binning.get("bin_width")),
                                        "growth_rate": _number(binning.get("growth_rate")),
                                        "dp_budget_fraction": binning.get("dp_budget_fraction", 0.05)},
                            "numeric_summary": details.get("numeric_summary"),
                            "numeric_candidate_summary": details.get("numeric_candidate_summary"),
                            "size": details.get("size")}
    numerical = [n for n, d in domain.items() if d["type"] == "numerical"]
    categorical = [n for n, d in domain.items() if d["type"] == "categorical"]
    info = {**preview["info_data"], "num_columns": numerical, "cat_columns": categorical,
            "n_num_features": len(numerical), "n_cat_features": len(categorical)}
    return domain, info


def confirm_form(preview: dict[str, Any], columns: dict[str, dict[str, Any]] | None = None,
                 **run: str) -> dict[str, str]:
    """The whole ``/confirm_synthesis`` form the UI posts (its run fields, then the payloads)."""
    domain, info = confirmed(preview, review(preview) if columns is None else columns)
    return {**UI_RUN_FORM, **run, "unique_id": preview["unique_id"],
            "confirmed_domain_data": json.dumps(domain), "confirmed_info_data": json.dumps(info)}
