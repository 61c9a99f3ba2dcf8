"""Runs a flow on one call: node after node, following named outcomes.

The same engine runs a real call (CallControl on ARI) and `ivr flows
simulate` (CallControl that prints): there is no second implementation.
Hangup is cancellation: the engine never sees it as an outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ivr.errors import CallGone, PbxUnreachable
from ivr.flows import model
from ivr.flows.nodes import (
    booking,
    branching,
    callback,
    case,
    collect,
    menu,
    queue,
    speech,
    survey,
    voicemail,
)
from ivr.flows.run import FlowRun

log = logging.getLogger(__name__)

MAX_STEPS = 500  # a call that walks this many nodes is stuck; end it politely

Runner = Callable[[Any, FlowRun], Awaitable[str | None]]


RUNNERS: dict[str, Runner] = {
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
    "booking": booking.book,
    "case": case.tell,
    "survey": survey.ask,
}


async def run_flow(run: FlowRun, start: str | None = None, prefix: str = "") -> str | None:
    """Walk the flow from `start`; return "return" when a subflow returns, else None."""
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
        return await RUNNERS[node.type](node, run)
    except (CallGone, PbxUnreachable):
        raise
    except Exception:
        if "error" not in node.on:
            raise
        # Non-fatal: the flow has said where to go when this node fails.
        log.exception("node %s failed; following its error outcome", node_id)
        await run.ctx.event("node_error", node=node_id)
        return "error"


async def _subflow(run: FlowRun, node: model.SubflowNode) -> str | None:
    kept = run.subflows.get(node.flow) if run.subflows is not None else None
    if kept is not None:
        loaded, book = kept
    elif run.env.subflows is None:
        raise RuntimeError("subflows are not available here")
    else:
        loaded, book = run.env.subflows(node.flow)
    outer_loaded, outer_book = run.loaded, run.book
    run.loaded, run.book = loaded, book
    try:
        result = await run_flow(run, prefix=f"{node.flow}.")
    finally:
        run.loaded, run.book = outer_loaded, outer_book
    return "done" if result == "return" else None
