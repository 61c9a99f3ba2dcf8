"""A start on several nodes (a restart, or a standby taking over): each node takes up its
own calls, in whatever order the nodes answer; offers wait until every node has (the
dispatcher's hold, released by ari/nodes.py's `settling`), so counselors still talking on a
node not yet taken up are not offered anyone, and callers back in line are served in the
order they came, not in the order their nodes answered."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from ivr.acd.counselor_model import CounselorState
from ivr.ari.nodes import Nodes, NodeState, settling
from ivr.calls.service import CallService
from ivr.ports import CallFacts, OfferResult, WaitingPlace
from tests.unit.fakes import FakeCall, FakeLeg, MemoryRecords
from tests.unit.test_node_lost import FakeNode
from tests.unit.test_queue_node import caller, events, service

KST = timezone(timedelta(hours=9))


async def back_in_line(svc: CallService, records: MemoryRecords, call: FakeCall, minute: int) -> None:
    """A node took up `call`, which waited in line since 08:`minute` (before the start at 09:00)."""
    at = datetime(2026, 11, 27, 8, minute, tzinfo=KST)
    records.waiting[call.call_id] = WaitingPlace("general", at, entry_position=1)
    facts = CallFacts(call.call_id, call.caller, "2221000", started_at=at, ivr_path=["wait"])
    await svc.resume(call, facts, None)


async def asking(svc: CallService, records: MemoryRecords, call_id: str) -> None:
    async with asyncio.timeout(5):
        while not events(records, call_id, "queue_resumed") or not svc.acd.all_asking():
            await records.changed_event()


async def test_callers_back_in_line_on_two_nodes_are_served_in_the_order_they_came() -> None:
    svc, records = service(["c1"], max_wait=3600)  # in line since before the start
    settle = settling(records, svc)  # the service starts on several nodes: offers wait
    earlier, later = caller(1, {"c1": OfferResult.ANSWERED}), caller(2, {"c1": OfferResult.ANSWERED})
    # The later caller's node answers first, and that caller already asks for a counselor...
    await back_in_line(svc, records, later, minute=59)
    await asking(svc, records, "call-2")
    # ...when the other node answers: its caller, in line a minute longer, is on their way back.
    await back_in_line(svc, records, earlier, minute=58)
    await settle()
    await asyncio.wait_for(earlier.connected.wait(), 5)
    assert not later.connected.is_set()
    assert [call for call, kind, _ in records.events if kind == "offer"] == ["call-1"]
    earlier.legs["c1"].ended.set()
    await asyncio.wait_for(later.connected.wait(), 5)
    later.legs["c1"].ended.set()
    await asyncio.wait_for(asyncio.gather(svc.join("call-1"), svc.join("call-2")), 5)


async def test_a_counselor_talking_on_a_node_not_yet_taken_up_is_offered_nobody() -> None:
    svc, records = service(["c1"], max_wait=3600)  # c1 is back as available: their conversation is on node b
    settle = settling(records, svc)
    waiting = caller(2, {"c1": OfferResult.ANSWERED})
    await back_in_line(svc, records, waiting, minute=59)  # node a answers first
    await asking(svc, records, "call-2")
    talking, leg = caller(1, {}), FakeLeg("c1", "call-1-c1")
    at = datetime(2026, 11, 27, 8, 50, tzinfo=KST)
    facts = CallFacts(
        "call-1", talking.caller, "2221000", started_at=at, connected_at=at, counselor_id="c1",
        counselor_leg=leg.leg_id, ivr_path=["wait"],
    )  # fmt: skip
    await svc.resume(talking, facts, leg)  # node b: c1's conversation goes on
    await settle()
    c1 = svc.acd.counselors["c1"]
    assert (c1.state, c1.call_id) == (CounselorState.ON_CALL, "call-1")
    assert events(records, "call-2", "offer") == [] and not waiting.connected.is_set()
    leg.ended.set()  # the conversation ends: c1 takes the caller in line
    await asyncio.wait_for(waiting.connected.wait(), 5)
    waiting.legs["c1"].ended.set()
    await asyncio.wait_for(asyncio.gather(svc.join("call-1"), svc.join("call-2")), 5)


async def test_nodes_built_long_before_they_run_are_not_lost_at_once() -> None:
    """A standby builds the service at its start and runs it when the lease is its own,
    maybe hours later: a node is lost `lost_after` seconds after the run began, not at once."""
    now = [100.0]
    a, b = FakeNode([]), FakeNode([])
    nodes = Nodes({"a": a, "b": b}, lost_after=5.0, monotonic=lambda: now[0])
    now[0] += 3600  # an hour standing by
    run = asyncio.create_task(nodes.run())
    await asyncio.sleep(0)  # its first look at the nodes, before they connect
    assert nodes.states() == {"a": NodeState.DOWN, "b": NodeState.DOWN}
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)


async def test_a_node_down_at_the_start_has_its_calls_closed_once_and_offers_begin_without_it() -> None:
    svc, records = service(["c1"], max_wait=3600)
    at = datetime(2026, 11, 27, 8, 50, tzinfo=KST)
    # c1 talked with call-9 on node b, which died with the service: its record is open.
    records.calls["call-9"] = CallFacts(
        "call-9", "01012340009", "2221000", started_at=at, connected_at=at, counselor_id="c1"
    )
    now = [0.0]
    a, b = FakeNode([]), FakeNode([])
    settle = settling(records, svc)
    nodes = Nodes({"a": a, "b": b}, lost_after=5.0, monotonic=lambda: now[0], on_settled=settle)
    run = asyncio.create_task(nodes.run())
    a.connected.set()  # node a answers, and takes up its caller in line
    waiting = caller(2, {"c1": OfferResult.ANSWERED})
    await back_in_line(svc, records, waiting, minute=59)
    await asyncio.sleep(0.6)  # a look at the nodes: b has not answered
    assert events(records, "call-2", "offer") == [] and records.closed_ids == []
    now[0] += 5.0  # node b never answers: its calls ended with it
    await asyncio.wait_for(waiting.connected.wait(), 5)
    assert records.closed_ids == ["call-9"]
    assert (records.calls["call-9"].disposition, records.calls["call-9"].hangup_cause) == (
        "answered",
        "ended while the service was down",
    )
    assert nodes.states() == {"a": NodeState.UP, "b": NodeState.LOST}
    waiting.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-2"), 5)
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)


async def test_the_app_is_registered_while_any_node_is_up() -> None:
    """/healthz's app_registered (and so its 200) with several nodes: the service drives
    calls while one node is left; a lost node shows in its `nodes`."""
    a, b = FakeNode([]), FakeNode([])
    nodes = Nodes({"a": a, "b": b})
    assert not await nodes.registered()
    b.connected.set()  # node a (asterisk.ari_url's) is down, b is up
    assert await nodes.registered()
