"""Load a flow file into typed nodes, rejecting it with every error at once.

Each error is `file:line:column: message`, pointing at the key or value that
is wrong, so an admin fixes the file without reading Python. Soft problems
(a hangup without a goodbye) come back as warnings and do not stop a publish.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from ivr.errors import ConfigError
from ivr.flows import model
from ivr.flows.schedule import Schedule, ScheduleErrors, format_key, impossible

_NODE_CLASSES: dict[str, type[model.Node]] = {
    "play": model.PlayNode,
    "menu": model.MenuNode,
    "collect": model.CollectNode,
    "schedule": model.ScheduleNode,
    "caller": model.CallerNode,
    "language": model.LanguageNode,
    "queue": model.QueueNode,
    "transfer": model.TransferNode,
    "voicemail": model.VoicemailNode,
    "callback": model.CallbackNode,
    "survey": model.SurveyNode,
    "set": model.SetNode,
    "goto": model.GotoNode,
    "subflow": model.SubflowNode,
    "return": model.ReturnNode,
    "hangup": model.HangupNode,
}


class FlowError(ConfigError):
    """A flow file was rejected; `problems` are `file:line:column: message` lines."""


@dataclass(frozen=True)
class Known:
    """What config.yaml and the callflows folder define, for cross-checks."""

    queues: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    flows: frozenset[str] = frozenset()
    timezone: str = "Asia/Seoul"


@dataclass
class Loaded:
    """A valid flow, its source, and the warnings it passed with."""

    flow: model.Flow
    source: str
    path: str
    warnings: list[str] = field(default_factory=list)
    schedules: dict[str, Schedule] = field(default_factory=dict)


def load_file(path: str | Path, known: Known) -> Loaded:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError([f"{path}: cannot read: {exc}"]) from None
    return load_text(text, str(path), known)


def load_text(text: str, filename: str, known: Known) -> Loaded:
    """Validate a flow's YAML text; raise FlowError listing every problem."""
    report = _Report(filename)
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        raise FlowError([f"{filename}:{_yaml_problem(exc)}"]) from None
    if not isinstance(data, CommentedMap):
        raise FlowError([f"{filename}:1:1: a flow file is a mapping with flow, start, prompts and nodes"])
    nodes = data.get("nodes")
    if isinstance(nodes, CommentedMap):
        _check_types(nodes, report)
    try:
        flow = model.Flow.model_validate(_plain(data, drop_bad_types=True))
    except ValidationError as exc:
        for err in exc.errors():
            report.pydantic(data, err)
        raise FlowError(report.sorted()) from None
    if report.errors:
        raise FlowError(report.sorted())
    loaded = Loaded(flow, text, filename)
    _check_graph(flow, data, report)
    _check_prompts(flow, data, report)
    _check_references(flow, data, report, known)
    _check_schedules(flow, data, report, known, loaded)
    if report.errors:
        raise FlowError(report.sorted())
    loaded.warnings = report.sorted_warnings()
    return loaded


def _yaml_problem(exc: MarkedYAMLError) -> str:
    """`line:col: message` where the parser stopped, naming where the construct it was in began.

    An unclosed [ or { is only noticed lines later, so the message points back to it.
    """
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"{line}:{col}: not valid YAML: {exc.problem}"
    if "'\\t'" in str(exc.problem):
        message += " (indent with spaces, not tabs)"
    began = exc.context_mark
    if exc.context and began is not None and (began.line, began.column) != (line - 1, col - 1):
        message += f" ({exc.context} that starts at line {began.line + 1}, column {began.column + 1})"
    return message


class _Constructor(RoundTripConstructor):
    """Round-trip loading, except that an impossible date stays text.

    ruamel.yaml reads an unquoted 2026-13-01 as a date and raises a bare
    ValueError without a position; as text it reaches the schedule check,
    which says where it is and what to write.
    """

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


