"""The request edge: what every request passes before a route sees it, and how the form routes read a form.

:class:`RequestEdge` (pure ASGI, installed by ``create_app`` inside CORS) does four things:

* **Body cap while streaming.** A declared ``Content-Length`` over the cap is refused (413,
  ``request_too_large``) before a byte is read; a chunked body is counted as it arrives and refused the
  moment it passes the cap, so nothing past the cap is spooled to disk or memory.
* **Body timeout.** Each chunk of a body must arrive within ``PRIVSYN_BODY_TIMEOUT_SECONDS`` of the previous
  one (408, ``request_timeout``): a client trickling a body cannot hold a request open for ever.
* **Local only without auth.** With ``PRIVSYN_AUTH_BACKEND=none`` (every caller is the one local user) a
  request that reached the server on a non-loopback address is refused (403, ``local_only``) unless
  ``PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE=true``; ``python -m web_app.serve`` refuses to start that way too.
* **Security headers** on every response: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: no-referrer`` and a ``Content-Security-Policy`` (same-origin scripts for HTML pages,
  ``default-src 'none'`` plus ``sandbox`` for every other typed body: JSON, CSV downloads; none on a 304).

:func:`read_form` is how ``/synthesize`` and ``/confirm_synthesis`` read their forms: only form media
types (415 otherwise; an empty body with no type is the legacy "all defaults" request), at most
:data:`MAX_FORM_FIELDS` fields and one file part, text fields summing to ``PRIVSYN_MAX_FORM_BYTES``, a
multipart body that really ends with its closing boundary (a truncated upload is a 400, never "no file"),
and no file part under a field that takes no file (422).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from privsyn_platform.auth import is_loopback
from web_app.ingestion.errors import DataError

BODY_KEY = "privsyn.body"
MAX_FORM_FIELDS = 100
#: Room for multipart boundaries and part headers on top of the upload and the text fields.
FORM_OVERHEAD_BYTES = 64 * 1024
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_TAIL_BYTES = 1024
_OWN_DOCS = ("/docs", "/redoc")  # FastAPI's API explorer pages load their scripts from a CDN
HTML_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
_COMMON_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                   (b"referrer-policy", b"no-referrer")]


@dataclass(slots=True)
class BodySeen:
    """What :class:`RequestEdge` saw of a request body: bytes so far, the last KiB, and whether it ended."""

    received: int = 0
    tail: bytes = b""
    complete: bool = False


class RequestError(DataError, HTTPException):
    """A request refused at the edge; the app's DataError handler answers it in the envelope. It is an
    HTTPException too, so FastAPI's own body parsing (``Form()`` routes) lets it through unchanged."""

    def __init__(self, code: str, message: str, *, status: int) -> None:
        DataError.__init__(self, code, message, status=status)
        self.status_code, self.detail, self.headers = status, message, None


def _envelope(status: int, code: str, message: str) -> RequestError:
    return RequestError(code, message, status=status)


def _too_large(limit: int) -> RequestError:
    return _envelope(413, "request_too_large", f"the request body is larger than the limit of {limit / 2**20:.1f} MB "
                     "(PRIVSYN_MAX_UPLOAD_BYTES plus PRIVSYN_MAX_FORM_BYTES)")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class RequestEdge:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, body_timeout_s: float, local_only: bool) -> None:
        self.app, self.max_body_bytes, self.body_timeout_s, self.local_only = (
            app, max_body_bytes, body_timeout_s, local_only)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_security_headers(scope, send)
        refusal = self._refusal(scope)
        if refusal is not None:
            await _send_error(send, refusal)
            return
        seen = scope[BODY_KEY] = BodySeen()

        async def limited_receive() -> Message:
            if seen.complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=self.body_timeout_s)
            except TimeoutError:
                raise _envelope(408, "request_timeout", f"no part of the request body arrived for "
                                f"{self.body_timeout_s:g} s (PRIVSYN_BODY_TIMEOUT_SECONDS)") from None
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen.received += len(chunk)
                if seen.received > self.max_body_bytes:
                    raise _too_large(self.max_body_bytes)
                seen.tail = (seen.tail + chunk)[-_TAIL_BYTES:]
                seen.complete = not message.get("more_body", False)
            return message

        await self.app(scope, limited_receive, send)

    def _refusal(self, scope: Scope) -> RequestError | None:
        server = scope.get("server")
        if self.local_only and server and _is_address(str(server[0])) and not is_loopback(str(server[0])):
            return _envelope(403, "local_only", "this service has no authentication (PRIVSYN_AUTH_BACKEND=none) "
                             "and answers only on a loopback address; configure trusted-header auth, or set "
                             "PRIVSYN_ALLOW_UNAUTHENTICATED_REMOTE=true behind your own access control")
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return _envelope(400, "bad_content_length", "Content-Length must be a whole number of bytes")
            if int(declared) > self.max_body_bytes:
                return _too_large(self.max_body_bytes)
        return None

    @staticmethod
    def _with_security_headers(scope: Scope, send: Send) -> Send:
        own_docs = str(scope.get("path", "")).startswith(_OWN_DOCS)

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = [(k, v) for k, v in _COMMON_HEADERS if k not in names]
                # No body type (a 304 revalidating a cached page, a 204): no policy, or the browser would
                # replace the cached page's policy with the sandbox one.
                if content_type and not own_docs and b"content-security-policy" not in names:
                    policy = HTML_POLICY if content_type.startswith(b"text/html") else OTHER_POLICY
                    extra.append((b"content-security-policy", policy.encode()))
                message = {**message, "headers": headers + extra}
            await send(message)

        return wrapped


