"""The evaluation report end to end in Debian's Chromium: the Adult sample is run through the UI, the results page
shows the verdict and (after picking ``income``) the utility check, and the HTML report it links to opens with its
run card, privacy section and verdict visible (screenshot ``docs/ui/6-report.png`` when refreshing).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RUN_TIMEOUT_MS = 90_000
EVALUATION_TIMEOUT_MS = 60_000


def test_the_html_report_shows_run_card_privacy_and_verdict(page: Page, screenshots: Path) -> None:
    page.get_by_role("button", name="Use the Adult sample").click()
    page.get_by_role("radiogroup", name="Method").get_by_role("radio", name="PrivSyn").check()
    page.get_by_label("Epsilon (ε)").fill("1")
    page.get_by_label("Rows to generate").fill("400")
    page.get_by_role("button", name="Review schema").click()
    expect(page.get_by_role("heading", name="2. Review schema")).to_be_visible(timeout=EVALUATION_TIMEOUT_MS)
    page.get_by_role("button", name="Start synthesis").click()
    expect(page.get_by_role("heading", name="4. Results")).to_be_visible(timeout=RUN_TIMEOUT_MS)

    warnings = page.get_by_role("list", name="Warnings, worst first")
    expect(warnings).to_be_visible(timeout=EVALUATION_TIMEOUT_MS)
    expect(page.get_by_role("table", name="Run card")).to_contain_text("fresh entropy")
    page.get_by_label("Target column for the utility check").select_option("income")
    expect(page.get_by_role("heading", name="Utility: predicting income")).to_be_visible(timeout=EVALUATION_TIMEOUT_MS)
    expect(page.get_by_role("table", name="Utility")).to_contain_text("synthetic (TSTR)")

    href = page.get_by_role("link", name="Download HTML report").get_attribute("href")
    assert href and href.endswith("?target=income")
    report = page.context.new_page()
    response = report.goto(href)
    assert response is not None and response.ok and response.headers["content-type"].startswith("text/html")
    expect(report.get_by_role("heading", name="Run card")).to_be_visible()
    card = report.get_by_role("table", name="Run card")
    for text in ("adult", "400 rows", "privsyn", "fresh entropy"):
        expect(card).to_contain_text(text)
    expect(report.get_by_role("heading", name="Privacy", exact=True)).to_be_visible()
    expect(report.get_by_role("table", name="Ledger by stage")).to_be_visible()
    expect(report.get_by_role("table", name="Column provenance")).to_contain_text("age")
    expect(report.get_by_role("heading", name="Verdict")).to_be_visible()
    expect(report.locator("#verdict .big")).to_have_text(re.compile(r"^\d{1,3}\.\d %$"))
    expect(report.locator("#owner-only")).to_contain_text("owner only")
    expect(report.get_by_role("heading", name="Utility: predicting income")).to_be_visible()
    expect(report.get_by_role("heading", name="Disclosure checks (empirical, not a DP claim)")).to_be_visible()
    assert report.locator("svg").count() >= 2
    report.screenshot(path=str(screenshots / "6-report.png"), full_page=True)
