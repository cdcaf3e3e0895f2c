"""Fixtures of the remote backends: the one-node Slurm cluster (scripts/slurm.sh), a confirmed job flow.

``slurm_cluster`` starts a private cluster once per session on free ports under a fresh state directory
and stops it by PID at the end. When it cannot start, every test that needs it fails with the script's
output: nothing is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.live_server import free_port
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form

ROOT = Path(__file__).resolve().parents[2]
SLURM_SCRIPT = ROOT / "scripts" / "slurm.sh"


@dataclass(frozen=True)
class SlurmCluster:
    conf: str
    partition: str
    env: dict[str, str]

    def scontrol_state(self, remote_id: str) -> str:
        out = subprocess.run(["scontrol", "show", "job", "-o", remote_id], env=self.env, capture_output=True,
                             text=True, timeout=30, check=True).stdout
        return out.split("JobState=", 1)[1].split()[0]


TIME_LIMIT_TEST = "test_a_job_over_its_time_limit_fails_with_timeout"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slurm tests first among the remote tests, the time-limit test last in the session: its job's
    1-minute limit (Slurm's smallest) then elapses while everything else runs."""
    remote = [i for i, item in enumerate(items) if Path(str(item.fspath)).parent == Path(__file__).parent]
    if not remote:
        return
    block = [items[i] for i in remote]
    slow = [item for item in block if item.name == TIME_LIMIT_TEST]
    slurm = [item for item in block if item.get_closest_marker("slurm") and item not in slow]
    others = [item for item in block if item not in slurm and item not in slow]
    members = set(block)
    rest = [item for item in items if item not in members]
    items[:] = rest[:remote[0]] + slurm + others + rest[remote[0]:] + slow



@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[SlurmCluster]:
    base = tempfile.mkdtemp(prefix="privsyn-slurm-", dir="/tmp")
    env = {**os.environ, "PRIVSYN_SLURM_STATE_DIR": base, "PRIVSYN_SLURMCTLD_PORT": str(free_port()),
           "PRIVSYN_SLURMD_PORT": str(free_port())}
    result = subprocess.run([str(SLURM_SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    try:
        if result.returncode != 0:
            pytest.fail(f"scripts/slurm.sh start failed (exit {result.returncode}):\n{result.stdout}\n"
                        f"{result.stderr}", pytrace=False)
        values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        conf = values["PRIVSYN_SLURM__CONF"]
        yield SlurmCluster(conf, values["PRIVSYN_SLURM__PARTITION"], {**os.environ, "SLURM_CONF": conf})
    finally:
        subprocess.run([str(SLURM_SCRIPT), "stop"], env=env, capture_output=True, timeout=60, check=False)
        shutil.rmtree(base, ignore_errors=True)


def slurm_settings(cluster: SlurmCluster, state_root: Path, **overrides: str) -> dict[str, str]:
    """The API's environment for the Slurm backend on the test cluster (sqlite + local storage)."""
    return {"PRIVSYN_STATE_ROOT": str(state_root), "PRIVSYN_JOB_BACKEND": "slurm",
            "PRIVSYN_SLURM__PARTITION": cluster.partition, "PRIVSYN_SLURM__CONF": cluster.conf,
            "PRIVSYN_SLURM__PYTHON": sys.executable, "PRIVSYN_JOB_CPUS": "1", "PRIVSYN_JOB_MEM_GB": "1",
            **overrides}


def wrapper_python(path: Path, body: str) -> str:
    """A stand-in interpreter for the worker: runs ``body`` (sh) first, e.g. a delay or a crash."""
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def confirm(client: Any, **overrides: str) -> dict[str, Any]:
    """Preview the Adult sample with the legacy form, then confirm it without waiting; the job as returned."""
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM)
    assert preview.status_code == 200, preview.text
    form = confirm_form(preview.json(), n_sample="300", wait="false",
                        knobs=json.dumps({"update_iterations": 10}), **overrides)
    confirmed = client.post("/confirm_synthesis", data=form)
    assert confirmed.status_code == 200, confirmed.text
    job = client.get(f"/jobs/{confirmed.json()['job_id']}").json()
    return dict(job)


def runner_submission(store: Any, job_id: str) -> dict[str, Any]:
    """A job's whole submission record (remote id, command, script) as an admin sees it: the API shows its
    owner only the backend's name."""
    from privsyn_platform.auth import SYSTEM_PRINCIPAL

    return dict(store.get_job(job_id, SYSTEM_PRINCIPAL).submission)


def poll(client: Any, job_id: str, until: set[str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in until:
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} did not reach {until} within {timeout} s: {job}")
