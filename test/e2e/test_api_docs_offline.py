"""The API docs pages render on a machine with no network: every asset comes from the app itself.

The browser context aborts every request that leaves the test's own servers (a CDN script would be one), and
records what the page needed from outside, so a page that still points at a CDN fails twice: blank, and with
the blocked address listed. (ReDoc's "powered by" footer links a decorative logo image on its vendor's CDN; an
aborted image is not a broken page, so images are blocked but not counted.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route

pytestmark = pytest.mark.e2e

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture
def offline_page(context: BrowserContext) -> tuple[Page, list[str]]:
    blocked: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            if route.request.resource_type != "image":
                blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    return context.new_page(), blocked


def test_swagger_ui_renders_offline_with_the_synthesize_form_fields(offline_page: tuple[Page, list[str]]) -> None:
    page, blocked = offline_page
    page.goto("/docs")
    operation = page.locator("#operations-synthesis-synthesis-preview")
    operation.locator(".opblock-summary").click()
    body = operation.locator(".opblock-body")
    for field in ("method", "epsilon", "delta", "dataset_name"):
        assert body.get_by_text(field, exact=True).first.is_visible(), field
    assert blocked == []


def test_redoc_renders_offline(offline_page: tuple[Page, list[str]]) -> None:
    page, blocked = offline_page
    page.goto("/redoc")
    page.get_by_text("PrivSyn service").first.wait_for()
    page.get_by_text("confirm_synthesis").first.wait_for()
    assert blocked == []
