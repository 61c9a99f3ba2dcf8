"""The call-center core never reaches past ports.py: no aiohttp, no ARI, no database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ("ivr/flows", "ivr/acd", "ivr/calls", "ivr/reports")
FORBIDDEN = ("aiohttp", "ivr.ari", "ivr.store", "ivr.web", "ivr.pbx", "sqlite3", "sqlite_utils", "panoramisk")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def module_file(name: str) -> Path | None:
    base = ROOT / name.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reachable(start: Path) -> dict[str, Path]:
    """Every ivr module a file imports, directly or through other ivr modules."""
    seen: dict[str, Path] = {}
    todo = [start]
    while todo:
        for name in imports_of(todo.pop()):
            if name in seen:
                continue
            seen[name] = Path()
            if name.startswith("ivr"):
                f = module_file(name)
                if f is not None:
                    seen[name] = f
                    todo.append(f)
    return seen


@pytest.mark.parametrize("path", [p for d in CORE for p in sorted((ROOT / d).glob("*.py"))], ids=str)
def test_core_module_imports_nothing_of_the_edges(path: Path) -> None:
    bad = sorted(n for n in reachable(path) if n.startswith(FORBIDDEN))
    assert bad == [], f"{path.relative_to(ROOT)} reaches {bad}"
