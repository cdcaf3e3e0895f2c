"""Browser fixtures: the real backend (uvicorn on 127.0.0.1, local runner, trusted-header auth) serving the built
frontend behind a stand-in SSO proxy (:mod:`test.e2e.sso_proxy`), and Debian's Chromium driven by Playwright.
Missing Chromium or a missing build FAILS the tests (run ``scripts/chromium.sh`` and ``scripts/frontend.sh``,
both called by ``scripts/test.sh``); nothing is skipped.

Screenshots go to ``$E2E_SCREENSHOTS_DIR`` (``docs/ui`` to refresh the committed ones) or to a temporary
directory, so a plain test run leaves the working tree clean.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bench.live_server import LiveServer
from test.e2e.identity import ROOT, SECRET, SUBJECT
from test.e2e.sso_proxy import SsoProxy

DIST = ROOT / "frontend" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoProxy]:
    """The API and the built UI on one origin, as ``scripts/run.sh`` serves them, behind the SSO proxy."""
    if not (DIST / "index.html").is_file():
        pytest.fail(f"{DIST}/index.html is missing: build the UI with scripts/frontend.sh", pytrace=False)
    base = tmp_path_factory.mktemp("e2e-server")
    environment = {
        "PRIVSYN_STATE_ROOT": str(base / "state"), "PRIVSYN_JOB_BACKEND": "local",
        "PRIVSYN_AUTH_BACKEND": "trusted-header", "PRIVSYN_AUTH_SHARED_SECRET": SECRET,
        "PRIVSYN_TRUSTED_PROXIES": "127.0.0.1",
    }
    server = LiveServer(environment, base / "uvicorn.log")
    proxy = SsoProxy(server.url, {"X-Privsyn-Subject": SUBJECT, "X-Privsyn-Proxy-Secret": SECRET})
    yield proxy
    proxy.stop()
    server.stop()


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/chromium.sh (apt-get install chromium)", pytrace=False)
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser: Browser, app_server: SsoProxy) -> Iterator[BrowserContext]:
    """A fresh browser profile talking to the service through the SSO proxy."""
    ctx = browser.new_context(base_url=app_server.url, viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.goto("/")
    return page


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("E2E_SCREENSHOTS_DIR")
    directory = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory
