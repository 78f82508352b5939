"""House rules of the domain, checked on the source itself."""

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


PURE = {"model", "lookup", "change", "rules", "identifiers", "errors"}
ALLOWED_OWN = {f"simulator.registry.{name}" for name in PURE}


def _imported_modules(tree: ast.AST):
    """Absolute names of every module imported, relative imports resolved from registry/."""
    package = ["simulator", "registry"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module is None:  # from . import x
                yield from (f"{module}.{alias.name}" for alias in node.names)
            else:
                yield module


@pytest.mark.parametrize("path", sorted(REGISTRY.glob("*.py")), ids=lambda p: p.name)
def test_the_registry_never_reads_the_wall_clock(path: Path) -> None:
    tree = ast.parse(path.read_text())

    reads = [f"{path.name}:{line} {a}.{b}()" for (a, b), line in _calls(tree)
             if (a, b) in WALL_CLOCK_CALLS]

    assert reads == []


@pytest.mark.parametrize("name", sorted(f"{n}.py" for n in PURE))
def test_the_pure_domain_imports_only_the_standard_library_and_itself(name: str) -> None:
    tree = ast.parse((REGISTRY / name).read_text())

    foreign = {m for m in _imported_modules(tree)
               if m.split(".")[0] not in sys.stdlib_module_names and m not in ALLOWED_OWN}

    assert foreign == set()
