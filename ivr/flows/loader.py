"""Load a flow file into typed nodes, rejecting it with every error at once.

Each error is `file:line:column: message`, pointing at the key or value that
is wrong, so an admin fixes the file without reading Python. Soft problems
(a hangup without a goodbye) come back as warnings and do not stop a publish.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from ivr.errors import ConfigError
from ivr.flows import kb_prompts, model
from ivr.flows.graph_checks import check_graph
from ivr.flows.model import NODE_CLASSES
from ivr.flows.positions import find_value, key_pos, node_data, path_pos, value_pos
from ivr.flows.report import Report, did_you_mean
from ivr.flows.schedule import Schedule, impossible
from ivr.flows.schedule_text import ScheduleErrors, format_key


class FlowError(ConfigError):
    """A flow file was rejected; `problems` are `file:line:column: message` lines."""


@dataclass(frozen=True)
class Known:
    """What config.yaml and the callflows folder define, for cross-checks."""

    queues: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    flows: frozenset[str] = frozenset()
    timezone: str = "Asia/Seoul"
    # Knowledge-base articles a prompt may read (`kb: slug`): the published ones'
    # spoken text per language, and the slugs that exist but are not published.
    articles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unpublished: frozenset[str] = frozenset()


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
    report = Report(filename)
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
    flow = kb_prompts.resolve(flow, data, report, known.articles, known.unpublished)
    loaded = Loaded(flow, text, filename)
    check_graph(flow, data, report)
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


def _check_types(nodes: CommentedMap, report: Report) -> None:
    for node_id, node in nodes.items():
        if not isinstance(node, CommentedMap):
            continue
        kind = node.get("type")
        if kind is None:
            report.error(key_pos(nodes, node_id), f"nodes.{node_id}: every node needs a type")
        elif kind not in NODE_CLASSES:
            hint = did_you_mean(str(kind), NODE_CLASSES)
            report.error(value_pos(node, "type"), f"nodes.{node_id}.type: unknown node type {kind!r}{hint}")


def _plain(node: Any, drop_bad_types: bool = False) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            k = k.isoformat() if isinstance(k, datetime.date) else k
            if drop_bad_types and k == "nodes" and isinstance(v, dict):
                out[str(k)] = {
                    str(nid): _plain(n)
                    for nid, n in v.items()
                    if not isinstance(n, dict) or n.get("type") in NODE_CLASSES
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


# -- prompts and references ----------------------------------------------------
def _check_prompts(flow: model.Flow, data: CommentedMap, report: Report) -> None:
    used: set[str] = set()
    for node_id, node in flow.nodes.items():
        raw = node_data(data, node_id)
        for pid in node.prompt_ids():
            used.add(pid)
            if pid not in flow.prompts:
                report.error(
                    find_value(raw, pid),
                    f"nodes.{node_id}: prompt {pid!r} is not defined "
                    f"under prompts:{did_you_mean(pid, flow.prompts)}",
                )
    for pid, prompt in flow.prompts.items():
        if prompt.file or (prompt.kb and not prompt.ko):
            continue  # a recording; or an article reference that kb_prompts already refused
        missing = [lang for lang in flow.languages if not prompt.text(lang)]
        if missing:
            report.error(
                key_pos(data["prompts"], pid),
                f"prompts.{pid}: no text in {', '.join(missing)}, a language this flow offers",
            )
        if pid not in used:
            report.warn(key_pos(data["prompts"], pid), f"prompts.{pid}: never used")


def _check_references(flow: model.Flow, data: CommentedMap, report: Report, known: Known) -> None:
    for node_id, node in flow.nodes.items():
        raw = node_data(data, node_id)
        if (
            isinstance(node, model.QueueNode | model.CallbackNode | model.BookingNode)
            and node.queue is not None
        ):
            if node.queue not in known.queues:
                report.error(
                    value_pos(raw, "queue"),
                    f"nodes.{node_id}.queue: config.yaml defines no "
                    f"queue {node.queue!r}{did_you_mean(node.queue, known.queues)}",
                )
        if isinstance(node, model.TransferNode) and node.department not in known.departments:
            report.error(
                value_pos(raw, "department"),
                f"nodes.{node_id}.department: config.yaml defines "
                f"no department {node.department!r}"
                f"{did_you_mean(node.department, known.departments)}",
            )
        if isinstance(node, model.SubflowNode) and node.flow not in known.flows:
            report.error(
                value_pos(raw, "flow"),
                f"nodes.{node_id}.flow: there is no callflows/"
                f"{node.flow}.yaml{did_you_mean(node.flow, known.flows)}",
            )
        if isinstance(node, model.LanguageNode) and node.language not in flow.languages:
            report.error(
                value_pos(raw, "language"),
                f"nodes.{node_id}.language: {node.language!r} is not "
                f"one of this flow's languages ({', '.join(flow.languages)})",
            )


def _check_schedules(
    flow: model.Flow, data: CommentedMap, report: Report, known: Known, loaded: Loaded
) -> None:
    for node_id, node in flow.nodes.items():
        if not isinstance(node, model.ScheduleNode):
            continue
        raw = node_data(data, node_id)
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
                where = path_pos(raw, list(err.key))
                report.error(where, f"nodes.{node_id}.{format_key(err.key)}: {err.message}")
            continue
        loaded.schedules[node_id] = schedule
        for warning in impossible(schedule):
            report.warn(key_pos(data["nodes"], node_id), f"nodes.{node_id}: {warning}")
