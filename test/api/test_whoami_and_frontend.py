"""``GET /whoami``, the built frontend served at ``/`` (with the API's JSON 404s intact), and the committed
``frontend/openapi.json`` the browser client is generated from."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from privsyn_platform.settings import Settings, load_settings
from web_app.api.frontend import mount_frontend
from web_app.api.openapi import main as export_openapi
from web_app.api.openapi import openapi_text
from web_app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whoami-proxy-secret-0123456789abcdef"


def test_whoami_without_auth_is_the_local_user(client: TestClient, api_settings: Settings) -> None:
    response = client.get("/whoami")
    assert response.status_code == 200, response.text
    assert response.json() == {"subject": "local", "is_admin": False, "auth_mode": "none",
                               "max_upload_bytes": api_settings.max_upload_bytes,
                               "max_columns": api_settings.max_columns,
                               "max_synthesis_columns": api_settings.max_synthesis_columns}


def test_whoami_behind_the_trusted_proxy(tmp_path: Path) -> None:
    settings = load_settings(state_root=tmp_path / "state", auth_backend="trusted-header",
                             auth_shared_secret=SECRET, max_columns=120)
    with TestClient(create_app(settings)) as client:
        headers = {"X-Privsyn-Subject": "alice@example.org", "X-Privsyn-Admin": "1", "X-Privsyn-Proxy-Secret": SECRET}
        body = client.get("/whoami", headers=headers).json()
        assert (body["subject"], body["is_admin"], body["auth_mode"], body["max_columns"]) == (
            "alice@example.org", True, "trusted-header", 120)
        anonymous = client.get("/whoami")
        assert anonymous.status_code == 401 and anonymous.json()["detail"]["error"] == "unauthenticated"


def _app_with_dist(tmp_path: Path) -> TestClient:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>PrivSyn</title><div id=root></div>")
    (dist / "assets" / "app.js").write_text("console.log('app')")
    return TestClient(create_app(load_settings(state_root=tmp_path / "state"), frontend_dist=dist))


def test_the_built_app_is_served_at_root_and_api_misses_stay_json(tmp_path: Path) -> None:
    with _app_with_dist(tmp_path) as client:
        index = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})  # a browser
        assert index.status_code == 200 and "<title>PrivSyn</title>" in index.text
        assert "message" in client.get("/").json()  # a script's */* (the predecessor's health check): JSON
        assert client.get("/assets/app.js").text == "console.log('app')"
        assert client.get("/healthz").json() == {"status": "ok"}
        page = client.get("/runs", headers={"Accept": "text/html,application/xhtml+xml"})
        assert page.status_code == 200 and "<title>PrivSyn</title>" in page.text
        html = {"Accept": "text/html"}
        for response in (client.get("/no/such/route"), client.get("/assets/missing.js", headers=html),
                         client.post("/no/such/route")):
            assert response.status_code == 404, response.text
            assert response.json()["detail"]["error"] == "not_found"


def test_without_a_build_nothing_is_mounted(tmp_path: Path) -> None:
    app = create_app(load_settings(state_root=tmp_path / "state"), frontend_dist=tmp_path / "no-dist")
    assert not mount_frontend(app, tmp_path / "no-dist")
    assert "frontend" not in {getattr(route, "name", None) for route in app.routes}


def test_the_committed_openapi_json_matches_the_app(tmp_path: Path) -> None:
    committed = ROOT / "frontend" / "openapi.json"
    assert committed.is_file(), "frontend/openapi.json is missing: run python -m web_app.api.openapi PATH"
    assert committed.read_text(encoding="utf-8") == openapi_text(), (
        "frontend/openapi.json is stale: run `.venv/bin/python -m web_app.api.openapi frontend/openapi.json` "
        "and regenerate the frontend client")
    assert export_openapi([str(tmp_path / "out" / "openapi.json")]) == 0
    assert (tmp_path / "out" / "openapi.json").read_text(encoding="utf-8") == openapi_text()
