"""Runs a flow on one call: node after node, following named outcomes.

The same engine runs a real call (CallControl on ARI) and `ivr flows
simulate` (CallControl that prints): there is no second implementation.
Hangup is cancellation: the engine never sees it as an outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ivr.calls.context import CallContext
from ivr.flows import model
from ivr.flows.loader import Loaded
from ivr.flows.promptbook import PromptBook
from ivr.ports import CallControl, CallGoneError, PbxUnreachableError, RecordingLog

log = logging.getLogger(__name__)

MAX_STEPS = 500  # a call that walks this many nodes is stuck; end it politely


@dataclass(frozen=True)
class Queue:
    name: str
    counselors: tuple[str, ...]


@dataclass(frozen=True)
class Department:
    name: str
    endpoint: str


@dataclass
class FlowEnv:
    """What the engine supplies to nodes (their preconditions), shared by all calls."""

    now: Callable[[], datetime]
    ring_seconds: float = 15.0
    queues: Mapping[str, Queue] = field(default_factory=dict)
    departments: Mapping[str, Department] = field(default_factory=dict)
    subflows: Callable[[str], tuple[Loaded, PromptBook]] | None = None
    endpoints: Mapping[str, str] = field(default_factory=dict)  # counselor id -> endpoint
    # Told when a callback request is stored, so it is served without polling.
    callback_requested: Callable[[], None] | None = None
    # Told what becomes of recordings (the service's copier); None in simulations.
    recordings: RecordingLog | None = None


@dataclass
class FlowRun:
    """One call's walk through its flow."""

    call: CallControl
    ctx: CallContext
    env: FlowEnv
    loaded: Loaded
    book: PromptBook
    language: str = "ko"
    vars: dict[str, str] = field(default_factory=dict)
    priority: bool = False
    pending_digit: str | None = None  # pressed during a prompt with barge-in
    node_id: str = ""  # the node running now

    @property
    def flow(self) -> model.Flow:
        return self.loaded.flow

    def sounds(self, prompt_ids: list[str]) -> list[str]:
        return self.book.names(prompt_ids, self.language)

    async def say(self, prompt_ids: list[str], *, barge_in: bool = False) -> str | None:
        if not prompt_ids:
            return None
        return await self.call.play(self.sounds(prompt_ids), barge_in=barge_in)


Runner = Callable[[Any, FlowRun], Awaitable[str | None]]


def runners() -> dict[str, Runner]:
    from ivr.flows.nodes import branching, callback, collect, menu, queue, speech, survey, voicemail

    return {
        "play": speech.play,
        "hangup": speech.hangup,
        "menu": menu.ask,
        "collect": collect.collect,
        "schedule": branching.schedule,
        "caller": branching.caller,
        "language": branching.language,
        "set": branching.set_tags,
        "goto": branching.goto,
        "queue": queue.connect,
        "transfer": queue.transfer,
        "voicemail": voicemail.record,
        "callback": callback.take,
        "survey": survey.ask,
    }


_RUNNERS: dict[str, Runner] = {}


async def run_flow(run: FlowRun, start: str | None = None, prefix: str = "") -> str | None:
    """Walk the flow from `start`; return "return" when a subflow returns, else None."""
    if not _RUNNERS:
        _RUNNERS.update(runners())
    flow = run.flow
    node_id = start or flow.start
    for _ in range(MAX_STEPS):
        node = flow.nodes[node_id]
        await run.ctx.step(f"{prefix}{node_id}", type=node.type)
        if isinstance(node, model.ReturnNode):
            return "return"
        if isinstance(node, model.SubflowNode):
            outcome: str | None = await _subflow(run, node)
        else:
            outcome = await _run_node(run, node_id, node)
        if outcome is None:
            return None  # the node ended the call
        target = node.targets().get(outcome)
        if target is None:
            # The loader rejects flows with unhandled outcomes; this is a bug.
            log.error("node %s ended with %r, which leads nowhere; ending the call", node_id, outcome)
            await run.call.hangup()
            return None
        node_id = target
    log.error("the call walked %d nodes without end; ending it", MAX_STEPS)
    await run.call.hangup()
    return None


async def _run_node(run: FlowRun, node_id: str, node: model.Node) -> str | None:
    run.node_id = node_id
    try:
        return await _RUNNERS[node.type](node, run)
    except (CallGoneError, PbxUnreachableError):
        raise
    except Exception:
        if "error" not in node.on:
            raise
        # Non-fatal: the flow has said where to go when this node fails.
        log.exception("node %s failed; following its error outcome", node_id)
        await run.ctx.event("node_error", node=node_id)
        return "error"


async def _subflow(run: FlowRun, node: model.SubflowNode) -> str | None:
    if run.env.subflows is None:
        raise RuntimeError("subflows are not available here")
    loaded, book = run.env.subflows(node.flow)
    outer_loaded, outer_book = run.loaded, run.book
    run.loaded, run.book = loaded, book
    try:
        result = await run_flow(run, prefix=f"{node.flow}.")
    finally:
        run.loaded, run.book = outer_loaded, outer_book
    return "done" if result == "return" else None
