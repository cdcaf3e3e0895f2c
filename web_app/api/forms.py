"""The synthesis form: string fields (as the predecessor's UI posts them) → a typed SynthesisRequest.

Every field is optional text with a default; numbers that do not parse are named in the error. Knobs come
from the legacy fields that map onto the method (see ``methods_dispatcher.legacy_knobs``) and from an
optional ``knobs`` JSON object, which wins.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from method.api.errors import InvalidParameterError, InvalidPrivacySpecError
from web_app.methods_dispatcher import legacy_knobs
from web_app.synthesis_service import SynthesisRequest

DEFAULTS = {"method": "privsyn", "dataset_name": "adult", "epsilon": "1.0", "delta": "1e-9"}
TRUE_WORDS = {"true", "1", "yes", "on"}


def field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else DEFAULTS.get(name, "")


def _number(form: Mapping[str, Any], name: str, error: type[Exception]) -> float:
    text = field(form, name)
    try:
        value = float(text)
    except ValueError:
        raise error(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise error(f"{name} must be a finite number, got {text!r}")
    return value


def _optional_int(form: Mapping[str, Any], name: str, low: int) -> int | None:
    text = field(form, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameterError(f"{name} must be a whole number, got {text!r}") from None
    if not value.is_integer() or value < low:
        raise InvalidParameterError(f"{name} must be a whole number >= {low}, got {text!r}")
    return int(value)


def _optional_seconds(form: Mapping[str, Any], name: str) -> float | None:
    text = field(form, name)
    if not text:
        return None
    value = _number(form, name, InvalidParameterError)
    if not value > 0:
        raise InvalidParameterError(f"{name} must be a number of seconds > 0, got {text!r}")
    return value


def parse_knobs(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        knobs = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidParameterError(f"knobs must be a JSON object: {e.msg} at character {e.pos}") from None
    if not isinstance(knobs, dict):
        raise InvalidParameterError(f"knobs must be a JSON object, got {type(knobs).__name__}")
    return knobs


def synthesis_request(form: Mapping[str, Any]) -> SynthesisRequest:
    """The run described by the form (validated further when the synthesizer is built)."""
    method = field(form, "method").lower()
    epsilon = _number(form, "epsilon", InvalidPrivacySpecError)
    delta = _number(form, "delta", InvalidPrivacySpecError)
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    knobs = {**legacy_knobs(method, raw), **parse_knobs(field(form, "knobs"))}
    domain_budget = _number(form, "domain_budget", InvalidParameterError) if field(form, "domain_budget") else 0.1
    return SynthesisRequest(method, epsilon, delta, knobs, rows=_optional_int(form, "n_sample", 1),
                            seed=_optional_int(form, "seed", 0), time_budget_s=_optional_seconds(form, "time_budget"),
                            domain_mode=field(form, "domain_mode") or None, domain_budget=domain_budget)


def wants_to_wait(form: Mapping[str, Any]) -> bool:
    """Legacy clients expect confirm to return once the CSV exists; ``wait=false`` asks not to wait."""
    text = field(form, "wait")
    return not text or text.lower() in TRUE_WORDS


def display_params(form: Mapping[str, Any]) -> dict[str, str]:
    """The legacy fields we keep with the job for display (they do not change the run)."""
    return {name: field(form, name) for name in ("dataset_name", "num_preprocess", "rare_threshold",
                                                 "initialize_method") if field(form, name)}
