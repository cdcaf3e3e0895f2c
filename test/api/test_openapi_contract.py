"""The OpenAPI document as a contract: the two hand-parsed form routes document every field they
read, every error response is our envelope, every route has a description, and a preview reply is
exactly what the typed models serialize."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

import web_app.api.forms as forms
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from web_app.api.openapi import openapi_text
from web_app.api.schemas import ColumnEntry, InfoData, PreviewPublic

ENVELOPE = {"$ref": "#/components/schemas/ErrorResponse"}
FORM_ROUTES = {"/synthesize": "SynthesizeForm", "/confirm_synthesis": "ConfirmForm"}
CITIES = ("Lyon", "Oslo", "Ürümqi")
MIXED_CSV = "".join(
    ["when,city,code,ratio,flag\n"]
    + [f"2024-01-{1 + i % 28:02d},{CITIES[i % 3]},{i % 4},{i / 8},{i % 2 == 0}\n"
       for i in range(200)])


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(openapi_text())
    return schema


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for verb, operation in item.items():
            yield path, verb, operation


class _ReadRecorder(Mapping[str, Any]):
    """A form that notes the name of every field looked up (``items()`` and ``multi_items()`` are copies, not
    reads)."""

    def __init__(self, inner: Mapping[str, Any], read: set[str]) -> None:
        self.inner, self.read = inner, read

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return self.inner[name]

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return self.inner.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)

    def items(self) -> Any:
        return self.inner.items()

    def multi_items(self) -> Any:  # read_form's size and file-field checks look at every part, reading none
        return self.inner.multi_items()  # type: ignore[attr-defined]


def test_the_form_routes_document_exactly_the_fields_they_read(
    client: TestClient, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: set[str] = set()
    real_form, real_legacy = Request.form, forms.legacy_knobs

    async def recorded_form(self: Request, **limits: Any) -> Any:
        return _ReadRecorder(await real_form(self, **limits), read)

    monkeypatch.setattr(Request, "form", recorded_form)
    def recorded_legacy(name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        return real_legacy(name, _ReadRecorder(fields, read))

    monkeypatch.setattr(forms, "legacy_knobs", recorded_legacy)
    read_by: dict[str, set[str]] = {}
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM)
    assert preview.status_code == 200, preview.text
    read_by["/synthesize"], read = read, set()
    confirmed = client.post("/confirm_synthesis", data=confirm_form(preview.json(), wait="false"))
    assert confirmed.status_code == 200, confirmed.text
    read_by["/confirm_synthesis"] = read
    components = document["components"]["schemas"]
    for path, form in FORM_ROUTES.items():
        body = document["paths"][path]["post"]["requestBody"]["content"]
        ref = {"$ref": f"#/components/schemas/{form}"}
        assert body == {"multipart/form-data": {"schema": ref},
                        "application/x-www-form-urlencoded": {"schema": ref}}
        properties = components[form]["properties"]
        assert set(properties) == read_by[path], path
        for name, prop in properties.items():
            assert prop.get("description"), f"{path} {name}: no description"
            assert prop["type"] == "string", f"{path} {name}"
            assert "default" in prop or name == "data_file", f"{path} {name}: no default"
    assert components["SynthesizeForm"]["properties"]["data_file"]["format"] == "binary"
    assert components["ConfirmForm"]["properties"]["epsilon"]["default"] == "1.0"
    assert components["ConfirmForm"]["properties"]["confirmed_domain_data"]["contentSchema"] == {
        "$ref": "#/components/schemas/DomainData"}


def test_every_error_response_is_the_envelope_and_every_route_is_described(
    document: dict[str, Any],
) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ValidationError" not in document["components"]["schemas"]
    for path, verb, operation in _operations(document):
        assert operation.get("description"), f"{verb} {path}: the route has no docstring"
        statuses = [status for status in operation["responses"] if not status.startswith("2")]
        assert "500" in statuses, f"{verb} {path}"
        for status in statuses:
            content = operation["responses"][status]["content"]
            assert content == {"application/json": {"schema": ENVELOPE}}, f"{verb} {path} {status}"
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in statuses, f"{verb} {path}: a request it cannot read must be documented"


def _reply_json(model: PreviewPublic) -> bytes:
    """What FastAPI sends for ``model``: its JSON-mode dump, rendered like ``JSONResponse``."""
    content = model.model_dump(mode="json")
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def test_a_preview_reply_validates_against_the_models_byte_for_byte(client: TestClient) -> None:
    replies = [client.post("/synthesize", data={"dataset_name": "adult"}),
               client.post("/synthesize", files={"data_file": ("mixed.csv", MIXED_CSV.encode())})]
    for reply in replies:
        assert reply.status_code == 200, reply.text
        preview = PreviewPublic.model_validate_json(reply.content)
        assert _reply_json(preview) == reply.content
    domain = replies[1].json()["domain_data"]
    assert json.dumps(domain["code"]["categories"]) == "[0, 1, 2, 3]"  # numbers stay numbers
    assert "bounds" not in domain["city"]  # absent, not null
    assert "datetime_format" not in domain["ratio"]
    assert domain["when"]["datetime_format"] == "%Y-%m-%d"


def test_the_review_models_keep_unknown_fields_and_the_json_types_of_categories() -> None:
    entry = {"type": "categorical", "categories": ["1", 1, 1.0, True], "widget": {"open": True}}
    kept = ColumnEntry.model_validate(entry).model_dump(mode="json")
    assert json.dumps(kept) == json.dumps(entry)
    info = {"columns": ["a"], "excluded_columns": [], "ui_state": [1, "x"]}
    assert json.dumps(InfoData.model_validate(info).model_dump(mode="json")) == json.dumps(info)
