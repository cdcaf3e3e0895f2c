"""The request edge (issue #19): body and form caps, truncated or non-form bodies, JSON edge cases, the
security headers, 405s past the SPA mount and the loopback-only rule without auth. Each failed before."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import Settings, load_settings
from test.api.fixtures import confirm_form
from web_app.main import create_app

SMALL_CSV = b"age,city\n" + b"".join(f"{20 + i % 50},{'ab'[i % 2]}\n".encode() for i in range(200))
FORM = {"method": "privsyn", "epsilon": "1.0", "delta": "1e-9", "dataset_name": "tiny"}


def _error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["error"] == code, detail
    return str(detail["message"])


@pytest.fixture
def small_settings(tmp_path: Path) -> Settings:
    return load_settings(state_root=tmp_path / "state", max_upload_bytes=64 * 1024, max_form_bytes=32 * 1024)


@pytest.fixture
def small(small_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(small_settings)) as test_client:
        yield test_client


@pytest.fixture
def tiny_preview(small: TestClient) -> dict[str, Any]:
    response = small.post("/synthesize", data=FORM, files={"data_file": ("t.csv", SMALL_CSV, "text/csv")})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_declared_oversize_body_is_refused_before_reading(small: TestClient) -> None:
    response = small.post("/synthesize", content=b"x" * 10, headers={"content-length": str(10**9),
                                                                       "content-type": "multipart/form-data; b=x"})
    assert "PRIVSYN_MAX_UPLOAD_BYTES" in _error(response, 413, "request_too_large")


def test_a_chunked_body_is_cut_off_at_the_cap(small_settings: Settings) -> None:
    """Driven as ASGI (the TestClient would read the whole body first): the app stops pulling at the cap."""
    app = create_app(small_settings)
    pulled = 0
    head = b'--b\r\nContent-Disposition: form-data; name="data_file"; filename="a.csv"\r\n\r\n'

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": head if pulled == 1 else b"1," * 32768, "more_body": pulled < 16384}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/synthesize", "raw_path": b"/synthesize", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"transfer-encoding", b"chunked"),
                                           (b"content-type", b"multipart/form-data; boundary=b")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "state": {}}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 413 and b"request_too_large" in sent[1]["body"]
    assert pulled * 65536 < 2 * (small_settings.max_upload_bytes + small_settings.max_form_bytes + 65536)


def test_too_many_form_fields_are_refused(small: TestClient) -> None:
    fields = {f"f{i}": "x" for i in range(150)}
    response = small.post("/synthesize", data=fields, files={"data_file": ("t.csv", SMALL_CSV, "text/csv")})
    assert response.status_code == 400 and response.json()["detail"]["error"] == "malformed_form", response.text


def test_text_fields_over_their_cap_are_refused(small: TestClient, tiny_preview: dict[str, Any]) -> None:
    form = confirm_form(tiny_preview, knobs=json.dumps({"pad": "x" * 40_000}), method="privsyn")
    _error(small.post("/confirm_synthesis", data=form), 413, "form_too_large")


def _multipart(boundary: str = "b") -> bytes:
    return (f'--{boundary}\r\nContent-Disposition: form-data; name="data_file"; filename="a.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode() + SMALL_CSV + f"\r\n--{boundary}--\r\n".encode()


def test_a_truncated_multipart_body_is_not_the_adult_sample(small: TestClient) -> None:
    body = _multipart()
    headers = {"content-type": "multipart/form-data; boundary=b"}
    for cut in (body[: len(body) // 2], body[:-8]):
        _error(small.post("/synthesize", content=cut, headers=headers), 400, "truncated_body")
    assert small.post("/synthesize", content=body, headers=headers).status_code == 200


def test_a_short_content_length_is_not_the_adult_sample(small: TestClient) -> None:
    body = _multipart()
    headers = {"content-type": "multipart/form-data; boundary=b", "content-length": str(len(body) - 20)}
    _error(small.post("/synthesize", content=body[: len(body) - 20], headers=headers), 400, "truncated_body")


def test_a_json_body_is_415_not_the_adult_sample(small: TestClient) -> None:
    _error(small.post("/synthesize", json={"dataset_name": "adult"}), 415, "unsupported_media_type")
    _error(small.post("/confirm_synthesis", json={"unique_id": "x"}), 415, "unsupported_media_type")


def test_a_file_under_another_field_or_text_as_the_file_is_422(small: TestClient) -> None:
    message = _error(small.post("/synthesize", data=FORM, files={"file": ("t.csv", SMALL_CSV, "text/csv")}),
                     422, "unexpected_file")
    assert "'file'" in message and "data_file" in message
    _error(small.post("/synthesize", data={**FORM, "data_file": SMALL_CSV.decode()}), 422, "unexpected_file")
    stray = small.post("/confirm_synthesis", data={"unique_id": "x"}, files={"data_file": ("t.csv", b"a\n1\n")})
    assert "this form takes no file" in _error(stray, 422, "unexpected_file")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("knobs", "[" * 5000 + "]" * 5000, "invalid_parameter"),
        ("knobs", '{"update_iterations": ' + "9" * 5000 + "}", "invalid_parameter"),
        ("confirmed_info_data", '{"a": ' + "[" * 3000 + "]" * 3000 + "}", "json_too_complex"),
    ],
)
def test_json_edge_cases_are_422(small: TestClient, tiny_preview: dict[str, Any], field: str, value: str,
                                 code: str) -> None:
    settings = load_settings(state_root=Path(small.app.state.services.settings.state_root),  # type: ignore[attr-defined]
                             max_form_bytes=1024 * 1024)
    with TestClient(create_app(settings)) as roomy:
        _error(roomy.post("/confirm_synthesis", data=confirm_form(tiny_preview, **{field: value})), 422, code)


def test_a_4000_digit_bound_is_422(small: TestClient, tiny_preview: dict[str, Any]) -> None:
    domain = tiny_preview["domain_data"]
    text = json.dumps(domain).replace(json.dumps(domain["age"]), json.dumps(
        {**domain["age"], "bounds": {"min": 0, "max": 1}})).replace('"max": 1}', '"max": ' + "9" * 4000 + "}")
    message = _error(small.post("/confirm_synthesis", data=confirm_form(tiny_preview, confirmed_domain_data=text)),
                     422, "json_too_complex")
    assert "digits" in message


def test_security_headers_on_json_and_html(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "sandbox" in response.headers["content-security-policy"]


def test_undeclared_methods_are_405_also_past_the_spa_mount(api_settings: Settings, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>app</title>")
    with TestClient(create_app(api_settings, frontend_dist=dist)) as spa:
        for method, path in (("PUT", "/synthesize"), ("DELETE", "/healthz"), ("GET", "/confirm_synthesis")):
            response = spa.request(method, path)
            assert response.status_code == 405, (method, path, response.text)
            assert response.json()["detail"]["error"] == "method_not_allowed" and response.headers["allow"]
        page = spa.get("/runs", headers={"accept": "text/html"})
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        index = spa.get("/index.html")
        revalidated = spa.get("/index.html", headers={"if-none-match": index.headers["etag"]})
        # A 304 carries no policy: the browser would otherwise give the cached page the sandbox one.
        assert revalidated.status_code == 304 and "content-security-policy" not in revalidated.headers


def test_without_auth_only_loopback_addresses_are_served(api_settings: Settings, tmp_path: Path) -> None:
    with TestClient(create_app(api_settings), base_url="http://192.0.2.10") as remote:
        message = _error(remote.get("/whoami"), 403, "local_only")
        assert "PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE" in message
    with TestClient(create_app(api_settings), base_url="http://127.0.0.1") as local:
        assert local.get("/whoami").status_code == 200
    allowed = load_settings(state_root=tmp_path / "allowed", allow_unauthenticated_remote=True)
    with TestClient(create_app(allowed), base_url="http://192.0.2.10") as remote:
        assert remote.get("/whoami").status_code == 200


def test_the_report_and_the_download_carry_the_security_headers(small: TestClient,
                                                               tiny_preview: dict[str, Any]) -> None:
    form = confirm_form(tiny_preview, method="privsyn", n_sample="100", knobs='{"update_iterations": 10}',
                        domain_mode="as_confirmed")
    confirmed = small.post("/confirm_synthesis", data=form)
    assert confirmed.status_code == 200, confirmed.text
    job = confirmed.json()
    download = small.get(job["download_url"])
    report = small.get(f"/evaluate/{job['job_id']}/report")
    assert download.status_code == 200 and report.status_code == 200, (download.text[:200], report.text[:200])
    assert "sandbox" in download.headers["content-security-policy"]
    assert report.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in report.headers["content-security-policy"]
    for response in (download, report):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
