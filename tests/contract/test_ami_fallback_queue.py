"""Counselor state changes -> app_queue members, through panoramisk and a fake AMI server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from ivr.acd.counselor_model import Event, PauseReason
from ivr.acd.dispatcher import Dispatcher
from ivr.ami.fallback_queue import FallbackQueue
from tests.contract.fake_ami import FakeAmi
from tests.unit.fakes import dispatcher


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture
async def ami() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.close()


def queue_for(acd: Dispatcher, ami: FakeAmi, secret: str = "s3cret") -> FallbackQueue:
    return FallbackQueue(
        acd, host="127.0.0.1", port=ami.port, username="hotline", secret=secret, reconnect_seconds=1
    )


ALL_IN = {"c1": (False, ""), "c2": (False, ""), "c3": (False, "")}


async def test_given_counselors_logged_in_when_connected_then_all_are_members(ami: FakeAmi) -> None:
    acd = dispatcher(["c1", "c2", "c3"])
    fq = queue_for(acd, ami)
    fq.start()
    try:
        await until(lambda: ami.queue.view() == ALL_IN)
        await until(lambda: fq.connected)
        first = ami.actions[0]
        assert first == {
            "Action": "QueueAdd",
            "ActionID": first["ActionID"],
            "Interface": "PJSIP/p-c1",
            "MemberName": "c1",
            "Paused": "false",
            "Queue": "hotline-fallback",
            "StateInterface": "PJSIP/p-c1",
        }
    finally:
        fq.close()


async def test_given_a_phone_that_is_no_counselor_s_in_the_queue_when_connected_then_it_is_removed(
    ami: FakeAmi,
) -> None:
    # A counselor taken out of config.yaml: app_queue kept their phone (persistentmembers).
    ami.queue.apply({"Action": "QueueAdd", "Interface": "PJSIP/p-c9", "MemberName": "c9"})
    acd = dispatcher(["c1", "c2", "c3"])
    fq = queue_for(acd, ami)
    fq.start()
    try:
        await until(lambda: ami.queue.view() == ALL_IN)
        assert {"Action": "QueueRemove", "Interface": "PJSIP/p-c9"}.items() <= ami.actions[-1].items()
    finally:
        fq.close()


async def test_when_states_change_then_only_those_counselors_get_actions(ami: FakeAmi) -> None:
    acd = dispatcher(["c1", "c2", "c3"])
    fq = queue_for(acd, ami)
    fq.start()
    try:
        await until(lambda: fq.connected and ami.queue.view() == ALL_IN)
        before = len(ami.actions)
        acd.apply("c2", Event.pause(PauseReason.MEAL))
        acd.apply("c3", Event.logout())
        want = {"c1": (False, ""), "c2": (True, "meal")}
        await until(lambda: ami.queue.view() == want)
        sent = [(a["Action"], a["Interface"], a.get("Paused")) for a in ami.actions[before:]]
        assert sent == [
            ("QueueAdd", "PJSIP/p-c2", "true"),
            ("QueuePause", "PJSIP/p-c2", "true"),
            ("QueueRemove", "PJSIP/p-c3", None),
        ]
        # A call, wrap-up and the end of it change nothing in the fallback queue.
        before = len(ami.actions)
        acd.apply("c1", Event.offer("call-1"))
        acd.apply("c1", Event.answer("call-1"))
        acd.apply("c1", Event.hangup())
        acd.apply("c2", Event.unpause())
        await until(lambda: ami.queue.view() == {"c1": (False, ""), "c2": (False, "")})
        assert {a["Interface"] for a in ami.actions[before:]} == {"PJSIP/p-c2"}
        assert fq.failures == 0
    finally:
        fq.close()


async def test_given_unanswered_actions_when_the_connection_drops_then_the_queue_ends_right(
    ami: FakeAmi,
) -> None:
    acd = dispatcher(["c1", "c2", "c3"])
    fq = queue_for(acd, ami)
    fq.start()
    try:
        await until(lambda: fq.connected and ami.queue.view() == ALL_IN)
        ami.answering = False  # Asterisk stops answering: the actions stay unanswered
        acd.apply("c1", Event.pause(PauseReason.TRAINING))
        acd.apply("c2", Event.logout())
        await asyncio.sleep(0.1)
        ami.drop()
        await until(lambda: not fq.connected)
        # While disconnected, more changes: c1 back from training, c2 back in.
        acd.apply("c1", Event.unpause())
        acd.apply("c2", Event.login())
        acd.apply("c3", Event.pause(PauseReason.BREAK))
        ami.answering = True
        await until(lambda: ami.logins == 2)
        want = {"c1": (False, ""), "c2": (False, ""), "c3": (True, "break")}
        await until(lambda: fq.connected and ami.queue.view() == want)
        # panoramisk re-sent the stale actions first (pause c1, remove c2), then
        # the whole table put every member where the counselors are now.
        kinds = [(a["Action"], a["Interface"], a.get("Paused")) for a in ami.actions]
        assert ("QueuePause", "PJSIP/p-c1", "true") in kinds
        assert ("QueueRemove", "PJSIP/p-c2", None) in kinds
        await asyncio.sleep(0.2)
        assert ami.queue.view() == want
    finally:
        fq.close()


async def test_sending_the_whole_table_twice_changes_nothing(ami: FakeAmi) -> None:
    acd = dispatcher(["c1", "c2", "c3"])
    acd.apply("c2", Event.pause(PauseReason.ADMIN))
    acd.apply("c3", Event.logout())
    want = {"c1": (False, ""), "c2": (True, "admin")}
    fq = queue_for(acd, ami)
    fq.start()
    try:
        await until(lambda: fq.connected and ami.queue.view() == want)
        ami.drop()  # the reconnect sends the whole table again
        await until(lambda: ami.logins == 2 and fq.connected)
        await until(lambda: len(ami.actions) >= 10)
        assert ami.queue.view() == want
        assert fq.failures == 0  # "Already there" and "Not there" are what idempotent means
    finally:
        fq.close()


async def test_a_wrong_secret_never_claims_the_queue_is_in_step(ami: FakeAmi) -> None:
    fq = queue_for(dispatcher(["c1"]), ami, secret="wrong")
    fq.start()
    try:
        await asyncio.sleep(0.3)
        assert not fq.connected and ami.queue.view() == {}
    finally:
        fq.close()
