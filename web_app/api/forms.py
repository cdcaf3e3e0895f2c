"""The synthesis forms: string fields (as the predecessor's UI posts them) → a SynthesisRequest.

:class:`SynthesizeForm` and :class:`ConfirmForm` declare every field the two form routes read, with
its default and meaning: they are the routes' OpenAPI request bodies and the defaults :func:`field`
falls back to. No request is validated against them: a form is parsed here, field by field and as
leniently as the legacy UI expects (text; blank or absent → the default; unknown fields ignored; a
file part where text belongs ignored), and a number that does not parse is named in our error
envelope. Knobs come from the legacy fields that map onto the method (see
``methods_dispatcher.legacy_knobs``) and from an optional ``knobs`` JSON object, which wins.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from pydantic import MISSING, BaseModel, Field

from method.api.errors import InvalidParameterError, InvalidPrivacySpecError
from web_app.ingestion.json_text import JsonLimitError, parse_json
from web_app.methods_dispatcher import legacy_knobs
from web_app.synthesis_service import SynthesisRequest

TRUE_WORDS = {"true", "1", "yes", "on"}
_LEGACY_DISPLAY = "legacy field, kept with the job for display; it does not change the run"
_LEGACY_PRIVSYN = "legacy PrivSyn field for the knob {knob}; ignored by other methods and by knobs"


class RunForm(BaseModel):
    """The run fields both synthesis forms take: text, where blank or absent means the default."""

    method: str = Field("privsyn", description="the synthesizer: privsyn, aim, mst (GET /methods)")
    dataset_name: str = Field("adult", description="the table's display name; with no data_file, "
                              "the bundled sample of that name (adult)")
    epsilon: str = Field("1.0", description="ε of the (ε, δ)-DP guarantee: a number in (0, 1000]")
    delta: str = Field("1e-9", description="δ of the guarantee: in (0, 1), far below 1 ÷ rows")
    n_sample: str = Field("", description="rows to generate, a whole number ≥ 1; blank: as many as "
                          "the DP estimate of the input's rows")
    seed: str = Field("", description="seed of the run's random numbers, a whole number ≥ 0; "
                      "blank: fresh entropy")
    time_budget: str = Field("", description="seconds of wall clock for the run (> 0); ε is still "
                             "spent exactly; never more than 90 % of PRIVSYN_JOB_TIMEOUT_MIN")
    knobs: str = Field("", description="JSON object of method knobs (GET /methods lists them); "
                       "wins over the legacy knob fields")
    domain_mode: str = Field("", description="dp: every fact of the schema not declared public "
                             "(info_data.declared_public) is derived with DP; as_confirmed: the whole "
                             "confirmed schema is your public declaration; blank: info_data.domain_mode, "
                             "else dp")
    domain_budget: str = Field("0.2", description="share of ρ for DP domain discovery, in (0, 0.5]")
    num_preprocess: str = Field("", description=_LEGACY_DISPLAY)
    rare_threshold: str = Field("", description=_LEGACY_DISPLAY)
    initialize_method: str = Field("", description=_LEGACY_DISPLAY)
    consist_iterations: str = Field(
        "", description=_LEGACY_PRIVSYN.format(knob="consist_iterations"))
    update_iterations: str = Field(
        "", description=_LEGACY_PRIVSYN.format(knob="update_iterations"))
    append: str = Field("", description=_LEGACY_PRIVSYN.format(knob="append_attributes")
                        + " (true/false, 1/0, yes/no, on/off)")
    sep_syn: str = Field("", description=_LEGACY_PRIVSYN.format(knob="separate_and_join")
                         + " (true/false, 1/0, yes/no, on/off)")


class SynthesizeForm(RunForm):
    """``POST /synthesize``: the data and the run settings, validated before the preview is made."""

    data_file: bytes | MISSING = Field(
        MISSING, description="the table: .csv, .zip (one CSV) or .gz; omit it with "
                             "dataset_name=adult for the bundled sample")


class ConfirmForm(RunForm):
    """``POST /confirm_synthesis``: the reviewed schema of a preview and the run settings."""

    unique_id: str = Field("", description="the preview's unique_id (POST /synthesize)")
    confirmed_domain_data: str = Field("", description="the reviewed domain_data, as JSON text")
    confirmed_info_data: str = Field("", description="the reviewed info_data, as JSON text")
    wait: str = Field("true", description="true: reply once the job has ended (inline runner "
                      "only); false: reply at once with the job queued (poll status_url)")


FORMS: tuple[type[RunForm], ...] = (SynthesizeForm, ConfirmForm)
# Text fields that hold JSON, and the schema of what they hold (OpenAPI 3.1 ``contentSchema``).
JSON_FIELDS = {"confirmed_domain_data": "DomainData", "confirmed_info_data": "InfoData"}
DEFAULTS: dict[str, str] = {
    name: info.default for form in FORMS for name, info in form.model_fields.items()
    if isinstance(info.default, str) and info.default
}


def form_body(form: type[RunForm]) -> dict[str, Any]:
    """``openapi_extra`` of a route that parses ``form`` by hand: its request body, by reference.

    The form's schema itself is added to the document's components by :func:`form_schemas`.
    """
    ref = {"$ref": f"#/components/schemas/{form.__name__}"}
    return {"requestBody": {"content": {"multipart/form-data": {"schema": ref},
                                        "application/x-www-form-urlencoded": {"schema": ref}}}}


def document_forms(app: FastAPI) -> None:
    """Put the forms' schemas into ``app``'s OpenAPI components (:func:`form_body` refers to them).

    FastAPI documents only the models a route validates itself; these routes parse forms here.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generate().setdefault("components", {}).setdefault("schemas", {}).update(form_schemas())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def form_schemas() -> dict[str, Any]:
    """The JSON schemas of :data:`FORMS`, keyed by name, for ``components.schemas``."""
    schemas = {form.__name__: form.model_json_schema() for form in FORMS}
    for schema in schemas.values():
        for name, content in JSON_FIELDS.items():
            if name in schema["properties"]:
                ref = {"$ref": f"#/components/schemas/{content}"}
                schema["properties"][name].update(contentMediaType="application/json",
                                                  contentSchema=ref)
    return schemas


