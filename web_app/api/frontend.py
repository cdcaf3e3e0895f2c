"""Serving the built browser app (``frontend/dist``) at ``/`` next to the API.

Owns :class:`SpaStaticFiles`, :func:`mount_frontend` and :func:`root_reply` (``GET /``: the app to a browser,
JSON to any other client). Files under ``dist`` are served as they are; a
browser navigating to an app route that is not a file (``/runs`` after a reload) gets ``index.html``; every
other miss — an API client's unknown path, any non-GET request — raises the 404 that the app's error handler
turns into the JSON error envelope, or a 405 (with ``Allow``) when an API route has that path under other
methods (the mount at ``/`` would otherwise swallow Starlette's own 405).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
FRONTEND_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"


class SpaStaticFiles(StaticFiles):
    """StaticFiles whose misses are the envelope's 404, except a browser's page navigation (→ index.html)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        allowed = _methods_of_path(scope)
        if allowed and not (scope["method"] in ("GET", "HEAD") and _wants_html(scope)):
            raise HTTPException(status_code=405, detail=f"{scope['method']} is not allowed on {scope['path']}; "
                                f"allowed: {', '.join(sorted(allowed))}", headers={"Allow": ", ".join(sorted(allowed))})
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=404, detail=f"no route {scope['method']} {scope['path']}")
        try:
            return await super().get_response(path, scope)
        except HTTPException as e:
            if e.status_code == 404 and _wants_html(scope) and "." not in path.rsplit("/", 1)[-1]:
                return FileResponse(Path(str(self.directory)) / "index.html")
            raise HTTPException(status_code=404, detail=f"no route GET {scope['path']}") from e


def _methods_of_path(scope: Scope) -> set[str]:
    """The methods the app's routes (other than mounts) accept on this request's path; empty: no route has it."""
    app = scope.get("app")
    routes = [route for route in getattr(getattr(app, "router", None), "routes", ()) if not isinstance(route, Mount)]
    if not any(route.matches(scope)[0] is Match.PARTIAL for route in routes):
        return set()
    return {method for method in _METHODS
            if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)}


def _wants_html(scope: Scope) -> bool:
    accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
    return "text/html" in accept


def mount_frontend(app: FastAPI, dist: Path = FRONTEND_DIST) -> bool:
    """Serve ``dist`` at ``/`` when it holds a built app (``index.html``); mount after every API router.

    Returns:
        Whether the frontend was mounted.
    """
    if not (dist / "index.html").is_file():
        return False
    app.state.frontend_index = dist / "index.html"
    app.mount("/", SpaStaticFiles(directory=dist, html=True), name="frontend")
    return True


def root_reply(request: Request) -> Response | None:
    """``GET /`` for a browser (its ``Accept`` names ``text/html``) when the app is built: its ``index.html``;
    ``None`` for every other client (it gets JSON, as the predecessor's health check did)."""
    index: Path | None = getattr(request.app.state, "frontend_index", None)
    if index is None or not _wants_html(request.scope):
        return None
    return FileResponse(index)
