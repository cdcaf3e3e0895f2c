"""The layering rules of the repository (DESIGN.md §1), checked on the source itself.

``method`` (pure algorithms) imports neither the web stack, a database, a cloud SDK nor our other layers,
and never reads the environment; ``privsyn_platform`` never imports the web framework.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN_IMPORTS = {
    "method": {"fastapi", "starlette", "sqlalchemy", "alembic", "boto3", "botocore", "google", "psycopg",
               "uvicorn", "web_app", "privsyn_platform", "requests", "httpx"},
    "privsyn_platform": {"fastapi", "starlette", "web_app", "uvicorn", "method"},
}


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                roots.add(arg.value.split(".")[0])
    return roots


def _environment_reads(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in {"environ", "getenv", "environb"} for alias in node.names):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_layer_imports_point_one_way(package: str) -> None:
    violations = []
    for path in _python_files(package):
        roots = _imported_roots(ast.parse(path.read_text(), filename=str(path)))
        forbidden = sorted(roots & FORBIDDEN_IMPORTS[package])
        violations += [f"{path.relative_to(ROOT)} imports {root}" for root in forbidden]
    assert not violations, "\n".join(violations)


def test_method_never_reads_the_environment() -> None:
    violations = []
    for path in _python_files("method"):
        lines = _environment_reads(ast.parse(path.read_text(), filename=str(path)))
        violations += [f"{path.relative_to(ROOT)}:{line} reads the environment" for line in lines]
    assert not violations, "\n".join(violations)


def test_the_checker_sees_violations() -> None:
    tree = ast.parse("import fastapi\nfrom sqlalchemy.orm import Session\nimport os\nx = os.environ['A']\n")
    assert _imported_roots(tree) >= {"fastapi", "sqlalchemy"}
    assert _environment_reads(tree) == [4]
