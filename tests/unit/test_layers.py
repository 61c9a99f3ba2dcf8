"""The import graph of ivr/ runs one way: no circles, no arrow from a lower layer to a higher one.

Every module is walked, packages included. A module may import its own
package and anything in a lower layer; never a higher layer, nor another
package of its own layer (the edges do not lean on one another). Imports
under `if TYPE_CHECKING:` are not runtime arrows and are left out.
docs/architecture.md explains the layers; a new package must be placed here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. The core (ports, prompts, acd, flows, calls, reports) reaches
# nothing of the edges: no HTTP, database, AMI or child process (the flow
# language's own YAML and schema libraries are part of it). config is read by
# the edges and the wiring, never by the core, which receives plain values.
LAYERS: dict[str, int] = {
    "errors": 0,
    "ports": 1,
    "runtime": 1,  # logs, timings, the service lock: used at run time by every layer
    "prompts": 2,
    "protection": 2,  # the four endings, the call-length timer (pure rules)
    "acd": 3,
    "flows": 4,
    "calls": 5,
    "reports": 5,
    "kb": 5,  # the knowledge base's rules: articles, lifecycle, Markdown files, Korean search terms
    "cases": 5,  # 민원: the case value, its lifecycle, deadlines in working days (pure)
    "config": 6,
    "store": 7,
    "ari": 7,
    "ami": 7,
    "pbx": 8,  # renders prompts and flows' recordings, asks ARI for its status
    "cluster": 9,  # Kamailio in front of several Asterisk nodes: render, start, stop, status (uses pbx's)
    "admin": 9,
    "web": 10,
    "rehearsal": 10,  # `ivr rehearse`: plans with flows/, simulates with admin/, calls with SIPp
    "app": 11,  # the composition root: wires what is below it
    "cli": 12,  # `ivr serve` starts the root; the other commands use admin and store
    "__main__": 13,
}
CORE = (
    "ports",
    "errors",
    "runtime",
    "prompts",
    "protection",
    "acd",
    "flows",
    "calls",
    "reports",
    "kb",
    "cases",
)
CORE_NEVER_IMPORTS = ("aiohttp", "sqlite3", "sqlite_utils", "panoramisk", "subprocess")


def modules(root: Path) -> dict[str, Path]:
    """Every module under root/ivr by its dotted name (a package by its __init__)."""
    found = {}
    for f in sorted((root / "ivr").rglob("*.py")):
        name = ".".join(f.relative_to(root).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = f
    return found


def _runtime_imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                yield from _runtime_imports(child, module, is_package)
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                parent = parts if is_package else parts[:-1]
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            yield base
            yield from (f"{base}.{a.name}" for a in node.names)
        yield from _runtime_imports(node, module, is_package)


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the ivr modules it imports at run time."""
    mods = modules(root)
    out: dict[str, set[str]] = {}
    for name, path in mods.items():
        targets = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for imported in _runtime_imports(tree, name, path.name == "__init__.py"):
            while imported and imported not in mods:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and imported.startswith("ivr."):
                targets.add(imported)
        out[name] = targets
    return out


def third_party(root: Path, name: str) -> set[str]:
    path = modules(root)[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {i.split(".")[0] for i in _runtime_imports(tree, name, path.name == "__init__.py")}


def package(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def circles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(g):
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in g:
                    continue
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(g[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


def violations(root: Path) -> list[str]:
    """Every rule the import graph breaks, one line each."""
    g = graph(root)
    problems = [f"circle: {' -> '.join(c)}" for c in circles(g)]
    for name in sorted(g):
        here = package(name)
        if name == "ivr":
            continue
        if here not in LAYERS:
            problems.append(f"{name}: package {here!r} has no layer in tests/unit/test_layers.py")
            continue
        for target in sorted(g[name]):
            there = package(target)
            if there == here or there not in LAYERS:
                continue
            if LAYERS[there] > LAYERS[here]:
                problems.append(f"upward: {name} -> {target} ({here} is below {there})")
            elif LAYERS[there] == LAYERS[here]:
                problems.append(f"sideways: {name} -> {target} ({here} and {there} are one layer)")
        if here in CORE:
            bad = sorted(third_party(root, name) & set(CORE_NEVER_IMPORTS))
            if bad:
                problems.append(f"core: {name} imports {', '.join(bad)}")
    return problems


def test_the_import_graph_runs_one_way() -> None:
    assert violations(ROOT) == []


# The test of the test: plant each kind of violation in a small tree and see it named.


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    return tmp_path


CLEAN = {
    "ivr/__init__.py": "",
    "ivr/ports.py": "from ivr import errors\n",
    "ivr/errors.py": "",
    "ivr/flows/__init__.py": "",
    "ivr/flows/engine.py": "from ivr.flows.nodes import menu\nfrom ivr.ports import X\n",
    "ivr/flows/nodes/__init__.py": "",
    "ivr/flows/nodes/menu.py": "from ivr.flows.run import FlowRun\n",
    "ivr/flows/run.py": "from __future__ import annotations\n",
    "ivr/calls/__init__.py": "",
    "ivr/calls/service.py": "from ivr.flows.engine import run_flow\n",
}


def test_given_a_clean_tree_then_nothing_is_named(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        # A node module reaching up into calls (the arrow this test was written for).
        (
            {"ivr/flows/nodes/menu.py": "from ivr.calls.service import CallService\n"},
            "upward: ivr.flows.nodes.menu -> ivr.calls.service (flows is below calls)",
        ),
        # The engine and a node importing each other.
        (
            {"ivr/flows/run.py": "from ivr.flows import engine\n"},
            "circle: ivr.flows.engine -> ivr.flows.nodes.menu -> ivr.flows.run",
        ),
        # A relative import counts like an absolute one.
        (
            {"ivr/flows/nodes/menu.py": "from ...calls import service\n"},
            "upward: ivr.flows.nodes.menu -> ivr.calls.service (flows is below calls)",
        ),
        # The core reads config.yaml's settings itself.
        (
            {"ivr/flows/nodes/menu.py": "from ivr.config import Settings\n", "ivr/config.py": ""},
            "upward: ivr.flows.nodes.menu -> ivr.config (flows is below config)",
        ),
        # One edge leaning on another.
        (
            {
                "ivr/store/__init__.py": "",
                "ivr/store/x.py": "from ivr.ari.legs import cause\n",
                "ivr/ari/legs.py": "",
            },
            "sideways: ivr.store.x -> ivr.ari.legs (store and ari are one layer)",
        ),
        # The core on a library of the edges.
        (
            {"ivr/flows/nodes/menu.py": "import aiohttp\n"},
            "core: ivr.flows.nodes.menu imports aiohttp",
        ),
        # A package nobody placed.
        (
            {"ivr/gadgets/__init__.py": "", "ivr/gadgets/thing.py": ""},
            "ivr.gadgets: package 'gadgets' has no layer in tests/unit/test_layers.py",
        ),
    ],
)
def test_given_a_planted_violation_then_it_is_named(
    tmp_path: Path, planted: dict[str, str], expected: str
) -> None:
    assert expected in violations(_tree(tmp_path, {**CLEAN, **planted}))


def test_an_import_under_type_checking_is_not_an_arrow(tmp_path: Path) -> None:
    planted = {
        "ivr/flows/nodes/menu.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from ivr.calls.service import CallService\n"
        )
    }
    assert violations(_tree(tmp_path, {**CLEAN, **planted})) == []
