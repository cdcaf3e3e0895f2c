"""One error envelope for the whole API, mapped from each layer's error family in one place.

Every error reply is ``{"detail": {"error": code, "message": text, "hint"?: text}}`` with a 4xx status for
anything the caller can fix; an unexpected error is a 500 with a generic message (the traceback goes to
the log, never to the client). :func:`error_responses` documents a route's error statuses as that
envelope in OpenAPI (a route with parameters lists 422, so FastAPI adds no ``HTTPValidationError``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from method.api import BudgetExceededError, MethodError, UnknownMethodError
from method.api.errors import InvalidMetadataError, InvalidParameterError, InvalidPrivacySpecError
from privsyn_platform.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    SeedNotAllowedError,
    SubmissionError,
    UnavailableError,
)
from web_app.api.schemas import ErrorResponse
from web_app.ingestion.errors import DataError

log = logging.getLogger(__name__)

_METHOD_CODES: tuple[tuple[type[MethodError], str], ...] = (
    (InvalidPrivacySpecError, "invalid_privacy_parameters"),
    (UnknownMethodError, "unknown_method"),
    (InvalidParameterError, "invalid_parameter"),
    (InvalidMetadataError, "invalid_metadata"),
    (BudgetExceededError, "budget_exceeded"),
)
_PLATFORM_STATUS: tuple[tuple[type[PlatformError], int, str], ...] = (
    (NotFoundError, 404, "not_found"),
    (AuthenticationError, 401, "unauthenticated"),
    (PermissionDeniedError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (SeedNotAllowedError, 422, "seed_not_allowed"),
    (SubmissionError, 502, "submission_failed"),
    (UnavailableError, 503, "unavailable"),
    (ConfigurationError, 500, "configuration_error"),
)

ERROR_STATUSES: dict[int, str] = {
    400: "malformed_form, truncated_body, bad_content_length: the body is not a whole, readable form",
    403: "local_only: without authentication the service answers only on loopback",
    405: "method_not_allowed: the path exists, the method does not",
    408: "request_timeout: the request body stopped arriving",
    401: "unauthenticated: no identity came with the request, or the proxy's is not trusted",
    404: "not_found: an unknown or expired id, or another owner's (indistinguishable)",
    409: "conflict: an illegal state change",
    413: "request_too_large, form_too_large, file_too_large, uncompressed_too_large, too_many_rows: the "
         "request or the upload is over a limit",
    415: "unsupported_media_type: a form route got a body that is not a form",
    422: "the request is invalid; the code names the problem (invalid_privacy_parameters, "
         "invalid_parameter, invalid_metadata, malformed_json, invalid_request, …)",
    500: "internal_error: something went wrong on the service's side (the error was logged)",
    502: "submission_failed: the job backend could not be reached",
    503: "not_ready, unavailable: the metadata store or object storage is unreachable or read-only right now",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that fails with ``statuses``: each one our envelope.

    >>> error_responses(404)[404]["model"].__name__
    'ErrorResponse'
    """
    return {status: {"model": ErrorResponse, "description": ERROR_STATUSES[status]}
            for status in statuses}


def error_response(status: int, code: str, message: str, hint: str | None = None) -> JSONResponse:
    """The envelope ``{"detail": {"error", "message", "hint"?}}`` with HTTP ``status``."""
    body = {"error": code, "message": message, **({"hint": hint} if hint else {})}
    return JSONResponse(status_code=status, content={"detail": body})


def _method_error(_: Request, error: Exception) -> JSONResponse:
    code = next((c for cls, c in _METHOD_CODES if isinstance(error, cls)), "invalid_request")
    return error_response(422, code, str(error))


def _platform_error(_: Request, error: Exception) -> JSONResponse:
    status, code = next(((s, c) for cls, s, c in _PLATFORM_STATUS if isinstance(error, cls)), (500, "platform_error"))
    message = str(error) if status < 500 else "the service is misconfigured; see its log"
    if status == 503:
        message = "the service's storage is unavailable right now (read-only or unreachable); try again later"
    return error_response(status, code, message)


def _data_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DataError)
    return JSONResponse(status_code=error.status, content={"detail": error.to_detail()})


def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "form"))
        problems.append(f"{where}: {re.sub(r'^Value error, ', '', item.get('msg', 'invalid'))}")
    return error_response(422, "invalid_request", "; ".join(problems) or "invalid request")


def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error.detail, dict):
        response = JSONResponse(status_code=error.status_code, content={"detail": error.detail})
    else:
        code = {400: "malformed_form", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            error.status_code, "http_error")
        response = error_response(error.status_code, code, str(error.detail))
    response.headers.update(error.headers or {})
    return response


def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "something went wrong on our side; the error was logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MethodError, _method_error)
    app.add_exception_handler(PlatformError, _platform_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
