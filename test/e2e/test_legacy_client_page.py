"""A minimal client page that sends exactly what the predecessor's UI sends for its binning edits — the PrivTree
choice, an emptied bin count with a bin width, a growth rate — driven in Chromium against the real backend
(uvicorn, inline runner); the run's job and request bundle show the binning each edit asked for (issue #20).

The page (``legacy_client.html``) is served by Playwright at a path of the API's own origin, as the API would
serve a built client; its requests go to the real server.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Browser, Page

from bench.live_server import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PAGE = Path(__file__).with_name("legacy_client.html")
EDITS = {
    "income": {"method": "dp_privtree", "dp_budget_fraction": 0.1},  # "Differentially private (PrivTree)"
    "age": {"bin_count": "", "bin_width": "6"},  # "Desired number of bins" emptied, "Approximate bin width" 6
    "hours": {"method": "exponential", "bin_count": "8", "growth_rate": "1.5"},  # "Growth rate (optional)"
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    base = tmp_path_factory.mktemp("legacy-server")
    environment = {"PRIVSYN_STATE_ROOT": str(base / "state"), "PRIVSYN_JOB_BACKEND": "inline",
                   "PRIVSYN_AUTH_BACKEND": "none"}
    live = LiveServer(environment, base / "uvicorn.log")
    yield live, base / "state"
    live.stop()


@pytest.fixture
def legacy_page(browser: Browser, server: tuple[LiveServer, Path]) -> Iterator[Page]:
    context = browser.new_context(base_url=server[0].url)
    context.set_default_timeout(60_000)
    context.route("**/legacy-client.html", lambda route: route.fulfill(  # type: ignore[arg-type]
        status=200, content_type="text/html", body=PAGE.read_text()))
    page = context.new_page()
    page.goto("/legacy-client.html")
    yield page
    context.close()


def _table(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    rows = 600
    frame = pd.DataFrame({"age": rng.integers(18, 91, rows), "income": rng.exponential(2000, rows).round(2),
                          "hours": rng.integers(1, 100, rows), "team": rng.choice(["a", "b", "c"], rows)})
    path = tmp_path / "legacy.csv"
    frame.to_csv(path, index=False)
    return path


def _edges(state: Path, job_id: str) -> dict[str, Any]:
    bundle = json.loads(next(state.rglob(f"jobs/{job_id}/job_request.json")).read_text())
    text = json.dumps(bundle)
    assert '"edges"' in text
    columns = {}
    for spec in _find_specs(bundle):
        columns[spec["name"]] = spec
    return columns


def _find_specs(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "name" in node and "binning" in node:
            yield node
        for value in node.values():
            yield from _find_specs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _find_specs(value)


def test_the_predecessors_binning_edits_are_what_the_run_uses(legacy_page: Page, server: tuple[LiveServer, Path],
                                                             tmp_path: Path) -> None:
    live, state = server
    legacy_page.evaluate(f"window.EDITS = {json.dumps(EDITS)}")
    legacy_page.set_input_files("#data_file", str(_table(tmp_path)))
    legacy_page.click("#run")
    legacy_page.wait_for_function("window.__legacy !== undefined", timeout=120_000)
    result = legacy_page.evaluate("window.__legacy")
    assert "error" not in result, result
    sent = result["sent"]  # exactly the UI's shapes
    assert sent["age"]["binning"] == {"method": "uniform", "bin_count": None, "bin_width": 6, "growth_rate": None,
                                      "dp_budget_fraction": 0.05}
    assert sent["income"]["binning"]["method"] == "dp_privtree"
    assert result["confirmStatus"] == 200, result["confirm"]
    assert result["confirm"]["message"].startswith("Data synthesis initiated successfully!")
    assert result["evaluateStatus"] == 200
    assert len(pd.read_csv(io.StringIO(result["csv"]))) == 200

    with live.client() as client:
        job = client.get(f"/jobs/{result['confirm']['session_id']}").json()
    binning = {d["column"]: d["value"] for d in job["privacy_report"]["decisions"] if d["decision"] == "binning"}
    declared = set(job["privacy_report"]["declared_columns"])
    assert declared == {"income", "age", "hours"}  # the edits declared their columns; team was left to DP
    assert binning["income"]["method"] == "privtree" and "preprocess:binning" in job["privacy_report"]["spent_by_stage"]
    age = result["preview"]["domain_data"]["age"]["bounds"]
    assert binning["age"] == {"method": "uniform", "bins": math.ceil((age["max"] - age["min"]) / 6)}
    assert binning["hours"]["method"] == "explicit"
    specs = _edges(state, job["job_id"])
    widths = np.diff(specs["hours"]["edges"])
    assert len(widths) == binning["hours"]["bins"] and widths[-1] > 4 * widths[0]  # growing by 1.5 per bin
