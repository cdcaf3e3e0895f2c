"""A real ``uvicorn web_app.main:app`` process on 127.0.0.1 for end-to-end tests, stopped by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``prefix`` goes before the interpreter (e.g. ``unshare -p -f --mount-proc`` to serve as PID 1);
    ``module`` is what ``python -m`` runs: plain uvicorn on the app, or the deployment's launcher
    (``("web_app.serve",)``, which takes the same ``--host``/``--port``)."""

    def __init__(self, environment: dict[str, str], log_path: Path, prefix: tuple[str, ...] = (),
                 port: int | None = None, module: tuple[str, ...] = ("uvicorn", "web_app.main:app")) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PRIVSYN_")}
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", *module, "--host", "127.0.0.1", "--port", str(self.port)],
            env={**clean, **environment}, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.log_path = log_path
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"uvicorn did not answer within 30 s:\n{log_path.read_text()}")

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, headers=headers)

    def stop(self) -> None:
        """Terminate the server (and only it) by PID; kill it if it does not stop in 10 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in {"succeeded", "failed", "cancelled"}:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish within {timeout} s: {job}")
