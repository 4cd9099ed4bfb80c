"""govtrack's modules import each other without cycles, counting imports inside functions.

A function-level import hides a cycle from Python at import time, but the two
modules still cannot be understood or loaded apart: the structure issue (#12)
removed every such cycle and this test keeps it that way.
"""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "govtrack"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every govtrack module that name imports, at the top or inside a function."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from a import b" imports a.b when b is a module, else a.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


def import_graph() -> dict[str, set[str]]:
    """govtrack's import graph. A package's __init__ is not counted as imported by its modules."""
    return {name: _imports(name, path) for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_inside_functions():
    """The checker counts an import inside a function (the CLI imports the health report there)."""
    graph = import_graph()
    assert "govtrack.health.services" in graph["govtrack.cli"]


def test_no_import_cycle_between_modules_of_govtrack():
    """No module reaches itself through imports, top-level or inside functions."""
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    """A planted cycle is reported, so the test above can fail."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


#: run in a fresh interpreter: the libraries govtrack uses are loaded once, then
#: each module of govtrack is imported first in a forked child of its own
_IMPORT_EACH = """
import importlib, os, sys, traceback
for library in ("flask", "flask_sqlalchemy", "sqlalchemy", "flask_login", "flask_wtf",
                "wtforms", "flask_migrate", "docx", "icalendar", "jsonschema", "markdown_it",
                "nh3", "dateutil", "pyotp", "segno", "argon2", "email_validator"):
    importlib.import_module(library)
assert not any(name.startswith("govtrack") for name in sys.modules)
failed = []
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(module)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1] != 0:
        failed.append(module)
print(" ".join(failed))
"""


def test_every_module_imports_on_its_own():
    """Importing any single module of govtrack first, in a fresh interpreter, works."""
    result = subprocess.run([sys.executable, "-c", _IMPORT_EACH, *sorted(MODULES)],
                            cwd=PACKAGE.parent, capture_output=True, text=True, check=True)
    assert result.stdout.split() == [], result.stderr[-3000:]


def test_no_test_module_imports_another_test_module():
    """Shared test helpers live in fixtures or helper modules, not in other tests."""
    tests = Path(__file__).resolve().parents[1]
    offenders = []
    for path in tests.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and any(
                    part.startswith("test_") for part in node.module.split(".")):
                offenders.append(f"{path.relative_to(tests)}: from {node.module}")
    assert offenders == []


def test_every_permission_decision_is_in_the_permission_package():
    """`def can_...` and `def may_...` are defined only in govtrack/permissions/."""
    elsewhere = [
        f"{name}.{node.name}" for name, path in MODULES.items()
        if not name.startswith("govtrack.permissions")
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef) and node.name.startswith(("can_", "may_"))]
    assert elsewhere == []


def test_views_commit_only_through_save():
    """One way to commit from a view: govtrack.forms.save, which also explains refusals."""
    found = [
        f"{name}:{node.lineno}" for name, path in MODULES.items()
        if name.endswith(".views") or ".views." in name
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback")
        and isinstance(node.value, ast.Attribute) and node.value.attr == "session"]
    assert found == []
