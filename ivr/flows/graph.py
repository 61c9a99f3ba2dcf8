"""A flow as a diagram: Graphviz DOT text, drawn by `dot` (Debian's graphviz)."""

from __future__ import annotations

from ivr.flows import model

_SHAPES = {
    "menu": "diamond",
    "collect": "parallelogram",
    "schedule": "hexagon",
    "caller": "hexagon",
    "queue": "box3d",
    "transfer": "box3d",
    "hangup": "doubleoctagon",
    "return": "invhouse",
    "subflow": "component",
}


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(flow: model.Flow) -> str:
    """Nodes labelled with id and type (and the first words they say), outcomes as edges."""
    lines = [
        f"digraph {_quote(flow.flow)} {{",
        "  rankdir=TB;",
        '  node [fontname="NanumGothic,sans-serif", fontsize=10, style=filled, fillcolor="#f5f7fa"];',
        '  edge [fontname="sans-serif", fontsize=9];',
        '  __start [shape=circle, label="", width=0.2, fillcolor="#222222"];',
        f"  __start -> {_quote(flow.start)};",
    ]
    for node_id, node in flow.nodes.items():
        label = f"{node_id}\n[{node.type}]"
        said = [flow.prompts[p].text(flow.languages[0]) for p in node.prompt_ids()[:1] if p in flow.prompts]
        if said and said[0]:
            words = said[0] if len(said[0]) <= 24 else said[0][:23] + "…"
            label += f"\n{words}"
        if isinstance(node, model.SubflowNode):
            label += f"\n→ {node.flow}"
        shape = _SHAPES.get(node.type, "box")
        lines.append(f"  {_quote(node_id)} [shape={shape}, label={_quote(label)}];")
    for node_id, node in flow.nodes.items():
        for outcome, target in node.targets().items():
            lines.append(f"  {_quote(node_id)} -> {_quote(target)} [label={_quote(outcome)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
