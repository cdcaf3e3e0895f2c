"""Who is calling: the pure identity rules, independent of any web framework.

Owns :class:`Principal` and :func:`principal_from_headers`. ``web_app/auth.py`` wraps the latter in a
FastAPI dependency; the worker uses :data:`SYSTEM_PRINCIPAL`. Two backends (``PRIVSYN_AUTH_BACKEND``):

* ``none``: every request is :data:`LOCAL_PRINCIPAL` (a laptop install, one user).
* ``trusted-header``: an SSO proxy in front of the service sets ``X-Privsyn-Subject`` (required) and
  optionally ``X-Privsyn-Email``, ``X-Privsyn-Name`` and ``X-Privsyn-Admin``. The headers are believed
  only when the request comes from a configured proxy address (``PRIVSYN_TRUSTED_PROXIES``) and/or
  carries the shared secret (``PRIVSYN_AUTH_SHARED_SECRET`` in ``PRIVSYN_AUTH_SECRET_HEADER``, compared
  in constant time); when both are configured, both must hold. Anything else is an
  :class:`~privsyn_platform.errors.AuthenticationError` (HTTP 401).

Two rules close the ways around this. The proxy address is the TCP peer: when the peer the server reports
is one of the addresses in the request's own ``X-Forwarded-For`` (what ``uvicorn --proxy-headers`` does to
``client.host``), it came from a header anyone can send, and the request is refused. An identity header, or
the secret header, sent more than once is refused too (no first-wins or last-wins to disagree about).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from privsyn_platform.errors import AuthenticationError, ConfigurationError
from privsyn_platform.settings import Settings

SUBJECT_HEADER = "x-privsyn-subject"
EMAIL_HEADER = "x-privsyn-email"
NAME_HEADER = "x-privsyn-name"
ADMIN_HEADER = "x-privsyn-admin"
IDENTITY_HEADERS = frozenset({SUBJECT_HEADER, EMAIL_HEADER, NAME_HEADER, ADMIN_HEADER})
FORWARDED_FOR_HEADER = "x-forwarded-for"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})
MAX_SUBJECT_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``subject`` is the owner written on every row the caller creates."""

    subject: str
    email: str | None = None
    name: str | None = None
    is_admin: bool = False

    def __post_init__(self) -> None:
        if not self.subject or not self.subject.strip():
            raise ValueError("Principal.subject must be a non-empty string")


#: The single user of an ``auth_backend=none`` install.
LOCAL_PRINCIPAL = Principal(subject="local", name="Local user")
#: The identity of workers and maintenance tasks: sees every row.
SYSTEM_PRINCIPAL = Principal(subject="system", name="PrivSyn worker", is_admin=True)


def principal_from_headers(
    headers: Mapping[str, str], client_host: str | None, settings: Settings,
) -> Principal:
    """Decide who sent a request.

    Args:
        headers: The request headers (any case; a Starlette ``Headers`` or a plain dict).
        client_host: The peer address of the TCP connection (the proxy, when there is one).
        settings: Supplies ``auth_backend``, ``trusted_proxies``, ``auth_shared_secret`` and
            ``auth_secret_header``.

    Returns:
        The caller.

    Raises:
        AuthenticationError: The headers are not trusted or the subject is missing or malformed.
        ConfigurationError: ``settings.auth_backend`` is unknown.

    >>> from privsyn_platform.settings import Settings
    >>> principal_from_headers({}, "203.0.113.9", Settings(_env_file=None)).subject
    'local'
    """
    if settings.auth_backend == "none":
        return LOCAL_PRINCIPAL
    if settings.auth_backend != "trusted-header":
        raise ConfigurationError(
            f"unknown auth backend {settings.auth_backend!r}; valid: none, trusted-header")
    lowered, forwarded = _single_valued(headers, settings.auth_secret_header.lower())
    _check_trust(lowered, client_host, forwarded, settings)
    return _principal_from_identity_headers(lowered)


def _single_valued(headers: Mapping[str, str], secret_header: str) -> tuple[dict[str, str], list[str]]:
    """The headers by lower-case name, refusing a repeated identity or secret header; and every
    X-Forwarded-For value (a Starlette ``Headers``' ``items()`` lists repeated headers, a dict cannot)."""
    lowered: dict[str, str] = {}
    forwarded: list[str] = []
    for key, value in headers.items():
        name = key.lower()
        if name == FORWARDED_FOR_HEADER:
            forwarded.append(value)
        if name in lowered and (name in IDENTITY_HEADERS or name == secret_header):
            raise AuthenticationError(f"header {key} was sent more than once; the proxy must send it once, "
                                      "replacing any value the client sent")
        lowered[name] = value
    return lowered, forwarded


