"""The web_app twins of the platform modules are re-exports of the same objects, and pull in no web code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import privsyn_platform.metadata_records
import privsyn_platform.metadata_store
import privsyn_platform.object_storage
import privsyn_platform.settings
import web_app.metadata_store
import web_app.object_storage
import web_app.settings

ROOT = Path(__file__).resolve().parents[2]
TWINS = [
    (web_app.settings, (privsyn_platform.settings,)),
    (web_app.metadata_store, (privsyn_platform.metadata_store, privsyn_platform.metadata_records)),
    (web_app.object_storage, (privsyn_platform.object_storage,)),
]


@pytest.mark.parametrize(("twin", "sources"), TWINS, ids=lambda t: getattr(t, "__name__", ""))
def test_twins_re_export_the_same_objects(twin: object, sources: tuple[object, ...]) -> None:
    names = twin.__all__  # type: ignore[attr-defined]
    assert names
    for name in names:
        assert any(getattr(twin, name) is getattr(source, name, None) for source in sources), name


def test_web_app_package_init_stays_empty() -> None:
    assert (ROOT / "web_app" / "__init__.py").read_text().strip() == ""


def test_the_platform_imports_without_fastapi_or_boto3() -> None:
    modules = ["privsyn_platform.settings", "privsyn_platform.auth", "privsyn_platform.metadata_store",
               "privsyn_platform.object_storage", "web_app.settings", "web_app.metadata_store",
               "web_app.object_storage"]
    code = (f"import sys, {', '.join(modules)}\n"
            "bad = [m for m in ('fastapi', 'starlette', 'boto3') if m in sys.modules]\n"
            "sys.exit(f'imported {bad}' if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_only_settings_reads_the_environment() -> None:
    """Settings is the one reader of the environment (pydantic-settings, and the child environment it hands
    a local worker); no other platform or web module touches it."""
    offenders = []
    for package in ("privsyn_platform", "web_app"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "privsyn_platform" / "settings.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
