"""``python -m web_app.serve``: the service under uvicorn with the flags it must run with.

What the Docker image and ``scripts/run.sh`` start. It refuses to start (exit 2, one line naming the
setting) when ``PRIVSYN_AUTH_BACKEND=none`` and the bind address is not loopback, unless
``PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE=true``: without auth every caller owns every preview and job.
Then it runs uvicorn with :data:`UVICORN_OPTIONS`, whose CLI spelling :func:`uvicorn_flags` gives for a
deployment that starts ``uvicorn`` itself (docs/deployment.md):

* ``proxy_headers=False`` (``--no-proxy-headers``): ``request.client`` stays the TCP peer, which is what
  ``PRIVSYN_TRUSTED_PROXIES`` is compared with. uvicorn's default rewrites it from ``X-Forwarded-For``, a
  header any caller can send.
* ``h11_max_incomplete_event_size`` (``--h11-max-incomplete-event-size 65536``): the request line plus
  headers are at most 64 KiB (the pure-Python h11 parser is the one installed).
* ``timeout_keep_alive=5``: an idle kept-alive connection is closed after 5 s.
* ``server_header=False``: no ``server: uvicorn`` banner.

Request bodies are capped and timed by the app itself (``web_app.api.edge``). uvicorn has no timeout for
a request's headers: the proxy in front must set one (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import uvicorn

from privsyn_platform.auth import is_loopback
from privsyn_platform.errors import ConfigurationError
from privsyn_platform.settings import Settings, get_settings

APP = "web_app.main:app"
MAX_HEADER_BYTES = 64 * 1024
UVICORN_OPTIONS: dict[str, Any] = {
    "proxy_headers": False, "h11_max_incomplete_event_size": MAX_HEADER_BYTES, "timeout_keep_alive": 5,
    "server_header": False,
}


def uvicorn_flags() -> list[str]:
    """:data:`UVICORN_OPTIONS` as ``uvicorn`` command-line flags.

    >>> " ".join(uvicorn_flags())
    '--no-proxy-headers --h11-max-incomplete-event-size 65536 --timeout-keep-alive 5 --no-server-header'
    """
    flags = []
    for name, value in UVICORN_OPTIONS.items():
        flag = "--" + name.replace("_", "-")
        flags += ([flag] if value else ["--no-" + flag[2:]]) if isinstance(value, bool) else [flag, str(value)]
    return flags


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to serve a non-loopback address without authentication unless explicitly allowed.

    Raises:
        ConfigurationError: ``auth_backend=none`` on a non-loopback ``host``.

    >>> check_bind("127.0.0.1", Settings(_env_file=None))
    >>> check_bind("0.0.0.0", Settings(_env_file=None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    privsyn_platform.errors.ConfigurationError: refusing to start: PRIVSYN_AUTH_BACKEND=none on 0.0.0.0 ...
    """
    if settings.auth_backend == "none" and not settings.allow_unauthenticated_remote and not is_loopback(host) \
            and host != "localhost":
        raise ConfigurationError(
            f"refusing to start: PRIVSYN_AUTH_BACKEND=none on {host} would make anyone who reaches the port "
            "the owner of every preview and job; set PRIVSYN_AUTH_BACKEND=trusted-header (docs/deployment.md), "
            "bind 127.0.0.1, or set PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE=true behind your own access control")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web_app.serve", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        check_bind(args.host, get_settings())
    except ConfigurationError as error:
        sys.stderr.write(f"privsyn: {error}\n")
        return 2
    uvicorn.run(APP, host=args.host, port=args.port, **UVICORN_OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
