"""Checks on the shape of a flow: targets, outcomes, reachability, silent loops."""

from __future__ import annotations

import difflib

from ruamel.yaml.comments import CommentedMap

from ivr.flows import model
from ivr.flows.positions import key_pos, node_data, value_pos
from ivr.flows.report import Report, did_you_mean


def check_graph(flow: model.Flow, data: CommentedMap, report: Report) -> None:
    if flow.start not in flow.nodes:
        report.error(
            value_pos(data, "start"),
            f"start: there is no node {flow.start!r}" + did_you_mean(flow.start, flow.nodes),
        )
    for node_id, node in flow.nodes.items():
        raw = node_data(data, node_id)
        targets = node.targets()
        for outcome, target in targets.items():
            if target not in flow.nodes:
                where = (
                    value_pos(raw.get("on", {}), outcome)
                    if outcome in raw.get("on", {})
                    else (value_pos(raw, "next"))
                )
                report.error(
                    where,
                    f"nodes.{node_id}: outcome {outcome!r} leads to {target!r}, "
                    f"which is not a node{did_you_mean(target, flow.nodes)}",
                )
        possible = node.outcomes()
        for outcome in targets:
            if outcome not in possible and outcome != "error":
                where = (
                    key_pos(raw.get("on", {}), outcome)
                    if outcome in raw.get("on", {})
                    else (key_pos(raw, "next"))
                )
                can = ", ".join(sorted(possible)) or "nothing (it ends the call)"
                report.error(
                    where,
                    f"nodes.{node_id}: a {node.type} node never ends with {outcome!r}; it ends with: {can}",
                )
        if not node.terminal:
            for outcome in sorted(possible - targets.keys()):
                report.error(
                    key_pos(data["nodes"], node_id),
                    f"nodes.{node_id}: outcome {outcome!r} is not handled (add it under on:)",
                )
        if isinstance(node, model.HangupNode) and not node.prompt:
            report.warn(
                key_pos(data["nodes"], node_id), f"nodes.{node_id}: hangs up without a goodbye prompt"
            )
    reachable = _reachable(flow)
    for node_id in flow.nodes:
        if reachable is not None and node_id not in reachable:
            report.error(
                key_pos(data["nodes"], node_id),
                f"nodes.{node_id}: unreachable (no outcome leads here from {flow.start!r})",
            )
    for cycle in _silent_cycles(flow):
        first = cycle[0]
        report.error(
            key_pos(data["nodes"], first),
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
