"""Declaring a synthesizer's knobs once: default, type, bounds or choices, and help text.

A synthesizer is a frozen dataclass whose fields are declared with :func:`knob`; :func:`validate_knobs`
(called from ``__post_init__``) checks every field against its declaration, and :func:`describe_knobs`
turns the same declarations into the parameter list a client sees — one source for both.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from method.api.errors import InvalidParameterError

_SPEC_KEY = "knob"


@dataclass(frozen=True, slots=True)
class KnobSpec:
    """What a knob accepts. ``low``/``high`` bound numbers (``open_low`` excludes ``low``)."""

    kind: type
    help: str
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False


def knob(
    default: Any,
    kind: type,
    help: str,
    *,
    low: float | None = None,
    high: float | None = None,
    open_low: bool = False,
    choices: tuple[str, ...] = (),
    optional: bool = False,
) -> Any:
    """A dataclass field carrying its :class:`KnobSpec` (use as ``x: float = knob(0.1, float, "…", low=0)``)."""
    spec = KnobSpec(kind, help, low, high, open_low, choices, optional)
    return dataclasses.field(default=default, metadata={_SPEC_KEY: spec})


def knob_specs(cls_or_instance: Any) -> dict[str, tuple[KnobSpec, Any]]:
    """``{name: (spec, default)}`` for every field declared with :func:`knob`."""
    return {
        f.name: (f.metadata[_SPEC_KEY], f.default)
        for f in dataclasses.fields(cls_or_instance)
        if _SPEC_KEY in f.metadata
    }


def check_knob(name: str, spec: KnobSpec, value: Any) -> None:
    """Raise :class:`InvalidParameterError` naming the knob, the value and what is valid."""
    if value is None and spec.optional:
        return
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise InvalidParameterError(f"{name} must be true or false, got {value!r}")
        return
    if spec.kind is str:
        if not isinstance(value, str) or (spec.choices and value not in spec.choices):
            raise InvalidParameterError(f"{name} must be one of {', '.join(spec.choices)}, got {value!r}")
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidParameterError(f"{name} must be a finite number, got {value!r}")
    if spec.kind is int and not float(value).is_integer():
        raise InvalidParameterError(f"{name} must be a whole number, got {value!r}")
    too_low = spec.low is not None and (value < spec.low or (spec.open_low and value == spec.low))
    too_high = spec.high is not None and value > spec.high
    if too_low or too_high:
        bracket = "(" if spec.open_low else "["
        raise InvalidParameterError(f"{name} must be in {bracket}{spec.low}, {spec.high}], got {value!r}")


def validate_knobs(instance: Any) -> None:
    """Check every declared knob of a synthesizer instance (call from ``__post_init__``)."""
    for name, (spec, _) in knob_specs(instance).items():
        check_knob(name, spec, getattr(instance, name))


def describe_knobs(cls: Any) -> list[dict[str, Any]]:
    """JSON-ready parameter list: name, type, default, bounds or choices, help.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Demo:
    ...     rounds: int = knob(3, int, "how many", low=1, high=9)
    >>> describe_knobs(Demo)[0]["maximum"]
    9
    """
    described = []
    for name, (spec, default) in knob_specs(cls).items():
        entry: dict[str, Any] = {"name": name, "type": spec.kind.__name__, "default": default, "help": spec.help}
        if spec.low is not None:
            entry["exclusive_minimum" if spec.open_low else "minimum"] = spec.low
        if spec.high is not None:
            entry["maximum"] = spec.high
        if spec.choices:
            entry["choices"] = list(spec.choices)
        if spec.optional:
            entry["nullable"] = True
        described.append(entry)
    return described
