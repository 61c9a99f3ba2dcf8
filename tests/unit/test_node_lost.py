"""A call whose Asterisk node is gone (docs/scaling.md): closed once, lost, its counselor freed.

`CallService.line_lost` on fake calls, and the nodes' lifecycle (ivr/ari/nodes.py)
with an injected clock: a node down for `lost_after` seconds loses its calls once.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from ivr.acd import supervision
from ivr.acd.counselor_states import CounselorState
from ivr.ari.desk_phones import DeskPhones, PhoneSight
from ivr.ari.nodes import NODE_MOVES, NodeEvent, Nodes, NodeState, move, supervisor_ringer
from ivr.ari.recordings import NodesRecordingSource
from ivr.ari.rest import AriRest
from ivr.errors import CallGone, PbxUnreachable
from tests.unit.test_queue_node import service, talking_and_waiting


async def test_a_conversation_on_a_lost_node_is_closed_once_and_its_counselor_freed() -> None:
    svc, records = service(["c1"])
    await talking_and_waiting(svc, records)
    for call_id in ("call-1", "call-2", "call-1", "no-such-call"):  # told twice: still one record
        svc.line_lost(call_id, "node_lost")
    await asyncio.wait_for(asyncio.gather(svc.join("call-1"), svc.join("call-2")), 5)
    assert sorted(records.closed_ids) == ["call-1", "call-2"]
    talked, waited = records.calls["call-1"], records.calls["call-2"]
    # A call that had connected stays answered (as after a restart); the one in line is lost.
    assert (talked.disposition, talked.hangup_by, talked.hangup_cause) == ("answered", "system", "node_lost")
    assert (waited.disposition, waited.hangup_by, waited.hangup_cause) == ("lost", "system", "node_lost")
    assert svc.acd.counselors["c1"].state is not CounselorState.ON_CALL
    assert svc.acd.waiting_count("general") == 0


EXPECTED = {
    (NodeState.DOWN, NodeEvent.CONNECTED): NodeState.UP,
    (NodeState.DOWN, NodeEvent.DROPPED): NodeState.DOWN,
    (NodeState.DOWN, NodeEvent.TIMED_OUT): NodeState.LOST,
    (NodeState.UP, NodeEvent.CONNECTED): NodeState.UP,
    (NodeState.UP, NodeEvent.DROPPED): NodeState.DOWN,
    (NodeState.UP, NodeEvent.TIMED_OUT): NodeState.UP,
    (NodeState.LOST, NodeEvent.CONNECTED): NodeState.UP,
    (NodeState.LOST, NodeEvent.DROPPED): NodeState.LOST,
    (NodeState.LOST, NodeEvent.TIMED_OUT): NodeState.LOST,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(NodeState, NodeEvent)))
def test_every_pair_of_the_nodes_table(state: NodeState, event: NodeEvent) -> None:
    assert move(state, event) is EXPECTED[(state, event)]
    if (state, event) not in NODE_MOVES:
        assert EXPECTED[(state, event)] is state  # a pair not in the table changes nothing


class FakeNode:
    """A node's ARI connection: connected or not, and the calls it carries."""

    def __init__(self, calls: list[str]) -> None:
        self.connected = asyncio.Event()
        self.calls = list(calls)
        self.lost: list[tuple[str, str]] = []

    def is_connected(self) -> bool:
        return self.connected.is_set()

    async def registered(self) -> bool:
        return self.is_connected()

    def lose_calls(self, why: str) -> int:
        lost, self.calls = self.calls, []
        self.lost += [(c, why) for c in lost]
        return len(lost)

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def stop(self) -> None:
        pass