def _check_trust(headers: Mapping[str, str], client_host: str | None, forwarded: list[str],
                 settings: Settings) -> None:
    if settings.trusted_proxies and client_host in forwarded_hosts(forwarded):
        raise AuthenticationError(
            f"the peer address {client_host!r} was taken from X-Forwarded-For, not from the connection: "
            "run uvicorn with --no-proxy-headers (python -m web_app.serve does; see docs/deployment.md)")
    if settings.trusted_proxies and not is_trusted_proxy(client_host, settings.trusted_proxies):
        raise AuthenticationError(
            f"identity headers are accepted only from the trusted proxy; request came from {client_host!r}")
    if settings.auth_shared_secret is not None:
        sent = headers.get(settings.auth_secret_header.lower(), "")
        expected = settings.auth_shared_secret.get_secret_value()
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise AuthenticationError(
                f"missing or wrong proxy secret in header {settings.auth_secret_header}")
    if not settings.trusted_proxies and settings.auth_shared_secret is None:
        # Settings refuses this combination; a hand-built object must not trust everyone either.
        raise ConfigurationError("trusted-header auth needs PRIVSYN_TRUSTED_PROXIES and/or "
                                 "PRIVSYN_AUTH_SHARED_SECRET")


def forwarded_hosts(values: list[str]) -> set[str]:
    """The hosts named in X-Forwarded-For values, as uvicorn reads them (port and IPv6 brackets dropped).

    >>> sorted(forwarded_hosts(["198.51.100.7, 10.9.9.9:443", "[2001:db8::1]:80"]))
    ['10.9.9.9', '198.51.100.7', '2001:db8::1']
    """
    hosts = set()
    for item in (part.strip() for value in values for part in value.split(",")):
        if item.startswith("[") and "]" in item:
            item = item[1:item.index("]")]
        elif item.count(":") == 1:
            item = item.split(":", 1)[0]
        if item:
            hosts.add(item)
    return hosts


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address, IPv4-mapped ones included (a name is not an address: False).

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("::ffff:127.0.0.1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    >>> is_loopback("testserver")
    False
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def is_trusted_proxy(client_host: str | None, trusted_proxies: list[str]) -> bool:
    """Whether a peer address lies in one of the trusted networks.

    Args:
        client_host: The peer address, or None when unknown (never trusted).
        trusted_proxies: Addresses or CIDRs, as in ``Settings.trusted_proxies``.

    Returns:
        True when the address parses and is inside one of the networks.

    >>> is_trusted_proxy("10.1.2.3", ["10.0.0.0/8"]), is_trusted_proxy("11.0.0.1", ["10.0.0.0/8"])
    (True, False)
    >>> is_trusted_proxy("testclient", ["127.0.0.1"])
    False
    """
    if not client_host:
        return False
    try:
        address = ipaddress.ip_address(client_host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies)


def _principal_from_identity_headers(headers: Mapping[str, str]) -> Principal:
    subject = headers.get(SUBJECT_HEADER, "").strip()
    if not subject:
        raise AuthenticationError("missing identity: the proxy did not send X-Privsyn-Subject")
    if len(subject) > MAX_SUBJECT_LENGTH or not subject.isprintable():
        raise AuthenticationError(
            f"X-Privsyn-Subject must be printable and at most {MAX_SUBJECT_LENGTH} characters")
    return Principal(
        subject=subject,
        email=headers.get(EMAIL_HEADER, "").strip() or None,
        name=headers.get(NAME_HEADER, "").strip() or None,
        is_admin=parse_admin_flag(headers.get(ADMIN_HEADER, "")),
    )


def parse_admin_flag(value: str) -> bool:
    """Read the ``X-Privsyn-Admin`` header.

    Args:
        value: The header value; absent is the empty string.

    Returns:
        True for ``1``/``true``/``yes``/``on``; False for ``0``/``false``/``no``/``off`` or empty.

    Raises:
        AuthenticationError: Any other value (a misconfigured proxy should not guess privileges).

    >>> parse_admin_flag("TRUE"), parse_admin_flag(""), parse_admin_flag("0")
    (True, False, False)
    """
    flag = value.strip().lower()
    if flag in _TRUE:
        return True
    if flag in _FALSE:
        return False
    raise AuthenticationError(
        f"X-Privsyn-Admin={value!r} is not a boolean; valid: {', '.join(sorted(_TRUE | (_FALSE - {''})))}")
