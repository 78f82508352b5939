"""House rules of the domain (STYLE #1, #2), checked on the source itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REGISTRY = Path(__file__).parents[2] / "simulator" / "registry"
WALL_CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "monotonic"), ("func", "now"),
}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            yield (name, node.func.attr), node.lineno


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", sorted(REGISTRY.glob("*.py")), ids=lambda p: p.name)
def test_the_registry_never_reads_the_wall_clock(path: Path) -> None:
    tree = ast.parse(path.read_text())

    reads = [f"{path.name}:{line} {a}.{b}()" for (a, b), line in _calls(tree)
             if (a, b) in WALL_CLOCK_CALLS]

    assert reads == []


@pytest.mark.parametrize("name", ["model.py", "rules.py", "identifiers.py", "errors.py"])
def test_the_pure_domain_imports_only_the_standard_library(name: str) -> None:
    tree = ast.parse((REGISTRY / name).read_text())

    foreign = {m for m in _imported_modules(tree)
               if m not in sys.stdlib_module_names and m not in {"__future__", "simulator"}}

    assert foreign == set()
