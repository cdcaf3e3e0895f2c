"""Issue #19 against real servers started as the deployment starts them (``python -m web_app.serve``, the
Dockerfile's CMD and scripts/run.sh), on 127.0.0.1, stopped by PID: the proxy-address bypass, a same-host
proxy's X-Forwarded-For, a chunked body far over the cap, a trickled body, and /healthz during a hostile
upload."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bench.live_server import LiveServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SERVE = ("web_app.serve",)
PLAIN_UVICORN = ("uvicorn", "web_app.main:app")  # uvicorn's defaults: --proxy-headers


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def launch(command: tuple[str, ...] = SERVE, **environment: str) -> LiveServer:
        env = {"PRIVSYN_STATE_ROOT": str(tmp_path / f"state-{len(servers)}"), **environment}
        servers.append(LiveServer(env, tmp_path / f"server-{len(servers)}.log", module=command))
        return servers[-1]

    yield launch
    for server in servers:
        server.stop()


SPOOF = {"X-Privsyn-Subject": "mallory", "X-Privsyn-Admin": "true", "X-Forwarded-For": "10.9.9.9"}


@pytest.mark.parametrize("command", [SERVE, PLAIN_UVICORN], ids=["serve", "plain-uvicorn"])
def test_x_forwarded_for_cannot_make_a_caller_the_trusted_proxy(start, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    server = start(command, PRIVSYN_AUTH_BACKEND="trusted-header", PRIVSYN_TRUSTED_PROXIES="10.9.9.9",
                   FORWARDED_ALLOW_IPS="*")
    response = httpx.get(f"{server.url}/whoami", headers=SPOOF)
    assert response.status_code == 401, response.text


def test_a_same_host_proxy_adding_x_forwarded_for_works(start) -> None:  # type: ignore[no-untyped-def]
    server = start(PRIVSYN_AUTH_BACKEND="trusted-header", PRIVSYN_TRUSTED_PROXIES="127.0.0.1")
    headers = {"X-Privsyn-Subject": "alice", "X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    response = httpx.get(f"{server.url}/whoami", headers=headers)
    assert response.status_code == 200 and response.json()["subject"] == "alice", response.text
    assert httpx.get(f"{server.url}/whoami", headers={**headers, "X-Privsyn-Subject": ""}).status_code == 401


def _raw_request(server: LiveServer, head: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(head)
    return sock


def _read_reply(sock: socket.socket) -> bytes:
    """A whole HTTP reply: the head, then as many body bytes as its Content-Length says (they may arrive later)."""
    reply = b""
    while b"\r\n\r\n" not in reply and (data := sock.recv(4096)):
        reply += data
    head, _, body = reply.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length and (data := sock.recv(4096)):
        body += data
    return head + b"\r\n\r\n" + body


def test_a_huge_chunked_body_is_refused_at_the_cap(start) -> None:  # type: ignore[no-untyped-def]
    server = start(PRIVSYN_MAX_UPLOAD_BYTES=str(1 << 20), PRIVSYN_MAX_FORM_BYTES=str(1 << 20))
    sock = _raw_request(server, b"POST /synthesize HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
    part = b'--b\r\nContent-Disposition: form-data; name="data_file"; filename="a.csv"\r\n\r\n'
    sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    chunk = b"1," * 32768
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent, reply = 0, b""
    sock.settimeout(0.05)
    while sent < 1 << 30 and not reply:  # up to 1 GiB
        try:
            sock.sendall(framed)
            sent += len(chunk)
            reply = sock.recv(4096)
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    sock.settimeout(10)
    try:
        reply += sock.recv(4096)
    except (TimeoutError, ConnectionResetError):
        pass
    sock.close()
    assert reply.startswith(b"HTTP/1.1 413") and b"request_too_large" in reply, reply[:300]
    assert sent < 8 << 20  # refused within a few MB of the 2 MB cap, not after the whole GiB


def test_a_trickled_body_times_out(start) -> None:  # type: ignore[no-untyped-def]
    server = start(PRIVSYN_BODY_TIMEOUT_SECONDS="1")
    sock = _raw_request(server, b"POST /synthesize HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nmethod=priv")
    reply = _read_reply(sock)
    sock.close()
    assert reply.startswith(b"HTTP/1.1 408") and b"PRIVSYN_BODY_TIMEOUT_SECONDS" in reply, reply[:300]


def test_healthz_answers_during_a_hostile_upload(start) -> None:  # type: ignore[no-untyped-def]
    server = start()
    hostile = b"a,b\n" + b',"a' * 21_000 + b"\n"
    outcome: list[int] = []

    def upload() -> None:
        response = httpx.post(f"{server.url}/synthesize", files={"data_file": ("h.csv", hostile, "text/csv")},
                              timeout=120)
        outcome.append(response.status_code)

    uploader = threading.Thread(target=upload)
    uploader.start()
    for _ in range(5):
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    uploader.join(timeout=60)
    assert outcome and outcome[0] < 500, outcome
