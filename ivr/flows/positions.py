"""Where things are in a flow file: line and column of keys and values (ruamel)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq


def key_in(m: CommentedMap, part: Any) -> Any:
    """The map's own key for a path part (YAML may have made it a date)."""
    if part in m:
        return part
    return next((k for k in m if str(k) == str(part)), None)


def key_pos(m: Any, key: Any) -> tuple[int, int]:
    if isinstance(m, CommentedMap) and key in m:
        line, col = m.lc.key(key)
        return line + 1, col + 1
    return node_pos(m)


def value_pos(m: Any, key: Any) -> tuple[int, int]:
    if isinstance(m, CommentedMap) and key in m:
        line, col = m.lc.value(key)
        return line + 1, col + 1
    return node_pos(m)


def node_pos(m: Any) -> tuple[int, int]:
    if isinstance(m, CommentedMap | CommentedSeq) and m.lc.line is not None:
        return m.lc.line + 1, m.lc.col + 1
    return 1, 1


def path_pos(data: Any, loc: list[Any], at_key: bool = False) -> tuple[int, int]:
    """The deepest position ruamel knows for a path: of its value, or of its key if `at_key`."""
    pos = (1, 1)
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, CommentedMap) and key_in(node, part) is not None:
            part = key_in(node, part)
            last = i == len(loc) - 1
            pos = key_pos(node, part) if last or not isinstance(node[part], dict | list) else pos
            if last and not isinstance(node[part], dict | list) and not at_key:
                pos = value_pos(node, part)
            node = node[part]
            if not last:
                pos = node_pos(node) if isinstance(node, dict | list) else pos
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, col = node.lc.item(part)
            pos = (line + 1, col + 1)
            node = node[part]
        else:
            break
    return pos


def dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def node_data(data: CommentedMap, node_id: str) -> Any:
    return data["nodes"][node_id]


def find_value(raw: Any, value: str) -> tuple[int, int]:
    """Where a scalar value sits inside a node (for prompt references)."""
    if isinstance(raw, CommentedMap):
        for k, v in raw.items():
            if v == value:
                return value_pos(raw, k)
            if isinstance(v, CommentedMap | CommentedSeq):
                pos = find_value(v, value)
                if pos != node_pos(v) or v == value:
                    return pos
    if isinstance(raw, CommentedSeq):
        for i, v in enumerate(raw):
            if v == value:
                line, col = raw.lc.item(i)
                return line + 1, col + 1
            if isinstance(v, CommentedMap):
                pos = find_value(v, value)
                if pos != node_pos(v):
                    return pos
    return node_pos(raw)
