"""Acceptance 4 of issue #19: the server runs as PID 1 (as in the container), is killed mid-job and restarted
as PID 1 again; the orphaned job fails ``worker_lost`` within the lease time instead of staying ``running``
forever (orphan detection used to compare PIDs, and PID 1 is PID 1 again after the restart)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bench.live_server import LiveServer
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form

PID_NAMESPACE = ("unshare", "--pid", "--fork", "--mount-proc")
LEASE_S, UPKEEP_S = 2, 1


@pytest.fixture
def pid_namespace() -> tuple[str, ...]:
    if shutil.which("unshare") is None:
        pytest.fail("needs util-linux unshare", pytrace=False)
    probe = subprocess.run([*PID_NAMESPACE, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.fail(f"cannot create a PID namespace here: {probe.stderr.decode()}", pytrace=False)
    return PID_NAMESPACE


def _namespace_pids(server: LiveServer) -> list[str]:
    """The PIDs of the server (unshare's child) as its own namespace sees them."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    return [line.split()[-1] for line in status.splitlines() if line.startswith("NSpid:")]


def _kill(server: LiveServer) -> None:
    os.killpg(server.process.pid, signal.SIGKILL)  # PID 1 of the namespace dies, and with it every thread
    server.process.wait(timeout=10)
    server.stop()


def test_an_orphaned_job_fails_worker_lost_within_the_lease_after_a_restart_as_pid_1(
        pid_namespace: tuple[str, ...], tmp_path: Path) -> None:
    environment = {"PRIVSYN_STATE_ROOT": str(tmp_path / "state"), "PRIVSYN_JOB_BACKEND": "inline",
                   "PRIVSYN_JOB_LEASE_S": str(LEASE_S), "PRIVSYN_UPKEEP_INTERVAL_S": str(UPKEEP_S)}
    first = LiveServer(environment, tmp_path / "first.log", prefix=pid_namespace)
    try:
        with first.client() as client:
            preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
            form = confirm_form(preview, wait="false", update_iterations="5000", n_sample="50")
            job = client.post("/confirm_synthesis", data=form).json()
            assert "status_url" in job, job
            deadline = time.monotonic() + 60
            while client.get(job["status_url"]).json()["status"] != "running":
                assert time.monotonic() < deadline, client.get(job["status_url"]).json()
                time.sleep(0.1)
            assert _namespace_pids(first) == ["1"]  # the server is PID 1 in its namespace
        _kill(first)
    finally:
        first.stop()
    second = LiveServer(environment, tmp_path / "second.log", prefix=pid_namespace, port=first.port)
    try:
        restarted = time.monotonic()
        with second.client() as client:
            while (record := client.get(job["status_url"]).json())["status"] == "running":
                assert time.monotonic() - restarted < 30, record
                time.sleep(0.2)
            waited = time.monotonic() - restarted
        assert record["status"] == "failed" and record["error"]["code"] == "worker_lost", record
        assert waited < LEASE_S + UPKEEP_S + 2, waited
    finally:
        second.stop()
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Traceback" not in logs, logs[-3000:]
