"""``docker build`` is not available here, so the Dockerfile is checked as text: its two stages, that Python
dependencies come from the pinned set (constraints.txt ⊇ pyproject's pins), and that its entrypoints exist."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from pathlib import Path

from web_app.remote.resources import WORKER_MODULE

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def stages() -> dict[str, list[tuple[str, str]]]:
    result: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for keyword, rest in instructions():
        if keyword == "FROM":
            image, _, name = rest.partition(" AS ")
            current = name.strip()
            result[current] = [("FROM", image.strip())]
        elif current:
            result[current].append((keyword, rest))
    return result


def test_two_stages_node_then_slim_python_matching_requires_python() -> None:
    built = stages()
    assert list(built) == ["frontend", "runtime"]
    assert built["frontend"][0][1].startswith("node:")
    python = built["runtime"][0][1]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python.startswith("python:3.11-slim") and ">=3.11" in requires
    frontend_run = " ".join(rest for keyword, rest in built["frontend"] if keyword == "RUN")
    assert "if [ -f frontend/package.json ]" in frontend_run and "npm run build" in frontend_run
    assert ("COPY", "--from=frontend /src/frontend/dist ./frontend/dist") in built["runtime"]


def test_the_runtime_installs_the_pinned_set() -> None:
    runtime = stages()["runtime"]
    installs = [rest for keyword, rest in runtime if keyword == "RUN" and "pip install" in rest]
    assert installs == ["pip install -c constraints.txt ."]
    copied = [rest for keyword, rest in runtime if keyword == "COPY"]
    assert copied[0].split()[:2] == ["pyproject.toml", "constraints.txt"]  # both before the install
    pins = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    pins = {name.lower().split("[")[0]: version for name, version in pins.items()}
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        name, version = requirement.split("==")
        assert pins.get(name.lower().split("[")[0]) == version, f"{requirement} is not pinned in constraints.txt"


def test_entrypoints_and_copied_sources_exist() -> None:
    runtime = stages()["runtime"]
    cmd = json.loads(next(rest for keyword, rest in runtime if keyword == "CMD"))
    assert cmd == ["python", "-m", "web_app.serve", "--host", "0.0.0.0", "--port", "8000"]
    assert importlib.util.find_spec(cmd[2]) is not None
    assert importlib.util.find_spec(WORKER_MODULE) is not None and WORKER_MODULE == "web_app.run_confirmed_job"
    assert "python -m web_app.run_confirmed_job" in (ROOT / "Dockerfile").read_text()
    for keyword, rest in runtime:
        if keyword == "COPY" and not rest.startswith("--from"):
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv"} <= set(ignored)
