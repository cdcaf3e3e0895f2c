"""A read-only state root: a clear refusal to start, and 503 (never a 500 or a traceback) once it turns
read-only under a running service (issue #19, low). Runs in a private mount namespace (``unshare -m``;
the suite runs as root), where the directory is bind-mounted read-only — root ignores file modes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r'''
import json, subprocess, sys
from pathlib import Path
from fastapi.testclient import TestClient
from privsyn_platform.errors import ConfigurationError
from privsyn_platform.settings import load_settings
from web_app.main import create_app
import importlib.util
spec = importlib.util.spec_from_file_location("fixtures", "test/api/fixtures.py")
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)
LEGACY_SYNTHESIZE_FORM, confirm_form = fixtures.LEGACY_SYNTHESIZE_FORM, fixtures.confirm_form

def read_only(path):
    subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)

root = Path(sys.argv[1])
result = {}
(root / "ro").mkdir()
read_only(root / "ro")
try:
    create_app(load_settings(state_root=root / "ro" / "state"))
    result["start"] = "started"
except ConfigurationError as e:
    result["start"] = str(e)
    result["chained"] = e.__cause__ is not None or not e.__suppress_context__
(root / "rw").mkdir()
with TestClient(create_app(load_settings(state_root=root / "rw" / "state")), raise_server_exceptions=False) as client:
    preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
    read_only(root / "rw")
    replies = {"synthesize": client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM),
               "confirm": client.post("/confirm_synthesis", data=confirm_form(preview, n_sample="50"))}
    result["replies"] = {name: [r.status_code, r.json()["detail"]["error"]] for name, r in replies.items()}
print(json.dumps(result))
'''


@pytest.fixture
def namespace() -> list[str]:
    if shutil.which("unshare") is None:
        pytest.fail("needs util-linux unshare", pytrace=False)
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.fail(f"cannot create a mount namespace here: {probe.stderr.decode()}", pytrace=False)
    return ["unshare", "-m"]


def test_a_read_only_state_root_refuses_to_start_clearly_and_answers_503(namespace: list[str], tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    run = subprocess.run([*namespace, sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                         check=False, cwd=repo, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["start"].startswith("refusing to start") and "PRIVSYN_STATE_ROOT" in result["start"], result
    assert result["chained"] is False  # no sqlite traceback chained to it
    assert result["replies"] == {"synthesize": [503, "unavailable"], "confirm": [503, "unavailable"]}, result