class _Report:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[tuple[int, int, str]] = []
        self.warnings: list[tuple[int, int, str]] = []

    def error(self, where: tuple[int, int], message: str) -> None:
        self.errors.append((where[0], where[1], message))

    def warn(self, where: tuple[int, int], message: str) -> None:
        self.warnings.append((where[0], where[1], message))

    def sorted(self) -> list[str]:
        return [f"{self.filename}:{ln}:{col}: {msg}" for ln, col, msg in sorted(set(self.errors))]

    def sorted_warnings(self) -> list[str]:
        return [f"{self.filename}:{ln}:{col}: warning: {msg}" for ln, col, msg in sorted(set(self.warnings))]

    def pydantic(self, data: Any, err: Any) -> None:
        loc = list(err["loc"])
        # A discriminated union puts the node type into the path: drop it.
        if len(loc) >= 3 and loc[0] == "nodes" and loc[2] in _NODE_CLASSES:
            node_type = loc.pop(2)
        else:
            node_type = None
        loc = [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
        kind = err["type"]
        # A check over the whole node names the key it is about (max_digits, on.12).
        problem = (err.get("ctx") or {}).get("error")
        at_key = kind == "extra_forbidden"
        if isinstance(problem, model.KeyProblem):
            loc += list(problem.key)
            at_key = problem.at_key
        where = _where(data, loc, at_key=at_key)
        key = _dotted(loc)
        if kind == "extra_forbidden":
            cls = _NODE_CLASSES.get(node_type or "") if node_type else _model_at(loc)
            hint = _did_you_mean(str(loc[-1]), cls.model_fields if cls else ())
            if not hint and " " in str(loc[-1]):
                # `{ko: 1번, 2번}`: YAML splits unquoted text at the comma.
                hint = " (text with a comma inside {...} must be in quotes)"
            self.error(where, f"{key}: unknown key{hint}")
        elif kind == "missing":
            self.error(_where(data, loc[:-1]), f"{key}: required key is missing")
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            self.error(where, f"{key}: {msg}")


def _model_at(loc: list[Any]) -> type[BaseModel] | None:
    if len(loc) == 1:
        return model.Flow
    if len(loc) == 3 and loc[0] == "prompts":
        return model.Prompt
    return None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_types(nodes: CommentedMap, report: _Report) -> None:
    for node_id, node in nodes.items():
        if not isinstance(node, CommentedMap):
            continue
        kind = node.get("type")
        if kind is None:
            report.error(_pos_key(nodes, node_id), f"nodes.{node_id}: every node needs a type")
        elif kind not in _NODE_CLASSES:
            hint = _did_you_mean(str(kind), _NODE_CLASSES)
            report.error(_pos_value(node, "type"), f"nodes.{node_id}.type: unknown node type {kind!r}{hint}")


def _plain(node: Any, drop_bad_types: bool = False) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            k = k.isoformat() if isinstance(k, datetime.date) else k
            if drop_bad_types and k == "nodes" and isinstance(v, dict):
                out[str(k)] = {
                    str(nid): _plain(n)
                    for nid, n in v.items()
                    if not isinstance(n, dict) or n.get("type") in _NODE_CLASSES
                }
            else:
                out[str(k)] = _plain(v)
        return out
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, datetime.date):
        # YAML reads 2026-12-31 unquoted as a date; the flow language wants text.
        return node.isoformat()
    return node


def _key_in(m: CommentedMap, part: Any) -> Any:
    """The map's own key for a path part (YAML may have made it a date)."""
    if part in m:
        return part
    return next((k for k in m if str(k) == str(part)), None)


# -- positions -------------------------------------------------------------
def _pos_key(m: Any, key: Any) -> tuple[int, int]:
    if isinstance(m, CommentedMap) and key in m:
        line, col = m.lc.key(key)
        return line + 1, col + 1
    return _pos_node(m)


def _pos_value(m: Any, key: Any) -> tuple[int, int]:
    if isinstance(m, CommentedMap) and key in m:
        line, col = m.lc.value(key)
        return line + 1, col + 1
    return _pos_node(m)


def _pos_node(m: Any) -> tuple[int, int]:
    if isinstance(m, CommentedMap | CommentedSeq) and m.lc.line is not None:
        return m.lc.line + 1, m.lc.col + 1
    return 1, 1


