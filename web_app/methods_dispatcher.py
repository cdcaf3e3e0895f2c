"""The web's view of ``method.api``: which methods exist, their parameters, and building one by name.

A thin layer over the registry (no registration of its own): the method list with one-line summaries and
parameter schemas for clients (``GET /methods``), the translation of the predecessor's form fields into
knobs, and :func:`create_synthesizer`, which validates knobs through the method's own declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import method.synthesis  # noqa: F401  (registers the methods)
from method.api import Synthesizer, registry
from method.api.knobs import describe_knobs

SUMMARIES: dict[str, str] = {
    "privsyn": "Selects dependent attribute pairs, measures them with Gaussian noise and fits records to them (GUM).",
    "aim": "Adaptively measures the marginals a workload needs most; slower, usually the most accurate.",
    "mst": "Measures a maximum spanning tree of pairs; fast and predictable on large or wide tables.",
}

# The predecessor's form fields that map onto our knobs (field → (method, knob, converter)).
_LEGACY_FIELDS: dict[str, tuple[str, str, type]] = {
    "consist_iterations": ("privsyn", "consist_iterations", int),
    "update_iterations": ("privsyn", "update_iterations", int),
    "append": ("privsyn", "append_attributes", bool),
    "sep_syn": ("privsyn", "separate_and_join", bool),
}


@dataclass(frozen=True, slots=True)
class MethodInfo:
    name: str
    summary: str
    parameters: list[dict[str, Any]]


def list_methods() -> list[MethodInfo]:
    return [MethodInfo(name, SUMMARIES.get(name, ""), describe_knobs(registry.get(name))) for name in registry.list()]


def create_synthesizer(name: str, knobs: Mapping[str, Any]) -> Synthesizer:
    """The synthesizer ``name`` with ``knobs``; unknown names and bad knobs raise ``MethodError``s."""
    return registry.create(name, **dict(knobs))


def legacy_knobs(name: str, fields: Mapping[str, str | None]) -> dict[str, Any]:
    """Knobs from the predecessor's string form fields that apply to method ``name`` (absent → defaults)."""
    knobs: dict[str, Any] = {}
    for field, (method_name, knob, convert) in _LEGACY_FIELDS.items():
        raw = fields.get(field)
        if method_name != name or raw is None or raw == "":
            continue
        knobs[knob] = _parse_bool(raw) if convert is bool else _parse_number(raw, convert)
    return knobs


def _parse_bool(raw: str) -> bool | str:
    lowered = raw.strip().lower()
    if lowered in {"true", "1", "yes", "on"}:
        return True
    if lowered in {"false", "0", "no", "off"}:
        return False
    return raw  # left as text: the knob's validation names it


def _parse_number(raw: str, kind: type) -> Any:
    try:
        number = float(raw)
    except ValueError:
        return raw
    return int(number) if kind is int and number.is_integer() else number