async def _send_error(send: Send, error: RequestError) -> None:
    body = json.dumps({"detail": error.to_detail()}).encode()
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def read_form(request: Request, *, max_form_bytes: int, file_fields: tuple[str, ...] = ()) -> FormData:
    """The request's form, read under the limits of the module docstring.

    Raises:
        RequestError: 415 ``unsupported_media_type``, 400 ``truncated_body`` or ``malformed_form`` (too
            many fields or files, or a body the multipart parser rejects), 413 ``form_too_large``,
            422 ``unexpected_file``.
    """
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in FORM_TYPES:
        if not content_type and not await request.body():
            return FormData()
        raise _envelope(415, "unsupported_media_type", f"send the form as {' or '.join(FORM_TYPES)}, not "
                        f"{media or 'a body without a Content-Type'}")
    try:
        # One file is parsed even where none is taken, so a stray one gets the clear 422 below.
        form = await request.form(max_files=max(1, len(file_fields)), max_fields=MAX_FORM_FIELDS,
                                  max_part_size=max_form_bytes)
    except RequestError:  # from the body stream: over the cap, or too slow
        raise
    except HTTPException as error:  # Starlette's form parser: too many fields or files, a part too large
        if "maximum size" in str(error.detail):
            raise _form_too_large(max_form_bytes) from None
        raise _envelope(400, "malformed_form", f"{error.detail} (at most {MAX_FORM_FIELDS} fields and "
                        f"{max(1, len(file_fields))} file)") from None
    seen: BodySeen | None = request.scope.get(BODY_KEY)
    if media == "multipart/form-data" and seen is not None and not _closed(seen, content_type):
        raise _envelope(400, "truncated_body", "the multipart body ended before its closing boundary: the upload "
                        "was cut off (or Content-Length was too short); nothing was read from it")
    text_bytes = 0
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name not in file_fields:
                where = f"send the table as {' or '.join(file_fields)}" if file_fields else "this form takes no file"
                raise _envelope(422, "unexpected_file", f"field {name!r} takes no file; {where}")
        elif name in file_fields and value.strip():
            raise _envelope(422, "unexpected_file", f"field {name!r} must be a file part (multipart/form-data "
                            "with a filename), not text")
        else:
            text_bytes += len(value.encode())
    if text_bytes > max_form_bytes:
        raise _form_too_large(max_form_bytes)
    return form


def _form_too_large(limit: int) -> RequestError:
    return _envelope(413, "form_too_large", f"the form's text fields are larger than the limit of "
                     f"{limit / 2**20:.2f} MB (PRIVSYN_MAX_FORM_BYTES)")


def _closed(seen: BodySeen, content_type: str) -> bool:
    boundary = next((part.split("=", 1)[1].strip().strip('"') for part in content_type.split(";")[1:]
                     if part.strip().lower().startswith("boundary=")), "")
    return bool(boundary) and seen.complete and f"--{boundary}--".encode() in seen.tail
