"""A curator on their own: a failed run explains itself and leads back to the review with every edit; each page
has an address (reload on a run shows it again, Back works); the runs history names the uploaded file.

The failure is a real one: the run's worker process is killed (as the out-of-memory killer would), and the
service notices its worker is gone.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Page, expect

from test.e2e.test_browser_app import (
    CONFIRM_TIMEOUT_MS,
    RUN_TIMEOUT_MS,
    _choose_run_settings,
    _review,
    _small_table,
    _step,
)

pytestmark = pytest.mark.e2e

RUN_PATH = re.compile(r"/runs/([0-9a-f]{32})$")


def _job_id(page: Page) -> str:
    expect(page).to_have_url(RUN_PATH, timeout=CONFIRM_TIMEOUT_MS)
    match = RUN_PATH.search(page.url)
    assert match is not None
    return match.group(1)


def _kill_worker(job_id: str) -> None:
    workers = [p for p in psutil.process_iter(["cmdline"])
               if "web_app.run_confirmed_job" in (p.info["cmdline"] or []) and job_id in " ".join(p.info["cmdline"])]
    assert workers, f"no worker process for job {job_id}"
    for worker in workers:
        worker.send_signal(signal.SIGKILL)


def test_a_failed_run_says_why_and_back_to_review_keeps_the_edits(page: Page) -> None:
    page.get_by_role("button", name="Use the Adult sample").click()
    _choose_run_settings(page, method="PrivSyn")
    page.locator("details", has_text="Advanced settings").locator("summary").click()
    page.get_by_label("Record-fitting rounds", exact=True).fill("10000")  # long enough to be killed while running
    _review(page)
    expect(page).to_have_url(re.compile(r"/previews/[0-9a-f]{32}/review$"))
    page.get_by_role("button", name="Declare all public").click()
    declared = page.get_by_text(re.compile(r"^15 of 15 columns declared public\.$"))
    expect(declared).to_be_visible()
    page.get_by_role("button", name="Start synthesis").click()
    _step(page, "3. Run")
    _kill_worker(_job_id(page))
    alert = page.get_by_role("alert").filter(has_text="The run failed.")
    expect(alert).to_be_visible(timeout=RUN_TIMEOUT_MS)
    text = alert.inner_text()
    assert "stopped unexpectedly" in text and "error code worker_died" in text
    assert "Traceback" not in text and not re.search(r"\b\w+Error\b", text)
    page.get_by_role("button", name="Back to review").click()
    _step(page, "2. Review schema")
    expect(page.get_by_text(re.compile(r"^15 of 15 columns declared public\.$"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="as you confirmed it")).to_be_visible()


def test_a_run_has_an_address_and_the_history_names_its_file(page: Page, tmp_path: Path) -> None:
    upload = tmp_path / "clinic visits.csv"
    _small_table(rows=300).to_csv(upload, index=False)
    page.get_by_label("CSV or ZIP file").set_input_files(upload)
    _choose_run_settings(page, method="MST")
    _review(page)
    page.get_by_role("button", name="Declare all public").click()  # 300 rows: too few to discover with DP
    page.get_by_role("button", name="Start synthesis").click()
    job_id = _job_id(page)
    expect(page.get_by_role("heading", name="4. Results")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    page.reload()
    expect(page.get_by_role("heading", name="4. Results")).to_be_visible()
    assert page.url.endswith(f"/runs/{job_id}")
    page.get_by_role("navigation").get_by_role("button", name="Runs").click()
    expect(page).to_have_url(re.compile(r"/runs$"))
    row = page.get_by_role("table", name="Runs").locator("tbody tr").first
    expect(row).to_contain_text("clinic visits")
    expect(row).to_contain_text("clinic visits.csv · 300 × 4")
    page.go_back()
    expect(page.get_by_role("heading", name="4. Results")).to_be_visible()
    assert page.url.endswith(f"/runs/{job_id}")
