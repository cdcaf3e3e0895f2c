"""API figures: /healthz latency while an inline PrivSyn job runs, and the download time of its CSV.

    python -m bench.api

Starts a real ``uvicorn web_app.main:app`` on 127.0.0.1 (inline runner, a temporary state root), runs the
bundled Adult through preview → confirm (``wait=false``), measures 50 /healthz requests while the job runs,
then times the download of the 48,842-row CSV. Prints one JSON line; stops the server by PID.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.live_server import LiveServer, wait_for_job


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="privsyn-bench-api-") as tmp:
        server = LiveServer({"PRIVSYN_STATE_ROOT": f"{tmp}/state", "PRIVSYN_JOB_BACKEND": "inline"},
                            Path(tmp) / "uvicorn.log")
        try:
            with httpx.Client(base_url=server.url, timeout=120) as api:
                preview = api.post("/synthesize", data={"dataset_name": "adult"}).json()
                job = api.post("/confirm_synthesis", data={
                    "unique_id": preview["unique_id"], "epsilon": "1", "delta": "1e-9", "wait": "false",
                    "knobs": json.dumps({"update_iterations": 200}),
                    "confirmed_domain_data": json.dumps(preview["domain_data"]),
                    "confirmed_info_data": json.dumps(preview["info_data"])}).json()
                latencies, during = [], 0
                for _ in range(50):
                    started = time.perf_counter()
                    api.get("/healthz")
                    latencies.append((time.perf_counter() - started) * 1000)
                    during += api.get(job["status_url"]).json()["status"] == "running"
                    time.sleep(0.02)
                state = wait_for_job(api, job["job_id"])
                started = time.perf_counter()
                body = api.get(state["download_url"]).content
                download_s = time.perf_counter() - started
        finally:
            server.stop()
    figures = {
        "healthz_p50_ms": round(statistics.median(latencies), 1),
        "healthz_p99_ms": round(sorted(latencies)[int(0.99 * len(latencies)) - 1], 1),
        "healthz_max_ms": round(max(latencies), 1),
        "samples_while_running": during,
        "download_rows": body.count(b"\n") - 1,
        "download_mb": round(len(body) / 2**20, 2),
        "download_s": round(download_s, 3),
        "job_status": state["status"],
    }
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
