"""Several Asterisk nodes behind Kamailio, one ARI connection each (docs/scaling.md).

Each node has its own AriHub (WebSocket, REST, reconnects, Reconciler), all of
them running the same Stasis app and driving one CallService: counselor
states, queues and the dispatcher stay one. A call is driven on the node
where it arrived, because its hub made its AriCall with that node's REST: its
prompts, the counselor's leg (rung through Kamailio, where the phone
registered), the bridge and the recording all live there. ARI cannot bridge
across nodes, and nothing here needs to.

A node whose events connection stays down for `lost_after` seconds is lost:
media is not replicated, so its calls end, each once, as lost, and their
counselors are free again; Kamailio has meanwhile stopped sending it calls
(OPTIONS). A node that comes back is reconciled as after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from enum import Enum
from typing import Protocol

from ivr.calls.service import CallService
from ivr.ports import CallRecords

log = logging.getLogger(__name__)

CHECK_EVERY = 0.5  # seconds between looks at the nodes' connections


class NodeState(Enum):
    DOWN = "down"  # not connected (yet, or for less than lost_after)
    UP = "up"
    LOST = "lost"  # down for lost_after: its calls were ended


class NodeEvent(Enum):
    CONNECTED = "connected"  # its events connection is up (reconciled)
    DROPPED = "dropped"  # its events connection is down
    TIMED_OUT = "timed_out"  # down for lost_after seconds


# The one table of a node's life; a pair not here changes nothing.
NODE_MOVES: dict[tuple[NodeState, NodeEvent], NodeState] = {
    (NodeState.DOWN, NodeEvent.CONNECTED): NodeState.UP,
    (NodeState.DOWN, NodeEvent.TIMED_OUT): NodeState.LOST,
    (NodeState.UP, NodeEvent.DROPPED): NodeState.DOWN,
    (NodeState.LOST, NodeEvent.CONNECTED): NodeState.UP,
}


def move(state: NodeState, event: NodeEvent) -> NodeState:
    return NODE_MOVES.get((state, event), state)


async def close_unclaimed(records: CallRecords, service: CallService) -> None:
    """After a start: open records no node took up ended while the service was down.

    With one node its Reconciler does this; with several, a call not alive on
    one node may be alive on another, so each takes up only its own."""
    for facts in await records.open_calls():
        if not service.knows(facts.call_id):
            await service.close_lost(facts, "ended while the service was down")


def settling(records: CallRecords, service: CallService) -> Callable[[], Awaitable[None]]:
    """Hold every offer from now until the step returned has run (Nodes' on_settled: every
    node answered, or lost_after passed). After a start each node takes up its own calls,
    in whatever order the nodes answer; offers made sooner would ring a counselor still
    talking on a node not yet taken up, and serve callers by node, not by their turn."""
    service.acd.hold()

    async def settle() -> None:
        # The open records no node took up ended while the service was down; offers
        # begin once every caller taken back into line asks again: in the order they came.
        await close_unclaimed(records, service)
        await service.rejoined()
        service.acd.hold(False)

    return settle


class SupervisorPhones(Protocol):
    """A node's desk phones (DeskPhones), as the wallboard's supervision buttons use them."""

    def carries(self, dialed: str) -> bool: ...

    async def ring_supervisor(self, supervisor_id: str, dialed: str) -> None: ...


def supervisor_ringer(
    nodes: Sequence[SupervisorPhones],
) -> Callable[[str, str], Awaitable[None]]:
    """The wallboard's listen, whisper or barge rings the supervisor's phone from
    the node of the counselor's call: a bridge is joined only on its own node."""

    async def ring(supervisor_id: str, dialed: str) -> None:
        node = next((n for n in nodes if n.carries(dialed)), nodes[0])
        await node.ring_supervisor(supervisor_id, dialed)

    return ring


class Node(Protocol):
    """What the nodes need of one node's ARI side (an AriHub)."""

    def is_connected(self) -> bool: ...

    async def registered(self) -> bool: ...

    def lose_calls(self, why: str) -> int: ...

    async def run(self) -> None: ...

    async def stop(self) -> None: ...


class Nodes:
    """Runs every node's ARI connection and ends the calls of a node that is lost."""

    def __init__(
        self,
        nodes: Mapping[str, Node],
        *,
        lost_after: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_settled: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.nodes = nodes
        self.lost_after = lost_after
        self.monotonic = monotonic
        self.on_settled = on_settled  # once every node answered, or lost_after passed
        self._state = dict.fromkeys(nodes, NodeState.DOWN)
        self._down_since: dict[str, float] = dict.fromkeys(nodes, monotonic())
        self.calls_lost = 0

    def states(self) -> dict[str, NodeState]:
        return dict(self._state)

    def check(self) -> None:
        """One look at every node's connection; a node just lost loses its calls."""
        now = self.monotonic()
        for name, node in self.nodes.items():
            if node.is_connected():
                event = NodeEvent.CONNECTED
            elif self._state[name] is NodeState.DOWN and now - self._down_since[name] >= self.lost_after:
                event = NodeEvent.TIMED_OUT
            else:
                event = NodeEvent.DROPPED
            before = self._state[name]
            after = self._state[name] = move(before, event)
            if after is before:
                continue
            log.info("node %s: %s -> %s", name, before.value, after.value)
            if after is NodeState.DOWN:
                self._down_since[name] = now
            elif after is NodeState.LOST:
                lost = node.lose_calls("node_lost")
                self.calls_lost += lost
                log.warning(
                    "node %s is lost (no ARI for %.0f s): %d call(s) ended", name, self.lost_after, lost
                )

    async def run(self) -> None:
        """Until cancelled: every node connected (reconnecting), and watched."""
        # Counted from now, not from when the service was built: a standby builds it
        # at its start and runs it when it takes over, maybe hours later.
        self._down_since = dict.fromkeys(self.nodes, self.monotonic())
        runs = [asyncio.create_task(node.run(), name=f"ari-{name}") for name, node in self.nodes.items()]
        try:
            settled = self.on_settled is None
            started = self.monotonic()
            while True:
                self.check()
                if not settled and (
                    all(s is NodeState.UP for s in self._state.values())
                    or self.monotonic() - started >= self.lost_after
                ):
                    settled = True
                    assert self.on_settled is not None
                    await self.on_settled()
                await asyncio.sleep(CHECK_EVERY)
        finally:
            for task in runs:
                task.cancel()
            for task in runs:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def registered(self) -> bool:
        """Whether our app is registered on some node: calls are driven while one is left
        (/healthz is 200; a node lost is the cluster's loss, and its `nodes` say which)."""
        for node in self.nodes.values():
            if await node.registered():
                return True
        return False

    async def stop(self) -> None:
        for node in self.nodes.values():
            await node.stop()
