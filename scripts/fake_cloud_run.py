"""A small fake of the Cloud Run Admin API v1 for running the REAL ``gcloud`` against it (tests, demos).

    python scripts/fake_cloud_run.py PORT_FILE            # binds 127.0.0.1 on a free port, writes it to PORT_FILE

gcloud always puts the region in front of the API host (``europe-west1-run.fake``), so it reaches the fake
as an HTTP *proxy*: ``CLOUDSDK_PROXY_TYPE=http CLOUDSDK_PROXY_ADDRESS=127.0.0.1 CLOUDSDK_PROXY_PORT=<port>``
with ``CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN=http://run.fake/`` (``PRIVSYN_CLOUD_RUN__API_ENDPOINT``) and any
access token (``CLOUDSDK_AUTH_ACCESS_TOKEN_FILE``). Routes (gcloud's):

* ``GET  …/namespaces/{project}/jobs/{job}``                 the job
* ``POST …/namespaces/{project}/jobs/{job}:run``             a new execution, ``running``; the body is kept
* ``GET  …/namespaces/{project}/executions/{name}``          the execution in its current state
* ``POST …/namespaces/{project}/executions/{name}:cancel``   → ``cancelled``

and, for tests talking to it directly (not as a proxy): ``GET /fake/requests`` (every request gcloud sent,
with its body) and ``PUT /fake/executions/{name}`` with ``{"state": …}`` (queued, running, succeeded,
failed, timeout, out_of_memory, node_fail, cancelled). State is in memory; stop it by its PID.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

API = r"^/apis/run\.googleapis\.com/v1/namespaces/([^/]+)"
FAILURES = {"failed": ("ContainerError", "Task privsyn-0 failed with exit code 1."),
            "timeout": ("DeadlineExceeded", "The configured timeout was reached."),
            "out_of_memory": ("ContainerError", "Memory limit of 512 MiB exceeded with 600 MiB used."),
            "node_fail": ("InfrastructureError", "The task was stopped because its instance failed (node failure).")}
REQUESTS: list[dict[str, Any]] = []
EXECUTIONS: dict[str, dict[str, str]] = {}
LOCK = threading.Lock()


def job(namespace: str, name: str) -> dict[str, Any]:
    return {"apiVersion": "run.googleapis.com/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": namespace, "generation": 1},
            "spec": {"template": {"metadata": {"annotations": {"run.googleapis.com/execution-environment": "gen2"}},
                                  "spec": {"taskCount": 1, "template": {"spec": {
                "containers": [{"image": "privsyn-service:latest", "command": ["python"]}]}}}}},
            "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}}


def execution(name: str) -> dict[str, Any]:
    record = EXECUTIONS[name]
    state = record["state"]
    status: dict[str, Any] = {"conditions": [{"type": "Completed", "status": "Unknown"}]}
    if state == "running":
        status["runningCount"] = 1
    elif state == "succeeded":
        status = {"succeededCount": 1, "completionTime": "2026-01-01T00:00:00Z",
                  "conditions": [{"type": "Completed", "status": "True"}]}
    elif state == "cancelled":
        status = {"cancelledCount": 1, "conditions": [
            {"type": "Completed", "status": "False", "reason": "Cancelled", "message": "Execution was cancelled."}]}
    elif state in FAILURES:
        reason, message = FAILURES[state]
        status = {"failedCount": 1, "conditions": [
            {"type": "Completed", "status": "False", "reason": reason, "message": message}]}
    return {"apiVersion": "run.googleapis.com/v1", "kind": "Execution",
            "metadata": {"name": name, "namespace": record["namespace"],
                         "labels": {"run.googleapis.com/job": record["job"]}},
            "spec": {"taskCount": 1, "parallelism": 1}, "status": status}


class Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = urlsplit(self.path).path  # an absolute URI when reached as a proxy
        with LOCK:
            self._route(path, body)

    def _route(self, path: str, body: str) -> None:
        if path == "/fake/requests":
            return self._send(200, REQUESTS)
        if (m := re.match(r"^/fake/executions/([^/]+)$", path)) and self.command == "PUT":
            EXECUTIONS[m[1]]["state"] = json.loads(body)["state"]
            return self._send(200, execution(m[1]))
        REQUESTS.append({"method": self.command, "url": self.path, "body": body,
                         "authorization": self.headers.get("Authorization", "")[:12]})
        if m := re.match(API + r"/jobs/([^/:]+)(:run)?$", path):
            if self.command == "GET" and not m[3]:
                return self._send(200, job(m[1], m[2]))
            if self.command == "POST" and m[3]:
                name = f"{m[2]}-{uuid.uuid4().hex[:5]}"
                EXECUTIONS[name] = {"namespace": m[1], "job": m[2], "state": "running", "request": body}
                return self._send(200, execution(name))
        if (m := re.match(API + r"/executions/([^/:]+)(:cancel)?$", path)) and m[2] in EXECUTIONS:
            if self.command == "POST" and m[3]:
                EXECUTIONS[m[2]]["state"] = "cancelled"
            return self._send(200, execution(m[2]))
        self._send(404, {"error": {"code": 404, "message": f"fake: no route for {self.command} {path}",
                                   "status": "NOT_FOUND"}})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, format: str, *args: Any) -> None:
        return None


def main(argv: list[str]) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(argv[1]).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
