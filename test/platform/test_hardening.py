"""Issue #19, the identity and configuration edge: peers rewritten from X-Forwarded-For, repeated identity
headers, guessable secrets, "every address" proxy lists, development CORS origins in production, and the
launcher's refusal to serve the network without auth. Each of these was accepted before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.datastructures import Headers

from privsyn_platform.auth import principal_from_headers
from privsyn_platform.errors import AuthenticationError, ConfigurationError
from privsyn_platform.settings import DEFAULT_CORS_ORIGINS, Settings, get_settings, load_settings
from web_app.serve import check_bind, main, uvicorn_flags

SECRET = "k3v9-proxy-secret-for-tests-0123456789abcdef"
MakeSettings = Callable[..., Settings]


def _raw(*pairs: tuple[str, str]) -> Headers:
    return Headers(raw=[(name.lower().encode(), value.encode()) for name, value in pairs])


def test_a_peer_taken_from_x_forwarded_for_is_not_the_proxy(make_settings: MakeSettings) -> None:
    """What uvicorn --proxy-headers (FORWARDED_ALLOW_IPS='*') hands the app: client.host = the header's value."""
    settings = make_settings(auth_backend="trusted-header", trusted_proxies="10.9.9.9")
    spoof = _raw(("X-Privsyn-Subject", "mallory"), ("X-Privsyn-Admin", "true"), ("X-Forwarded-For", "10.9.9.9"))
    with pytest.raises(AuthenticationError, match="--no-proxy-headers"):
        principal_from_headers(spoof, "10.9.9.9", settings)
    with pytest.raises(AuthenticationError, match="--no-proxy-headers"):
        principal_from_headers(_raw(("X-Privsyn-Subject", "m"), ("X-Forwarded-For", "1.2.3.4, 10.9.9.9:80")),
                               "10.9.9.9", settings)
    legitimate = _raw(("X-Privsyn-Subject", "alice"), ("X-Forwarded-For", "203.0.113.5"))
    assert principal_from_headers(legitimate, "10.9.9.9", settings).subject == "alice"


@pytest.mark.parametrize("name", ["X-Privsyn-Subject", "X-Privsyn-Admin", "X-Privsyn-Email", "X-Privsyn-Proxy-Secret"])
def test_a_repeated_identity_or_secret_header_is_refused(make_settings: MakeSettings, name: str) -> None:
    settings = make_settings(auth_backend="trusted-header", auth_shared_secret=SECRET)
    base = {"X-Privsyn-Subject": "alice", "X-Privsyn-Proxy-Secret": SECRET, "X-Privsyn-Admin": "false",
            "X-Privsyn-Email": "a@example.org"}
    headers = _raw(*base.items(), (name, base[name] if name != "X-Privsyn-Admin" else "true"))
    with pytest.raises(AuthenticationError, match="sent more than once"):
        principal_from_headers(headers, "203.0.113.7", settings)
    assert principal_from_headers(_raw(*base.items()), "203.0.113.7", settings).subject == "alice"


@pytest.mark.parametrize(("env", "fragment"), [
    ({"auth_shared_secret": "a" * 16}, "too guessable"),
    ({"auth_shared_secret": "ab" * 16}, "too guessable"),
    ({"trusted_proxies": "0.0.0.0/1,128.0.0.0/1"}, "together the entries trust 0.0.0.0/0"),
    ({"trusted_proxies": "::/1,8000::/1"}, "together the entries trust ::/0"),
    ({"trusted_proxies": "::ffff:0:0/96"}, "::ffff:0:0/96"),
])
def test_weak_secrets_and_every_address_proxy_lists_refuse_to_start(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigurationError, match="refusing to start") as refused:
        load_settings(_env_file=None, auth_backend="trusted-header", **env)  # type: ignore[arg-type]
    assert fragment in str(refused.value)


def test_development_cors_origins_only_without_auth(make_settings: MakeSettings) -> None:
    assert set(DEFAULT_CORS_ORIGINS) <= set(make_settings().cors_origins)
    production = make_settings(auth_backend="trusted-header", auth_shared_secret=SECRET,
                               additional_cors_origins="https://app.example.org")
    assert production.cors_origins == ["https://app.example.org"]


def test_the_launcher_refuses_the_network_without_auth(make_settings: MakeSettings,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    for host in ("0.0.0.0", "::", "192.0.2.4"):
        with pytest.raises(ConfigurationError, match="PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE"):
            check_bind(host, make_settings())
    for host in ("127.0.0.1", "::1", "localhost"):
        check_bind(host, make_settings())
    check_bind("0.0.0.0", make_settings(allow_unauthenticated_remote=True))
    check_bind("0.0.0.0", make_settings(auth_backend="trusted-header", auth_shared_secret=SECRET))
    monkeypatch.delenv("PRIVSYN_AUTH_BACKEND", raising=False)
    monkeypatch.setenv("PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE", "false")
    get_settings.cache_clear()
    try:
        assert main(["--host", "0.0.0.0", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    assert "refusing to start" in capsys.readouterr().err
    assert "--no-proxy-headers" in uvicorn_flags()
