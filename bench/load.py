"""Load and abuse figures (issue #19): 60 concurrent default confirms, a /healthz prober and hostile uploads.

    python -m bench.load [--confirms 60] [--backend inline|local] [--deadline-s 900] [--no-hostile]

Starts a real ``uvicorn web_app.main:app`` on 127.0.0.1 (a temporary state root and temporary directory,
``PRIVSYN_MAX_UPLOAD_BYTES`` = 100 MB), previews ``--rows`` rows of the bundled Adult sample, then at once

* sends ``--confirms`` concurrent confirms the way the UI does (``wait`` left at its default, true);
* probes ``/healthz`` every 50 ms (a probe slower than 5 s counts as 5 s);
* sends a hostile-upload mix: a sniffer trap (63 KB of ``,"a``), a 150 MB chunked upload (over the cap),
  a zip that expands to ~600 MB, 1,000 form fields of 16 KB, a truncated multipart body;
* samples the RSS of the server and its worker processes and the size of its temporary directory.

Prints the figures against the targets (/healthz p99 < 250 ms and max < 1 s, no 5xx, peak RSS < 2.5 GB,
temporary disk < 2 × the upload cap) and one JSON line. Everything stops itself after ``--deadline-s``;
the server is stopped by PID. Timings on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.live_server import LiveServer

UPLOAD_CAP = 100 * 1000 * 1000
PROBE_EVERY_S, PROBE_TIMEOUT_S = 0.05, 5.0
TARGETS = {"healthz_p99_ms": 250.0, "healthz_max_ms": 1000.0, "server_errors": 0, "peak_rss_mb": 2500.0,
           "peak_temp_disk_mb": 2 * UPLOAD_CAP / 1e6}


@dataclass
class Figures:
    healthz_ms: list[float] = field(default_factory=list)
    healthz_at: list[float] = field(default_factory=list)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    statuses: dict[str, list[int]] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    peak_temp_disk_mb: float = 0.0

    def status(self, name: str, code: int) -> None:
        self.statuses.setdefault(name, []).append(code)


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (the API and any local worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _disk_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total / 1e6


async def _sample(server: LiveServer, temp: Path, figures: Figures, stop: asyncio.Event) -> None:
    while not stop.is_set():
        figures.peak_rss_mb = max(figures.peak_rss_mb, await asyncio.to_thread(_rss_mb, _tree(server.process.pid)))
        figures.peak_temp_disk_mb = max(figures.peak_temp_disk_mb, await asyncio.to_thread(_disk_mb, temp))
        await asyncio.sleep(0.2)


async def _probe(client: httpx.AsyncClient, figures: Figures, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            response = await client.get("/healthz", timeout=PROBE_TIMEOUT_S)
            figures.status("healthz", response.status_code)
            figures.healthz_ms.append((time.perf_counter() - started) * 1000)
            figures.healthz_at.append(started)
        except httpx.TimeoutException:
            figures.healthz_ms.append(PROBE_TIMEOUT_S * 1000)
            figures.healthz_at.append(started)
        except httpx.TransportError:
            figures.status("healthz", 599)
        await asyncio.sleep(PROBE_EVERY_S)


async def _confirm(client: httpx.AsyncClient, form: dict[str, str], figures: Figures) -> None:
    try:
        response = await client.post("/confirm_synthesis", data=form, timeout=None)
        figures.status("confirm", response.status_code)
    except httpx.TransportError:
        figures.status("confirm", 599)


def _multipart(fields: dict[str, str], file_name: str, file_parts: list[bytes] | AsyncIterator[bytes],
               boundary: str = "privsynbenchboundary") -> tuple[dict[str, str], Any]:
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="data_file"; filename="{file_name}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        yield head
        if isinstance(file_parts, list):
            for part in file_parts:
                yield part
        else:
            async for part in file_parts:
                yield part
        yield tail

    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body()


def _adult_csv(rows: int) -> bytes:
    """The first ``rows`` rows of the bundled Adult sample as CSV (each job then takes seconds, not minutes)."""
    import pandas as pd

    frame = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "adult.csv.zip", nrows=rows)
    return frame.to_csv(index=False).encode()


def _zip_bomb(uncompressed_mb: int) -> bytes:
    buffer = io.BytesIO()
    line = b"0,0,0,0,0,0,0,0\n" * 4096
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("table.csv", "w") as member:
        member.write(b"a,b,c,d,e,f,g,h\n")
        for _ in range(uncompressed_mb * 2**20 // len(line)):
            member.write(line)
    return buffer.getvalue()


async def _hostile(client: httpx.AsyncClient, figures: Figures) -> None:
    """The hostile-upload mix, one after another (each with a 120 s limit)."""
    fields = {"method": "privsyn", "epsilon": "1", "delta": "1e-9", "dataset_name": "hostile"}

    async def over_cap() -> AsyncIterator[bytes]:
        chunk = b"1,2,3,4,5,6,7,8\n" * 65536
        for _ in range(150 * 1000 * 1000 // len(chunk) + 1):
            yield chunk

    bomb = await asyncio.to_thread(_zip_bomb, 600)
    cases: list[tuple[str, dict[str, str], Any]] = [
        ("sniffer_trap", *_multipart(fields, "trap.csv", [b"a,b\n" + b',"a' * 21_000])),
        ("chunked_150MB", *_multipart(fields, "big.csv", over_cap())),
        ("zip_600MB", *_multipart(fields, "bomb.zip", [bomb])),
        ("fields_1000x16KB", *_multipart({**fields, **{f"f{i}": "x" * 16384 for i in range(1000)}}, "t.csv",
                                         [b"a,b\n1,2\n"])),
        ("truncated_multipart", {"Content-Type": "multipart/form-data; boundary=privsynbenchboundary"},
         b'--privsynbenchboundary\r\nContent-Disposition: form-data; name="data_file"; '
         b'filename="t.csv"\r\n\r\na,b\n1,'),
    ]
    for name, headers, content in cases:
        started = time.perf_counter()
        try:
            response = await client.post("/synthesize", headers=headers, content=content, timeout=120)
            figures.status(f"hostile:{name}", response.status_code)
        except httpx.TimeoutException:
            figures.status(f"hostile:{name}", 598)
        except httpx.TransportError:
            figures.status(f"hostile:{name}", 599)
        figures.windows[name] = (started, time.perf_counter())


async def _run(server: LiveServer, temp: Path, args: argparse.Namespace) -> Figures:
    figures = Figures()
    limits = httpx.Limits(max_connections=args.confirms + 20, max_keepalive_connections=args.confirms + 20)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120) as client:
        table = await asyncio.to_thread(_adult_csv, args.rows)
        preview = (await client.post("/synthesize", data={"dataset_name": "adult", "method": "privsyn"},
                                     files={"data_file": ("adult.csv", table)})).json()
        form = {"unique_id": preview["unique_id"], "method": "privsyn", "epsilon": "1", "delta": "1e-9",
                "confirmed_domain_data": json.dumps(preview["domain_data"]),
                "confirmed_info_data": json.dumps(preview["info_data"]),
                "knobs": json.dumps({"update_iterations": args.update_iterations})}
        stop = asyncio.Event()
        watchers = [asyncio.create_task(_sample(server, temp, figures, stop)),
                    asyncio.create_task(_probe(client, figures, stop))]
        load = [asyncio.create_task(_confirm(client, form, figures)) for _ in range(args.confirms)]
        if args.hostile:
            load.append(asyncio.create_task(_hostile(client, figures)))
        done, pending = await asyncio.wait(load, timeout=args.deadline_s)
        for task in pending:
            task.cancel()
        stop.set()
        await asyncio.gather(*watchers, *pending, return_exceptions=True)
        figures.status("unfinished", len(pending))
    return figures


def _report(figures: Figures, seconds: float) -> dict[str, Any]:
    latencies = sorted(figures.healthz_ms) or [float("nan")]
    errors = sum(code >= 500 for name, codes in figures.statuses.items() if name != "unfinished" for code in codes)
    result: dict[str, Any] = {
        "healthz_p50_ms": round(statistics.median(latencies), 1),
        "healthz_p99_ms": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1),
        "healthz_max_ms": round(latencies[-1], 1), "healthz_probes": len(figures.healthz_ms),
        "server_errors": errors, "peak_rss_mb": round(figures.peak_rss_mb), "peak_temp_disk_mb":
        round(figures.peak_temp_disk_mb, 1), "seconds": round(seconds, 1),
        "statuses": {name: sorted(set(codes)) if name != "unfinished" else codes
                     for name, codes in figures.statuses.items() if name != "healthz"},
    }
    result["healthz_max_ms_during"] = {
        name: round(max((ms for at, ms in zip(figures.healthz_at, figures.healthz_ms, strict=True)
                         if start <= at <= end), default=0.0), 1) for name, (start, end) in figures.windows.items()}
    outside = [ms for at, ms in zip(figures.healthz_at, figures.healthz_ms, strict=True)
               if not any(start <= at <= end for start, end in figures.windows.values())]
    if outside:
        outside.sort()
        result["healthz_without_hostile_ms"] = {"p99": round(outside[int(0.99 * (len(outside) - 1))], 1),
                                                "max": round(outside[-1], 1)}
    if figures.healthz_at:
        origin = figures.healthz_at[0]
        worst = sorted(zip(figures.healthz_ms, figures.healthz_at, strict=True), reverse=True)[:5]
        result["healthz_worst"] = [[round(at - origin, 1), round(ms)] for ms, at in worst]  # [s after start, ms]
    for name, target in TARGETS.items():
        verdict = "ok" if result[name] <= target and (name != "server_errors" or result[name] == 0) else "MISSED"
        relation = "<" if name != "server_errors" else "="
        sys.stdout.write(f"{name:>20}: {result[name]:>10} (target {relation} {target}) {verdict}\n")
    sys.stdout.write(f"{'statuses':>20}: {result['statuses']}\n")
    sys.stdout.write(f"{'max during hostile':>20}: {result['healthz_max_ms_during']}\n")
    sys.stdout.write(f"{'without hostile':>20}: {result.get('healthz_without_hostile_ms')}\n")
    sys.stdout.write(f"{'worst [s, ms]':>20}: {result.get('healthz_worst')}\n")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--confirms", type=int, default=60)
    parser.add_argument("--backend", choices=("inline", "local"), default="inline")
    parser.add_argument("--update-iterations", type=int, default=10, help="each job's PrivSyn iterations")
    parser.add_argument("--rows", type=int, default=3000, help="rows of Adult the confirms synthesize")
    parser.add_argument("--deadline-s", type=float, default=600.0, help="stop everything after this")
    parser.add_argument("--no-hostile", dest="hostile", action="store_false")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="privsyn-bench-load-") as tmp:
        temp = Path(tmp) / "tmp"
        temp.mkdir()
        environment = {"PRIVSYN_STATE_ROOT": f"{tmp}/state", "PRIVSYN_JOB_BACKEND": args.backend,
                       "PRIVSYN_MAX_UPLOAD_BYTES": str(UPLOAD_CAP), "TMPDIR": str(temp)}
        server = LiveServer(environment, Path(tmp) / "uvicorn.log")
        started = time.monotonic()
        try:
            figures = asyncio.run(_run(server, temp, args))
        finally:
            server.stop()
        result = _report(figures, time.monotonic() - started)
        sys.stdout.write(json.dumps({"confirms": args.confirms, "backend": args.backend, **result}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
