"""Broken flows in tests/flows/bad/ each give the expected errors at the right place.

Each bad file starts with one `# expect: LINE:COL: text` line per error it must
produce (LINE:COL in that same file, comment lines counted). The loader must
report exactly those problems: no missing one, no spurious one. The good files
in tests/flows/good/ use every node type and load cleanly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivr.flows.loader import FlowError, Known, load_file, load_text
from ivr.flows.model import NODE_TYPES
from ivr.flows.registry import load_dir

FLOWS = Path(__file__).resolve().parents[1] / "flows"
BAD = sorted((FLOWS / "bad").glob("*.yaml"))
GOOD = sorted((FLOWS / "good").glob("*.yaml"))
_EXPECT = re.compile(r"^# expect: (\d+):(\d+): (.+)$")


def known_for(path: Path) -> Known:
    return Known(
        queues=frozenset({"general"}),
        departments=frozenset({"tax"}),
        flows=frozenset({"shared", path.stem}),
        timezone="Asia/Seoul",
    )


def expectations(path: Path) -> list[tuple[int, int, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            out.append((int(match[1]), int(match[2]), match[3].strip()))
    return out


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FlowError) as caught:
        load_file(path, known_for(path))
    return caught.value.problems


def test_given_the_bad_folder_then_it_holds_at_least_twenty_broken_flows_each_with_expectations() -> None:
    assert len(BAD) >= 20
    assert [p.name for p in BAD if not expectations(p)] == []


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_given_a_broken_flow_when_loaded_then_each_expected_error_is_reported_at_its_line(path: Path) -> None:
    problems = problems_of(path)
    for line, col, text in expectations(path):
        prefix = f"{path}:{line}:{col}: "
        assert any(p.startswith(prefix) and text in p for p in problems), (
            f"expected {line}:{col}: {text!r}; got:\n" + "\n".join(problems)
        )


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_given_a_broken_flow_when_loaded_then_no_other_error_is_reported(path: Path) -> None:
    problems = problems_of(path)
    assert len(problems) == len(expectations(path)), "\n".join(problems)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_given_a_broken_flow_when_loaded_then_problems_come_sorted_by_position(path: Path) -> None:
    positions = [tuple(int(n) for n in p.removeprefix(f"{path}:").split(":")[:2]) for p in problems_of(path)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_given_a_good_flow_when_loaded_then_it_has_no_errors(path: Path) -> None:
    loaded = load_file(path, known_for(path))
    assert loaded.flow.flow == path.stem


def test_given_the_good_flows_then_together_they_use_every_node_type() -> None:
    used = {node.type for p in GOOD for node in load_file(p, known_for(p)).flow.nodes.values()}
    assert sorted(set(NODE_TYPES) - used) == []


def test_given_the_good_folder_when_loaded_as_a_whole_then_subflows_resolve() -> None:
    loaded = load_dir(FLOWS / "good", known_for(FLOWS / "good" / "full.yaml"))
    assert sorted(loaded) == sorted(p.stem for p in GOOD)


SEVERAL_MISTAKES = """\
flow: several
languages: [ko]
start: hello
prompts:
  hi: {ko: 안녕하십니까.}
  bye: {ko: 안녕히 계십시오.}
nodes:
  hello:
    type: play
    prompts: [hii]
    next: connect
  connect:
    type: queue
    queue: generl
    on: {completed: bye, overflow: bye, closed: bye, timeout: bye}
  bye:
    type: hangup
    prompt: bye
  transfer:
    type: transfer
    department: welfare
    on: {completed: bye, failed: byee}
"""


def test_given_a_flow_with_several_mistakes_when_loaded_then_all_are_reported_in_line_order() -> None:
    with pytest.raises(FlowError) as caught:
        load_text(SEVERAL_MISTAKES, "several.yaml", known_for(Path("several.yaml")))
    got = [(p.split(":")[1], p.split(":")[2], p.split(": ", 1)[1]) for p in caught.value.problems]
    assert got == [
        ("10", "15", "nodes.hello: prompt 'hii' is not defined under prompts: (did you mean 'hi'?)"),
        ("14", "12", "nodes.connect.queue: config.yaml defines no queue 'generl' (did you mean 'general'?)"),
        (
            "15",
            "54",
            "nodes.connect: a queue node never ends with 'timeout'; "
            "it ends with: closed, completed, overflow",
        ),
        ("19", "3", "nodes.transfer: unreachable (no outcome leads here from 'hello')"),
        ("21", "17", "nodes.transfer.department: config.yaml defines no department 'welfare'"),
        (
            "22",
            "34",
            "nodes.transfer: outcome 'failed' leads to 'byee', which is not a node (did you mean 'bye'?)",
        ),
    ]