def _where(data: Any, loc: list[Any], at_key: bool = False) -> tuple[int, int]:
    """The deepest position ruamel knows for a path: of its value, or of its key if `at_key`."""
    pos = (1, 1)
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, CommentedMap) and _key_in(node, part) is not None:
            part = _key_in(node, part)
            last = i == len(loc) - 1
            pos = _pos_key(node, part) if last or not isinstance(node[part], dict | list) else pos
            if last and not isinstance(node[part], dict | list) and not at_key:
                pos = _pos_value(node, part)
            node = node[part]
            if not last:
                pos = _pos_node(node) if isinstance(node, dict | list) else pos
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, col = node.lc.item(part)
            pos = (line + 1, col + 1)
            node = node[part]
        else:
            break
    return pos


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _node_data(data: CommentedMap, node_id: str) -> Any:
    return data["nodes"][node_id]


# -- the graph ---------------------------------------------------------------
def _check_graph(flow: model.Flow, data: CommentedMap, report: _Report) -> None:
    if flow.start not in flow.nodes:
        report.error(
            _pos_value(data, "start"),
            f"start: there is no node {flow.start!r}" + _did_you_mean(flow.start, flow.nodes),
        )
    for node_id, node in flow.nodes.items():
        raw = _node_data(data, node_id)
        targets = node.targets()
        for outcome, target in targets.items():
            if target not in flow.nodes:
                where = (
                    _pos_value(raw.get("on", {}), outcome)
                    if outcome in raw.get("on", {})
                    else (_pos_value(raw, "next"))
                )
                report.error(
                    where,
                    f"nodes.{node_id}: outcome {outcome!r} leads to {target!r}, "
                    f"which is not a node{_did_you_mean(target, flow.nodes)}",
                )
        possible = node.outcomes()
        for outcome in targets:
            if outcome not in possible and outcome != "error":
                where = (
                    _pos_key(raw.get("on", {}), outcome)
                    if outcome in raw.get("on", {})
                    else (_pos_key(raw, "next"))
                )
                can = ", ".join(sorted(possible)) or "nothing (it ends the call)"
                report.error(
                    where,
                    f"nodes.{node_id}: a {node.type} node never ends with {outcome!r}; it ends with: {can}",
                )
        if not node.terminal:
            for outcome in sorted(possible - targets.keys()):
                report.error(
                    _pos_key(data["nodes"], node_id),
                    f"nodes.{node_id}: outcome {outcome!r} is not handled (add it under on:)",
                )
        if isinstance(node, model.HangupNode) and not node.prompt:
            report.warn(
                _pos_key(data["nodes"], node_id), f"nodes.{node_id}: hangs up without a goodbye prompt"
            )
    reachable = _reachable(flow)
    for node_id in flow.nodes:
        if reachable is not None and node_id not in reachable:
            report.error(
                _pos_key(data["nodes"], node_id),
                f"nodes.{node_id}: unreachable (no outcome leads here from {flow.start!r})",
            )
    for cycle in _silent_cycles(flow):
        first = cycle[0]
        report.error(
            _pos_key(data["nodes"], first),
            f"nodes.{first}: loop {' -> '.join([*cycle, first])} neither plays a prompt "
            "nor waits for the caller: the call would spin forever",
        )


def _reachable(flow: model.Flow) -> set[str] | None:
    """Nodes reached from start; None when start names no node and suggests none.

    A target or start that misses a node already has its own error; following the
    node it most likely meant keeps the nodes behind a typo from being reported
    as unreachable too.
    """
    seen: set[str] = set()
    todo = [_meant(flow.start, flow)]
    if todo[0] is None:
        return None
    while todo:
        nid = todo.pop()
        if nid is None or nid in seen:
            continue
        seen.add(nid)
        todo.extend(_meant(t, flow) for t in flow.nodes[nid].targets().values())
    return seen


def _meant(node_id: str, flow: model.Flow) -> str | None:
    if node_id in flow.nodes:
        return node_id
    close = difflib.get_close_matches(node_id, list(flow.nodes), n=1, cutoff=0.6)
    return close[0] if close else None


def _silent(node: model.Node) -> bool:
    return not node.prompt_ids() and not node.waits_for_caller


def _silent_cycles(flow: model.Flow) -> list[list[str]]:
    """Cycles made only of nodes that neither speak nor listen (Tarjan's SCCs)."""
    silent = {nid for nid, n in flow.nodes.items() if _silent(n)}
    graph = {nid: [t for t in flow.nodes[nid].targets().values() if t in silent] for nid in silent}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# -- prompts and references ----------------------------------------------------
