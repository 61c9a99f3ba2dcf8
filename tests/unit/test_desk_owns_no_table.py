"""The desk renders and routes: every table and SQL statement is in ivr/store/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ("sqlite3", "sqlite_utils")


def database_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        found += [n for n in names if n.split(".")[0] in DATABASE]
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "ivr/web").rglob("*.py")), ids=str)
def test_given_a_desk_module_then_it_imports_no_database_library(path: Path) -> None:
    assert database_imports(path) == [], f"{path.relative_to(ROOT)}: its queries belong in ivr/store/"
