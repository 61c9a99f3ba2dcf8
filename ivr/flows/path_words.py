"""A caller's way through a flow in the menu's own words: 지방세 → 상담사 연결.

The desk and QA show the IVR path to people who know the menu as callers
hear it, not by its node ids (`main_menu > topic_tax > tax_info`). The words
come from the flow itself: a menu's Korean prompt names each option ("지방세는
3번"), so the node a digit leads to is called by that name; a queue node is
"상담사 연결". Steps without words (plays, checks) are left out of the path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ivr.flows.model import Flow, MenuNode, QueueNode

CONNECT = "상담사 연결"
# "민원서류와 여권은 1번", "상담사 연결은 0번": a clause naming an option and its key.
_OPTION = re.compile(r"^\s*(?P<label>[^,.]+?)(?:은|는)\s*(?P<key>[0-9*#])번")
_CLAUSE = re.compile(r"[,.]\s*")


def menu_options(text: str) -> dict[str, str]:
    """The options a Korean menu prompt names: key -> label ('3' -> '지방세')."""
    found: dict[str, str] = {}
    for clause in _CLAUSE.split(text):
        match = _OPTION.match(clause)
        if match:
            found.setdefault(match["key"], match["label"].strip())
    return found


@dataclass(frozen=True)
class FlowWords:
    """A flow's words: node id -> name, (menu id, key) -> option name, and its first node."""

    steps: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[tuple[str, str], str] = field(default_factory=dict)
    start: str = ""


def flow_words(flow: Flow) -> FlowWords:
    """What the desk calls the flow's steps and menu options."""
    options = {
        (node_id, key): label
        for node_id, node in flow.nodes.items()
        if isinstance(node, MenuNode)
        for key, label in option_labels(flow, node).items()
    }
    return FlowWords(step_words(flow), options, flow.start)


def step_words(flow: Flow) -> dict[str, str]:
    """Node id -> what a caller would call it; only nodes a menu names, and queues."""
    words: dict[str, str] = {}
    for node_id, node in flow.nodes.items():
        if isinstance(node, QueueNode):
            words[node_id] = CONNECT
    for node in flow.nodes.values():
        if not isinstance(node, MenuNode):
            continue
        for key, label in option_labels(flow, node).items():
            target = node.on.get(key)
            if target and target not in words:
                words[target] = label
    return words


def option_labels(flow: Flow, menu: MenuNode) -> dict[str, str]:
    """A menu's digits and their names, from its prompts' Korean text."""
    labels: dict[str, str] = {}
    for prompt_id in menu.prompts:
        prompt = flow.prompts.get(prompt_id)
        if prompt is not None and prompt.ko:
            for key, label in menu_options(prompt.ko).items():
                labels.setdefault(key, label)
    return labels


def spoken_path(steps: Iterable[str], words: Mapping[str, str]) -> list[str]:
    """The steps that have words, in order, without saying the same thing twice running."""
    said: list[str] = []
    for step in steps:
        word = words.get(step)  # a subflow's steps ("notice.x") are not the menu's
        if word and (not said or said[-1] != word):
            said.append(word)
    return said