def _check_prompts(flow: model.Flow, data: CommentedMap, report: _Report) -> None:
    used: set[str] = set()
    for node_id, node in flow.nodes.items():
        raw = _node_data(data, node_id)
        for pid in node.prompt_ids():
            used.add(pid)
            if pid not in flow.prompts:
                report.error(
                    _find_value(raw, pid),
                    f"nodes.{node_id}: prompt {pid!r} is not defined "
                    f"under prompts:{_did_you_mean(pid, flow.prompts)}",
                )
    for pid, prompt in flow.prompts.items():
        if prompt.file:
            continue
        missing = [lang for lang in flow.languages if not prompt.text(lang)]
        if missing:
            report.error(
                _pos_key(data["prompts"], pid),
                f"prompts.{pid}: no text in {', '.join(missing)}, a language this flow offers",
            )
        if pid not in used:
            report.warn(_pos_key(data["prompts"], pid), f"prompts.{pid}: never used")


def _find_value(raw: Any, value: str) -> tuple[int, int]:
    """Where a scalar value sits inside a node (for prompt references)."""
    if isinstance(raw, CommentedMap):
        for k, v in raw.items():
            if v == value:
                return _pos_value(raw, k)
            if isinstance(v, CommentedMap | CommentedSeq):
                pos = _find_value(v, value)
                if pos != _pos_node(v) or v == value:
                    return pos
    if isinstance(raw, CommentedSeq):
        for i, v in enumerate(raw):
            if v == value:
                line, col = raw.lc.item(i)
                return line + 1, col + 1
            if isinstance(v, CommentedMap):
                pos = _find_value(v, value)
                if pos != _pos_node(v):
                    return pos
    return _pos_node(raw)


def _check_references(flow: model.Flow, data: CommentedMap, report: _Report, known: Known) -> None:
    for node_id, node in flow.nodes.items():
        raw = _node_data(data, node_id)
        if isinstance(node, model.QueueNode | model.CallbackNode) and node.queue is not None:
            if node.queue not in known.queues:
                report.error(
                    _pos_value(raw, "queue"),
                    f"nodes.{node_id}.queue: config.yaml defines no "
                    f"queue {node.queue!r}{_did_you_mean(node.queue, known.queues)}",
                )
        if isinstance(node, model.TransferNode) and node.department not in known.departments:
            report.error(
                _pos_value(raw, "department"),
                f"nodes.{node_id}.department: config.yaml defines "
                f"no department {node.department!r}"
                f"{_did_you_mean(node.department, known.departments)}",
            )
        if isinstance(node, model.SubflowNode) and node.flow not in known.flows:
            report.error(
                _pos_value(raw, "flow"),
                f"nodes.{node_id}.flow: there is no callflows/"
                f"{node.flow}.yaml{_did_you_mean(node.flow, known.flows)}",
            )
        if isinstance(node, model.LanguageNode) and node.language not in flow.languages:
            report.error(
                _pos_value(raw, "language"),
                f"nodes.{node_id}.language: {node.language!r} is not "
                f"one of this flow's languages ({', '.join(flow.languages)})",
            )


def _check_schedules(
    flow: model.Flow, data: CommentedMap, report: _Report, known: Known, loaded: Loaded
) -> None:
    for node_id, node in flow.nodes.items():
        if not isinstance(node, model.ScheduleNode):
            continue
        raw = _node_data(data, node_id)
        spec = {
            "hours": node.hours,
            "holidays": node.holidays,
            "closed_days": node.closed_days,
            "exceptions": node.exceptions,
        }
        try:
            schedule = Schedule.from_mapping(spec, timezone=known.timezone)
        except ScheduleErrors as errs:
            for err in errs.errors:
                where = _where(raw, list(err.key))
                report.error(where, f"nodes.{node_id}.{format_key(err.key)}: {err.message}")
            continue
        loaded.schedules[node_id] = schedule
        for warning in impossible(schedule):
            report.warn(_pos_key(data["nodes"], node_id), f"nodes.{node_id}: {warning}")
