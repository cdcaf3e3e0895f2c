"""Every step at phone width (390 × 844 CSS px): nothing makes the page scroll sideways (wide tables scroll
inside their own box), and a screenshot of each step goes to the screenshots directory (``docs/ui/phone-*``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from test.e2e.sso_proxy import SsoProxy
from test.e2e.test_browser_app import CONFIRM_TIMEOUT_MS, RUN_TIMEOUT_MS, _choose_run_settings, _review

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, app_server: SsoProxy) -> Page:
    context = browser.new_context(base_url=app_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/")
    return page


def _no_sideways_scroll(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
    overflow = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
            const box = e.getBoundingClientRect();
            const wrap = e.parentElement && e.parentElement.closest('.table-wrap, .chart-scroll, pre');
            return box.right > width + 1 && !wrap;
        });
        const name = e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right);
        return {scroll: document.documentElement.scrollWidth, width, culprits: wide.slice(0, 5).map(name)};
    }""")
    assert overflow["scroll"] <= overflow["width"], (name, overflow)


def test_every_step_fits_a_phone(phone: Page, screenshots: Path) -> None:
    page = phone
    expect(page.get_by_role("heading", name="1. Data")).to_be_visible()
    _no_sideways_scroll(page, screenshots, "1-data")
    page.get_by_role("button", name="Use the Adult sample").click()
    _choose_run_settings(page, method="MST")
    _review(page)
    _no_sideways_scroll(page, screenshots, "2-review")
    page.get_by_role("button", name="Start synthesis").click()
    expect(page.get_by_role("heading", name="3. Run")).to_be_visible(timeout=CONFIRM_TIMEOUT_MS)
    _no_sideways_scroll(page, screenshots, "3-run")
    expect(page.get_by_role("heading", name="4. Results")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _no_sideways_scroll(page, screenshots, "4-results")
    page.get_by_role("navigation").get_by_role("button", name="Runs").click()
    expect(page.get_by_role("table", name="Runs")).to_be_visible()
    _no_sideways_scroll(page, screenshots, "5-runs")
