"""Waiting confirms hold no thread: with every job still queued, /healthz and /readyz answer at once
(issue #19, High 3: each default ``wait=true`` confirm held one of AnyIO's 40 threads for the whole job, so
60 of them blocked /healthz for ≥ 120 s)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import anyio.to_thread
import httpx

from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.metadata_records import JobState
from privsyn_platform.settings import load_settings
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from web_app.main import create_app

THREADS = 4  # AnyIO's pool, shrunk from 40 so that a handful of confirms would exhaust it
CONFIRMS = THREADS + 2


def test_waiting_confirms_do_not_starve_healthz_or_other_routes(tmp_path: Path) -> None:
    app = create_app(load_settings(state_root=tmp_path / "state"))
    services = app.state.services
    gate = threading.Event()
    services.runner._pool.submit(gate.wait)  # the inline runner is busy: every confirmed job stays queued

    async def scenario() -> dict[str, float]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            preview = (await client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM)).json()
            form = confirm_form(preview, n_sample="50")
            confirms = [asyncio.create_task(client.post("/confirm_synthesis", data=form)) for _ in range(CONFIRMS)]
            deadline = time.monotonic() + 30
            while len(services.store.list_jobs(SYSTEM_PRINCIPAL)) < CONFIRMS and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            latencies = {}
            for path in ("/healthz", "/readyz", "/jobs"):
                started = time.monotonic()
                try:
                    response = await asyncio.wait_for(client.get(path), 5)
                    assert response.status_code == 200, response.text
                    latencies[path] = time.monotonic() - started
                except TimeoutError:
                    latencies[path] = float("inf")
            for job in services.store.list_jobs(SYSTEM_PRINCIPAL):  # let the confirms end without running
                services.store.transition_job(job.id, SYSTEM_PRINCIPAL, JobState.CANCELLED)
            gate.set()
            replies = await asyncio.gather(*confirms)
            assert all(reply.status_code == 200 for reply in replies), [r.text for r in replies]
            latencies["jobs_created"] = len(services.store.list_jobs(SYSTEM_PRINCIPAL))
            return latencies

    try:
        latencies = asyncio.run(scenario())
    finally:
        gate.set()
        services.runner.shutdown()
        services.store.dispose()
    assert latencies["jobs_created"] == CONFIRMS, latencies
    assert max(latencies["/healthz"], latencies["/readyz"], latencies["/jobs"]) < 5, latencies