def field(form: Mapping[str, Any], name: str) -> str:
    """The text of field ``name`` (stripped), or its default if blank, absent or a file part."""
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
        knobs = parse_json(text)
    except json.JSONDecodeError as e:
        raise InvalidParameterError(f"knobs must be a JSON object: {e.msg} at character {e.pos}") from None
    except JsonLimitError as e:
        raise InvalidParameterError(f"knobs: {e}") from None
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
    domain_budget = _number(form, "domain_budget", InvalidParameterError)
    return SynthesisRequest(method, epsilon, delta, knobs, rows=_optional_int(form, "n_sample", 1),
                            seed=_optional_int(form, "seed", 0), time_budget_s=_optional_seconds(form, "time_budget"),
                            domain_mode=field(form, "domain_mode") or None, domain_budget=domain_budget)


def wants_to_wait(form: Mapping[str, Any]) -> bool:
    """Legacy clients expect confirm to return once the CSV exists; ``wait=false`` asks not to wait."""
    text = field(form, "wait")
    return not text or text.lower() in TRUE_WORDS


def display_params(form: Mapping[str, Any]) -> dict[str, str]:
    """The legacy fields the client sent, kept with the job for display (they do not change the run).

    Only fields actually given count: a default ``dataset_name`` would label every upload "adult".
    """
    return {name: field(form, name) for name in ("dataset_name", "num_preprocess", "rare_threshold",
                                                 "initialize_method") if _given(form, name)}


def _given(form: Mapping[str, Any], name: str) -> bool:
    value = form.get(name)
    return isinstance(value, str) and bool(value.strip())
