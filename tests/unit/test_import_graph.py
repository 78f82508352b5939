"""The shape of the code, checked on its import graph (read with ``ast``, nothing imported).

- No cycle between the packages of ``simulator/`` (each top-level package or module is a node).
- The qualification core (``registry/``) imports no capability built on it: only itself and the
  foundation modules (clock, codes, datasets, config).
- Pure modules (every ``model.py`` and ``rules.py``) import no Flask, Werkzeug, lxml or
  SQLAlchemy.

Imports under ``if TYPE_CHECKING:`` name types only and are not dependencies at run time.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SIMULATOR = ROOT / "simulator"
FOUNDATION = {"clock", "codes", "datasets", "config"}
FRAMEWORKS = {"flask", "werkzeug", "lxml", "sqlalchemy"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> list[str]:
    name = _module_name(path).split(".")
    return name if path.name == "__init__.py" else name[:-1]


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def imports_of(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _package(path)[: len(_package(path)) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= ({f"{module}.{a.name}" for a in node.names} if node.module is None
                      else {module})
    return found


def _node(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "simulator" and len(parts) > 1 else None


SOURCES = sorted(SIMULATOR.rglob("*.py"))
GRAPH: dict[str, set[str]] = defaultdict(set)
for _source in SOURCES:
    _own = _node(_module_name(_source))
    if _own is not None:
        GRAPH[_own] |= {n for m in imports_of(_source) if (n := _node(m)) not in (None, _own)}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            component.append(node)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_packages_import_each_other() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_imports_nothing_built_on_it() -> None:
    assert GRAPH["registry"] - FOUNDATION == set()


@pytest.mark.parametrize(
    "path", [p for p in SOURCES if p.name in ("model.py", "rules.py")],
    ids=lambda p: str(p.relative_to(SIMULATOR)))
def test_a_pure_module_imports_no_framework(path: Path) -> None:
    frameworks = {m for m in imports_of(path) if m.split(".")[0] in FRAMEWORKS}

    assert frameworks == set()
