"""Seconds to the goal: for each way through a flow, how much audio a caller
hears before they reach what they called for.

A goal is where the caller's wait for the IVR ends:
- `counselor`: a counselor's phone rings. That is the moment the caller
  enters a queue: a free counselor is rung while the entry prompt plays
  (flows/nodes/line_sound.py), so the entry prompt costs nothing here.
- `department`: a transfer's phone rings, after the transfer's prompt.
- `self_service`: an answer starts (a `play` node reached by a menu choice).
- `callback`: a callback is taken (its confirmation starts; the question
  before it is heard), or a callback hour booked (예약 상담: its two
  questions are counted, not the options read after them).
- `message`: the beep of a voicemail (after its prompt).

Seconds are the prompts' audio lengths (rendered or recorded files, given by
the caller of this module): what a caller hears who waits for each prompt to
end and then presses the key at once. Menus' retry prompts are not on a way
to a goal; a menu's `timeout`/`invalid` outcomes are not followed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ivr.flows import model

MAX_PATHS = 500  # a flow with more ways than this is cut (and says so)
_NOT_CHOSEN = frozenset({"timeout", "invalid"})


@dataclass(frozen=True)
class GoalPath:
    """One way from the flow's start to a goal."""

    steps: tuple[str, ...]  # "node" or "node[outcome]" for each branch taken
    goal: str  # counselor | department | self_service | callback | message
    seconds: float
    # What each sentence costs on this way: (prompt id, seconds), in order heard.
    heard: tuple[tuple[str, float], ...]

    @property
    def keys(self) -> str:
        """The digits a caller presses on this way, e.g. "1,0"."""
        return ",".join(s.split("[", 1)[1][:-1] for s in self.steps if "[" in s and s[-2:-1].isdigit())


def _goal(node: model.Node, chose: bool) -> str | None:
    if isinstance(node, model.QueueNode):
        return "counselor"
    if isinstance(node, model.TransferNode):
        return "department"
    if isinstance(node, (model.CallbackNode, model.BookingNode)):
        return "callback"
    if isinstance(node, model.VoicemailNode):
        return "message"
    if isinstance(node, model.PlayNode) and chose:
        return "self_service"
    return None


def _heard_before_goal(node: model.Node) -> list[str]:
    """Prompts of a goal node heard before its goal is reached."""
    if isinstance(node, (model.TransferNode, model.VoicemailNode)):
        return node.prompt_ids()
    if isinstance(node, model.CallbackNode):
        return [node.prompt]
    if isinstance(node, model.BookingNode):
        return [node.day_prompt, node.hour_prompt]  # the options read after each are not counted
    return []


def _heard_passing(node: model.Node) -> list[str]:
    """Prompts a caller hears going through a node that is not their goal."""
    if isinstance(node, model.PlayNode):
        return list(node.prompts)
    if isinstance(node, model.MenuNode):
        return node.prompts
    return []


def paths_to_goals(
    flow: model.Flow,
    seconds_of: Callable[[str], float],
    subflow_seconds: Mapping[str, float] | None = None,
) -> tuple[list[GoalPath], bool]:
    """Every way (no node twice) from the start to a goal, fastest first;
    and whether the list was cut at MAX_PATHS. `seconds_of(prompt_id)` is a
    prompt's audio length; `subflow_seconds[flow]` the audio of a subflow's
    quickest way to its return (0 if unknown)."""
    found: list[GoalPath] = []
    subs = subflow_seconds or {}

    def walk(node_id: str, steps: tuple[str, ...], heard: tuple[tuple[str, float], ...], chose: bool) -> bool:
        if len(found) >= MAX_PATHS:
            return False
        node = flow.nodes[node_id]
        goal = _goal(node, chose)
        if goal is not None:
            more = tuple((p, seconds_of(p)) for p in _heard_before_goal(node))
            all_heard = heard + more
            found.append(GoalPath((*steps, node_id), goal, round(sum(s for _, s in all_heard), 1), all_heard))
            return True
        passing = tuple((p, seconds_of(p)) for p in _heard_passing(node))
        if isinstance(node, model.SubflowNode):
            passing += ((f"{node.flow}:*", subs.get(node.flow, 0.0)),)
        for outcome, target in sorted(node.targets().items()):
            if outcome in _NOT_CHOSEN or any(s.split("[")[0] == target for s in steps) or target == node_id:
                continue
            branches = len(node.targets()) > 1
            step = f"{node_id}[{outcome}]" if branches else node_id
            is_choice = isinstance(node, model.MenuNode)
            if not walk(target, (*steps, step), heard + passing, chose or is_choice):
                return False
        return True

    complete = walk(flow.start, (), (), False)
    found.sort(key=lambda p: (p.goal != "counselor", p.seconds))
    return found, not complete


def quickest_to_return(flow: model.Flow, seconds_of: Callable[[str], float]) -> float:
    """A subflow's audio on its quickest way to a `return` node (0 if none)."""
    best: list[float] = []

    def walk(node_id: str, seen: frozenset[str], total: float) -> None:
        node = flow.nodes[node_id]
        if isinstance(node, model.ReturnNode):
            best.append(total)
            return
        total += sum(seconds_of(p) for p in _heard_passing(node))
        for outcome, target in node.targets().items():
            if outcome not in _NOT_CHOSEN and target not in seen and len(best) < MAX_PATHS:
                walk(target, seen | {target}, total)

    walk(flow.start, frozenset({flow.start}), 0.0)
    return round(min(best), 1) if best else 0.0


def over_budget(paths: list[GoalPath], budget: float) -> list[GoalPath]:
    """Ways to a counselor that take longer than `budget` seconds of audio."""
    return [p for p in paths if p.goal == "counselor" and p.seconds > budget]
