"""The layering rules of the repository (docs/architecture.md), checked on the source itself.

``method`` (pure algorithms) imports neither the web stack, a database, a cloud SDK nor our other layers,
and never reads the environment; ``privsyn_platform`` never imports the web framework. Inside ``web_app``
the import graph is acyclic (deferred imports inside functions count), ``web_app.api`` is imported only by
``web_app.main``, ``web_app.remote`` imports nothing else of ``web_app``, and neither the data packages nor
the worker's path import the web framework.
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


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _web_app_imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """The ``web_app`` modules a module imports anywhere in its body (``from pkg import mod`` → ``pkg.mod``)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("web_app."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("web_app"):
            module = node.module or ""
            for alias in node.names:
                found.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module)
    return found & modules


def _import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    modules = set(sources)
    return {name: _web_app_imports(ast.parse(text), modules) - {name} for name, text in sources.items()}


def _web_app_graph() -> dict[str, set[str]]:
    return _import_graph({_module_name(path): path.read_text() for path in _python_files("web_app")})


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path ``[a, b, …, a]``, or ``[]`` when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == 1:
                return path[path.index(successor):] + [successor]
            if successor not in state and (cycle := visit(successor)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for successor in graph.get(todo.pop(), ()):
            if successor not in seen:
                seen.add(successor)
                todo.append(successor)
    return seen


def _in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _api_importers_outside_main(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{module} imports {target}" for module, targets in graph.items() for target in targets
                  if _in_package(target, "web_app.api") and module != "web_app.main"
                  and not _in_package(module, "web_app.api"))


def test_web_app_import_graph_is_acyclic() -> None:
    cycle = _find_cycle(_web_app_graph())
    assert not cycle, "import cycle: " + " → ".join(cycle)


def test_only_main_imports_the_api_layer() -> None:
    assert _api_importers_outside_main(_web_app_graph()) == []


def test_remote_kernel_imports_nothing_else_of_web_app() -> None:
    graph = _web_app_graph()
    outside = sorted(f"{module} imports {target}" for module, targets in graph.items()
                     if _in_package(module, "web_app.remote") for target in targets
                     if not _in_package(target, "web_app.remote"))
    assert outside == []


FRAMEWORK_FREE = ("web_app.ingestion", "web_app.review", "web_app.evaluation", "web_app.remote")
WORKER_ENTRYPOINT = "web_app.run_confirmed_job"


def test_data_packages_and_the_worker_path_never_import_the_web_framework() -> None:
    graph = _web_app_graph()
    checked = {m for m in graph if any(_in_package(m, p) for p in FRAMEWORK_FREE)}
    checked |= _reachable(graph, WORKER_ENTRYPOINT)
    paths = {_module_name(path): path for path in _python_files("web_app")}
    violations = sorted(f"{module} imports {root}" for module in checked
                        for root in _imported_roots(ast.parse(paths[module].read_text()))
                        & {"fastapi", "starlette", "uvicorn"})
    assert not violations, "\n".join(violations)
    assert {"web_app.job_execution", "web_app.synthesis_service", "web_app.methods_dispatcher"} <= checked


def test_the_graph_checks_see_planted_violations() -> None:
    planted = _import_graph({
        "web_app.job_runner": "from web_app.remote.runner import RemoteJobRunner\n",
        "web_app.remote.runner": "def make():\n    from web_app.job_runner import RUNNERS\n",  # deferred
        "web_app.main": "from web_app.api import deps\n",
        "web_app.api.deps": "",
        "web_app.job_service": "from web_app.api.deps import Services\n",
    })
    assert _find_cycle(planted) == ["web_app.job_runner", "web_app.remote.runner", "web_app.job_runner"]
    assert _api_importers_outside_main(planted) == ["web_app.job_service imports web_app.api.deps"]
    assert _find_cycle({"a": {"b"}, "b": set()}) == []


def test_the_checker_sees_violations() -> None:
    tree = ast.parse("import fastapi\nfrom sqlalchemy.orm import Session\nimport os\nx = os.environ['A']\n")
    assert _imported_roots(tree) >= {"fastapi", "sqlalchemy"}
    assert _environment_reads(tree) == [4]
