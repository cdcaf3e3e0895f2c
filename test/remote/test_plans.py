"""The three plans are pure and golden-tested, with hostile settings values (quotes, spaces, ``;``, ``$()``,
newlines) that must reach the worker byte for byte and never be interpreted by a shell."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from privsyn_platform.settings import Settings, load_settings
from web_app.aws_batch_plan import build_aws_batch_plan
from web_app.cloud_run_plan import build_cloud_run_plan, gcloud_list
from web_app.remote.resources import REDACTED, ResourceRequest, checked_id
from web_app.slurm_plan import build_slurm_plan, time_limit

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PRIVSYN_UPDATE_GOLDEN") == "1"  # regenerate: PRIVSYN_UPDATE_GOLDEN=1 pytest test/remote
JOB_ID = "0123456789abcdef0123456789abcdef"
KEY = f"jobs/{JOB_ID}/job_request.json"
HOSTILE = "it's \"quoted\"; echo pwned > /tmp/privsyn-pwned $(touch /tmp/privsyn-pwned) `id`\nline2 & | , @"
RESOURCES = ResourceRequest(cpus=3, mem_gb=5, timeout_min=95)


def hostile_settings(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "state_root": Path("/srv/privsyn state/it's"), "metadata_backend": "postgres",
        "database_url": "postgresql://privsyn:pa'ss;$(word)@db:5432/privsyn",
        "storage_backend": "s3", "s3": {"bucket": "bucket", "prefix": HOSTILE, "endpoint_url": "http://s3:9000",
                                  "access_key_id": "AKIA", "secret_access_key": "s3cr3t'$(x)"},
        "slurm": {"partition": HOSTILE, "account": "acc'; rm -rf ~", "python": "/opt/py thon/bin/python3",
               "workdir": Path("/shared/privsyn jobs;$(x)")},
        "aws_batch": {"job_queue": HOSTILE, "job_definition": "privsyn:3", "region": "eu-west-1",
                   "endpoint_url": "http://127.0.0.1:5000"},
        "cloud_run": {"project": "demo-proj", "region": "europe-west1", "job": "privsyn-worker",
                   "gcloud": "/usr/bin/gcloud"},
    }
    return load_settings(**{**base, **overrides})


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert path.read_text() == text, f"{name} changed; regenerate with PRIVSYN_UPDATE_GOLDEN=1 if intended"


def test_slurm_plan_golden() -> None:
    plan = build_slurm_plan(JOB_ID, KEY, RESOURCES, hostile_settings(job_backend="slurm"))
    check_golden("slurm.sbatch", plan.display_script)
    check_golden("slurm.argv.json", json.dumps(list(plan.argv), indent=1) + "\n")
    assert plan.job_name == f"privsyn-{JOB_ID}" and f"--job-name=privsyn-{JOB_ID}" in plan.argv
    assert f"--partition={HOSTILE}" in plan.argv and "--time=0-01:35:00" in plan.argv
    assert "s3cr3t" not in plan.display_script and "s3cr3t" in plan.script
    assert REDACTED in plan.display_script


def test_aws_batch_plan_golden() -> None:
    plan = build_aws_batch_plan(JOB_ID, KEY, RESOURCES, hostile_settings(job_backend="aws_batch"))
    check_golden("aws_batch.request.json", json.dumps(asdict(plan), indent=1, sort_keys=True).replace(
        "s3cr3t'$(x)", REDACTED).replace("pa'ss;$(word)", REDACTED) + "\n")
    overrides = plan.request["containerOverrides"]
    assert overrides["command"] == ["python", "-m", "web_app.run_confirmed_job", "--job-id", JOB_ID,
                                    "--job-request-key", KEY]
    env = {item["name"]: item["value"] for item in overrides["environment"]}
    assert env["PRIVSYN_S3__PREFIX"] == HOSTILE and env["PRIVSYN_S3__SECRET_ACCESS_KEY"] == "s3cr3t'$(x)"
    assert plan.request["jobQueue"] == HOSTILE and plan.request["timeout"] == {"attemptDurationSeconds": 5700}
    cli = list(plan.cli_argv)
    assert cli[:3] == ["aws", "batch", "submit-job"] and "s3cr3t" not in " ".join(cli)
    assert json.loads(cli[cli.index("--container-overrides") + 1])["command"] == overrides["command"]


def _parse_gcloud_list(value: str) -> list[str]:
    assert value.startswith("^") and value[2] == "^"
    return value[3:].split(value[1])


def test_cloud_run_plan_golden() -> None:
    plan = build_cloud_run_plan(JOB_ID, KEY, RESOURCES, hostile_settings(job_backend="cloud_run"))
    check_golden("cloud_run.argv.json", json.dumps(list(plan.display_argv), indent=1) + "\n")
    argv = dict(arg.split("=", 1) for arg in plan.argv if arg.startswith("--") and "=" in arg)
    assert _parse_gcloud_list(argv["--args"]) == ["-m", "web_app.run_confirmed_job", "--job-id", JOB_ID,
                                                  "--job-request-key", KEY]
    env = dict(pair.split("=", 1) for pair in _parse_gcloud_list(argv["--update-env-vars"]))
    assert env["PRIVSYN_S3__PREFIX"] == HOSTILE and env["PRIVSYN_S3__SECRET_ACCESS_KEY"] == "s3cr3t'$(x)"
    assert plan.argv[:5] == ("/usr/bin/gcloud", "run", "jobs", "execute", "privsyn-worker")
    assert "--async" in plan.argv and argv["--task-timeout"] == "5700s"
    assert "s3cr3t" not in " ".join(plan.display_argv)


def test_the_slurm_script_hands_hostile_values_to_the_worker_unchanged(tmp_path: Path) -> None:
    """Run the generated script with bash; a stand-in 'python' records the argv and environment it got."""
    record = tmp_path / "record.json"
    fake_python = tmp_path / "py thon's $(x)"
    dump = f"json.dump({{'argv': sys.argv[1:], 'env': dict(os.environ)}}, open({str(record)!r}, 'w'))"
    fake_python.write_text(f"#!{sys.executable}\nimport json, os, sys\n{dump}\n")
    fake_python.chmod(fake_python.stat().st_mode | stat.S_IEXEC)
    pwned = Path("/tmp/privsyn-pwned")
    pwned.unlink(missing_ok=True)
    settings = hostile_settings(job_backend="slurm", slurm={"partition": HOSTILE, "python": str(fake_python)})
    plan = build_slurm_plan(JOB_ID, KEY, RESOURCES, settings)
    subprocess.run(["bash", "-c", plan.script, "job"], check=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    got = json.loads(record.read_text())
    assert got["argv"] == ["-m", "web_app.run_confirmed_job", "--job-id", JOB_ID, "--job-request-key", KEY]
    assert got["env"]["PRIVSYN_S3__PREFIX"] == HOSTILE
    assert got["env"]["PRIVSYN_DATABASE_URL"] == "postgresql+psycopg://privsyn:pa'ss;$(word)@db:5432/privsyn"
    assert got["env"]["PRIVSYN_STATE_ROOT"] == "/srv/privsyn state/it's"
    assert not pwned.exists()


def test_plans_refuse_ids_we_did_not_generate() -> None:
    settings = hostile_settings(job_backend="slurm")
    for bad in ("x; rm -rf /", "../etc", "a b", "", "-rf", "a\nb"):
        with pytest.raises(ValueError, match="server-generated"):
            build_slurm_plan(bad, KEY, RESOURCES, settings)
        with pytest.raises(ValueError, match="server-generated"):
            build_cloud_run_plan(JOB_ID, bad, RESOURCES, hostile_settings(job_backend="cloud_run"))
    assert checked_id(KEY, "key") == KEY


@pytest.mark.parametrize(("field", "value"), [("cpus", 0), ("mem_gb", -1), ("timeout_min", 1.5), ("cpus", True)])
def test_resource_request_validates(field: str, value: object) -> None:
    values: dict[str, object] = {"cpus": 1, "mem_gb": 1, "timeout_min": 1, field: value}
    with pytest.raises(ValueError, match=f"ResourceRequest.{field}"):
        ResourceRequest(**values)  # type: ignore[arg-type]


def test_small_helpers() -> None:
    assert time_limit(1) == "0-00:01:00"
    assert ResourceRequest.from_settings(load_settings(job_cpus=4, job_mem_gb=8, job_timeout_min=30)) == \
        ResourceRequest(4, 8, 30)
    assert gcloud_list(["a|b", "c"]) == "^@^a|b@c"
    with pytest.raises(ValueError, match="no list delimiter"):
        gcloud_list(["|@#~%!+;"])
