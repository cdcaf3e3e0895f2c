"""A stand-in for the SSO proxy in front of the service: a threaded HTTP proxy on 127.0.0.1 that forwards every
request to the backend with the signed-in user's identity headers and the proxy secret added (and any identity
headers the browser sent removed). The browser talks only to it, as it would in production; this also covers
requests Chromium makes outside the page (downloads), which Playwright's extra headers do not reach.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class SsoProxy:
    """Forward ``http://127.0.0.1:<port>`` to ``backend_url`` adding ``identity`` headers; stop with :meth:`stop`."""

    def __init__(self, backend_url: str, identity: dict[str, str]) -> None:
        backend = urlsplit(backend_url)
        injected = {name.lower(): value for name, value in identity.items()}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in _HOP_BY_HOP and k.lower() not in injected and k.lower() != "host"}
                connection = http.client.HTTPConnection(backend.hostname, backend.port, timeout=120)
                try:
                    connection.request(self.command, self.path, body=body or None, headers={**headers, **identity})
                    reply = connection.getresponse()
                    payload = reply.read()
                finally:
                    connection.close()
                try:
                    self.send_response(reply.status, reply.reason)
                    for name, value in reply.getheaders():
                        if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the browser gave up on this request (e.g. an aborted fetch)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="sso-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
