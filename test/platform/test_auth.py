"""Auth: the pure header rules and the FastAPI dependency (spoofing, secrets, missing subject, admin flag)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from privsyn_platform.auth import LOCAL_PRINCIPAL, Principal, parse_admin_flag, principal_from_headers
from privsyn_platform.errors import AuthenticationError, ConfigurationError
from privsyn_platform.settings import Settings, get_settings
from web_app.auth import CurrentPrincipal

SECRET = "s3cr3t-0123456789-abcdef-0123456789"
PROXY = "10.0.0.5"
MakeSettings = Callable[..., Settings]


@pytest.fixture
def by_proxy(make_settings: MakeSettings) -> Settings:
    return make_settings(auth_backend="trusted-header", trusted_proxies="10.0.0.0/24, ::1")


@pytest.fixture
def by_secret(make_settings: MakeSettings) -> Settings:
    return make_settings(auth_backend="trusted-header", auth_shared_secret=SECRET)


@pytest.fixture
def by_both(make_settings: MakeSettings) -> Settings:
    return make_settings(auth_backend="trusted-header", trusted_proxies="10.0.0.5", auth_shared_secret=SECRET)


def test_none_backend_is_the_fixed_local_principal(make_settings: MakeSettings) -> None:
    spoof = {"X-Privsyn-Subject": "mallory", "X-Privsyn-Admin": "true"}
    assert principal_from_headers(spoof, "203.0.113.7", make_settings()) == LOCAL_PRINCIPAL


def test_trusted_proxy_identity_with_optional_fields(by_proxy: Settings) -> None:
    headers = {"x-privsyn-subject": "alice@idp", "X-PRIVSYN-EMAIL": "alice@example.org",
               "X-Privsyn-Name": " Alice A. ", "X-Privsyn-Admin": "false"}
    assert principal_from_headers(headers, PROXY, by_proxy) == Principal(
        subject="alice@idp", email="alice@example.org", name="Alice A.", is_admin=False)
    assert principal_from_headers({"X-Privsyn-Subject": "bob"}, "::1", by_proxy).subject == "bob"


@pytest.mark.parametrize("client", ["10.0.1.5", "203.0.113.7", "testclient", "", None])
def test_headers_from_an_untrusted_address_are_ignored(by_proxy: Settings, client: str | None) -> None:
    with pytest.raises(AuthenticationError, match="only from the trusted proxy"):
        principal_from_headers({"X-Privsyn-Subject": "alice", "X-Privsyn-Admin": "1"}, client, by_proxy)


@pytest.mark.parametrize("sent", [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()])
def test_wrong_or_missing_secret_is_refused(by_secret: Settings, sent: str | None) -> None:
    headers = {"X-Privsyn-Subject": "alice"} | ({"X-Privsyn-Proxy-Secret": sent} if sent is not None else {})
    with pytest.raises(AuthenticationError, match="proxy secret"):
        principal_from_headers(headers, "203.0.113.7", by_secret)


def test_correct_secret_from_any_address(by_secret: Settings) -> None:
    headers = {"X-Privsyn-Subject": "alice", "x-privsyn-proxy-secret": SECRET}
    assert principal_from_headers(headers, "203.0.113.7", by_secret).subject == "alice"


def test_both_configured_means_both_required(by_both: Settings) -> None:
    good = {"X-Privsyn-Subject": "alice", "X-Privsyn-Proxy-Secret": SECRET}
    assert principal_from_headers(good, PROXY, by_both).subject == "alice"
    with pytest.raises(AuthenticationError):
        principal_from_headers(good, "10.0.0.6", by_both)
    with pytest.raises(AuthenticationError):
        principal_from_headers({"X-Privsyn-Subject": "alice"}, PROXY, by_both)


@pytest.mark.parametrize("subject", [None, "", "   "])
def test_missing_subject_is_an_authentication_error(by_proxy: Settings, subject: str | None) -> None:
    headers = {"X-Privsyn-Email": "a@example.org"}
    if subject is not None:
        headers["X-Privsyn-Subject"] = subject
    with pytest.raises(AuthenticationError, match="X-Privsyn-Subject"):
        principal_from_headers(headers, PROXY, by_proxy)


def test_malformed_subject_is_refused(by_proxy: Settings) -> None:
    for subject in ("a\nb", "x" * 300):
        with pytest.raises(AuthenticationError, match="printable"):
            principal_from_headers({"X-Privsyn-Subject": subject}, PROXY, by_proxy)


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("on", True),
    ("", False), ("0", False), ("false", False), ("No", False), ("off", False),
])
def test_admin_flag_parsing(value: str, expected: bool, by_proxy: Settings) -> None:
    assert parse_admin_flag(value) is expected
    principal = principal_from_headers({"X-Privsyn-Subject": "a", "X-Privsyn-Admin": value}, PROXY, by_proxy)
    assert principal.is_admin is expected


@pytest.mark.parametrize("value", ["2", "admin", "y", "truee"])
def test_unknown_admin_flag_values_are_refused(value: str) -> None:
    with pytest.raises(AuthenticationError, match="not a boolean; valid: 0, 1, false"):
        parse_admin_flag(value)


def test_hand_built_settings_that_trust_everyone_are_refused(make_settings: MakeSettings) -> None:
    unsafe = make_settings().model_copy(update={"auth_backend": "trusted-header"})
    with pytest.raises(ConfigurationError, match="needs PRIVSYN_TRUSTED_PROXIES"):
        principal_from_headers({"X-Privsyn-Subject": "a"}, PROXY, unsafe)


def test_principal_needs_a_subject() -> None:
    with pytest.raises(ValueError, match="subject"):
        Principal(subject=" ")


# -- the FastAPI dependency ------------------------------------------------------------------------

def _app(settings: Settings) -> FastAPI:
    app = FastAPI()
    app.dependency_overrides[get_settings] = lambda: settings

    @app.exception_handler(AuthenticationError)
    async def unauthorized(request: Request, exc: AuthenticationError) -> JSONResponse:
        return JSONResponse({"detail": {"error": "unauthenticated", "message": str(exc)}}, status_code=401)

    @app.get("/me")
    def me(principal: CurrentPrincipal) -> dict[str, object]:
        return {"subject": principal.subject, "admin": principal.is_admin}

    return app


def test_dependency_reads_headers_and_peer_address(by_proxy: Settings) -> None:
    trusted = TestClient(_app(by_proxy), client=(PROXY, 50000))
    reply = trusted.get("/me", headers={"X-Privsyn-Subject": "alice", "X-Privsyn-Admin": "yes"})
    assert (reply.status_code, reply.json()) == (200, {"subject": "alice", "admin": True})
    assert trusted.get("/me").status_code == 401
    spoofer = TestClient(_app(by_proxy), client=("198.51.100.1", 50000))
    reply = spoofer.get("/me", headers={"X-Privsyn-Subject": "alice", "X-Forwarded-For": PROXY})
    assert reply.status_code == 401 and reply.json()["detail"]["error"] == "unauthenticated"


def test_dependency_with_auth_none(make_settings: MakeSettings) -> None:
    reply = TestClient(_app(make_settings())).get("/me", headers={"X-Privsyn-Subject": "mallory"})
    assert reply.json() == {"subject": "local", "admin": False}