async def test_a_node_down_for_lost_after_seconds_loses_its_calls_once_and_comes_back() -> None:
    now = [100.0]
    a, b = FakeNode(["a1"]), FakeNode(["b1", "b2"])
    nodes = Nodes({"a": a, "b": b}, lost_after=5.0, monotonic=lambda: now[0])
    a.connected.set()
    b.connected.set()
    nodes.check()
    assert nodes.states() == {"a": NodeState.UP, "b": NodeState.UP}
    now[0] += 60  # up a long while
    nodes.check()
    b.connected.clear()  # node b's Asterisk is killed: its events connection drops
    nodes.check()
    now[0] += 4.9
    nodes.check()
    assert nodes.states()["b"] is NodeState.DOWN and b.lost == []  # a reconnect may still come
    now[0] += 0.2
    nodes.check()
    now[0] += 10
    nodes.check()
    assert nodes.states() == {"a": NodeState.UP, "b": NodeState.LOST}
    assert b.lost == [("b1", "node_lost"), ("b2", "node_lost")] and a.lost == []
    b.connected.set()  # node b is back: reconciled as after a restart, and up
    nodes.check()
    assert nodes.states()["b"] is NodeState.UP
    b.calls = ["b3"]
    b.connected.clear()
    now[0] += 1
    nodes.check()
    b.connected.set()  # back within lost_after: its calls go on
    now[0] += 10
    nodes.check()
    assert nodes.states()["b"] is NodeState.UP and b.calls == ["b3"]


class NodeSpool:
    """One node's stored recordings (a RecordingSource), or an unreachable node."""

    def __init__(self, files: dict[str, bytes], reachable: bool = True) -> None:
        self.files = files
        self.reachable = reachable

    def _reach(self) -> None:
        if not self.reachable:
            raise PbxUnreachable("node down")

    async def in_progress(self, name: str) -> bool:
        self._reach()
        return False

    async def fetch(self, name: str) -> bytes:
        self._reach()
        if name not in self.files:
            raise CallGone(name)
        return self.files[name]

    async def discard(self, name: str) -> None:
        self._reach()
        self.files.pop(name, None)


async def test_a_recording_is_fetched_from_and_discarded_on_the_node_that_holds_it() -> None:
    a, b = NodeSpool({}), NodeSpool({"call-b-1.1": b"RIFF"})
    source = NodesRecordingSource([a, b])
    assert await source.fetch("call-b-1.1") == b"RIFF"
    await source.discard("call-b-1.1")
    assert b.files == {}
    with pytest.raises(CallGone):  # no node has it: missing
        await source.fetch("call-a-2.2")
    b.reachable = False  # the node that may hold it is down: asked again later, not "missing"
    with pytest.raises(PbxUnreachable):
        await source.fetch("call-b-3.3")
    assert await source.in_progress("call-b-3.3") is False


def test_a_phone_is_offline_only_where_every_node_that_saw_it_says_so() -> None:
    sight, a, b = PhoneSight(), object(), object()
    assert not sight.offline("desk01")  # nobody said anything: offered as usual
    sight.say(a, "desk01", offline=False)
    sight.say(b, "desk01", offline=True)  # node b just started: not qualified yet
    assert not sight.offline("desk01")
    sight.say(a, "desk01", offline=True)
    assert sight.offline("desk01")
    sight.say(b, "desk01", offline=False)
    sight.forget(b)  # node b lost: what it said no longer counts
    assert sight.offline("desk01")


async def test_the_wallboards_supervision_rings_from_the_node_of_the_counselors_call() -> None:
    svc, records = service(["c1"])
    await talking_and_waiting(svc, records)  # c1 talks with call-1
    rest = AriRest("http://127.0.0.1:1", "u", "p")  # never asked here

    def node(calls: dict[str, Any]) -> DeskPhones:
        return DeskPhones(rest, "app", svc, calls, {"sup01": "s1"}, lambda coro: coro.close())

    a, b = node({}), node({"call-1": object()})
    dialed = supervision.code(supervision.Mode.LISTEN, "c1", list(svc.acd.counselors))
    assert (a.carries(dialed), b.carries(dialed)) == (False, True)
    assert not b.carries("*999")  # not a supervision code
    rung: list[tuple[str, str, str]] = []

    class Phones:
        def __init__(self, name: str, phones: DeskPhones) -> None:
            self.name, self.phones = name, phones

        def carries(self, dialed: str) -> bool:
            return self.phones.carries(dialed)

        async def ring_supervisor(self, supervisor_id: str, dialed: str) -> None:
            rung.append((self.name, supervisor_id, dialed))

    ring = supervisor_ringer([Phones("a", a), Phones("b", b)])
    await ring("s1", dialed)
    await ring("s1", "*999")  # no call anywhere: the first node rings, and says so to the supervisor
    assert rung == [("b", "s1", dialed), ("a", "s1", "*999")]
    svc.line_lost("call-1", "test over")
    svc.line_lost("call-2", "test over")
    await asyncio.wait_for(asyncio.gather(svc.join("call-1"), svc.join("call-2")), 5)
