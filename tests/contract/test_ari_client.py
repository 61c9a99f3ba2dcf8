"""The ARI client against a fake ARI server: auth, errors, reconnect, state rebuild."""

from __future__ import annotations

import asyncio
import base64
import random
from datetime import datetime
from pathlib import Path

import pytest

from ivr.acd.counselor_states import CounselorState
from ivr.acd.dispatcher import Dispatcher
from ivr.ari.call import AriCall
from ivr.ari.channels import owner_of
from ivr.ari.events import Backoff
from ivr.ari.hub import AriHub
from ivr.ari.rest import MAY_BLOCK_CONNECTIONS, AriError, AriRest
from ivr.calls.service import CallService
from ivr.errors import CallGone, PbxUnreachable
from ivr.flows.loader import Known, load_file
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv, Queue
from ivr.ports import CallFacts
from tests.contract.fake_ari import FakeAri, channel, stasis_start
from tests.unit.fakes import MemoryRecords, StepClock, dispatcher

ITEST_FLOW = Path(__file__).resolve().parents[1] / "integration" / "flows" / "itest.yaml"


def call_in_hub(rest: AriRest) -> tuple[AriHub, AriCall]:
    """A hub with one citizen's call `X` in it."""
    hub, _, _, _ = make_hub(rest)
    call = AriCall(rest, "hotline", channel("X"), "2221000")
    hub.calls["X"] = call
    return hub, call


async def in_stasis(ari: FakeAri, hub: AriHub, channel_id: str, caller: str, dialed: str) -> None:
    """Once the hub is connected, Asterisk puts `channel_id` into the app."""
    await asyncio.wait_for(hub.stream.connected.wait(), 5)
    ari.channel_ids = [channel_id]
    await ari.send(stasis_start(channel_id, caller, dialed))


async def stop(hub: AriHub, task: asyncio.Task) -> None:
    await hub.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await hub.service.detach_all()


def make_hub(
    rest: AriRest, rings: dict[str, tuple[str, ...]] | None = None
) -> tuple[AriHub, CallService, Dispatcher, MemoryRecords]:
    pool = dispatcher(["c1", "c2"])
    records = MemoryRecords()
    clock = StepClock()
    flows = FlowRegistry("itest")
    queues = frozenset({"general", "solo", "pair", "timed", "web"})
    flows.swap({"itest": load_file(ITEST_FLOW, Known(queues=queues))})
    env = FlowEnv(now=clock.now, queues={"general": Queue("general", ("c1", "c2"))})
    service = CallService(flows, env, pool, records, clock.now, clock.monotonic)
    hub = AriHub(rest, "hotline", service, records, rings=rings)
    hub.stream.backoff = Backoff(first=0.01, cap=0.05)
    return hub, service, pool, records


async def test_password_with_ampersand_hash_and_colon_goes_in_the_authorization_header(
    ari: FakeAri, rest: AriRest
) -> None:
    await rest.get("asterisk/info")
    scheme, token = ari.auth_seen[-1].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(token).decode() == "hotline:s3cret&#:x"


async def test_wrong_password_is_reported_in_words(ari: FakeAri) -> None:
    client = AriRest(ari.url, "hotline", "wrong")
    try:
        with pytest.raises(AriError, match="refused the ARI user name or password") as err:
            await client.get("asterisk/info")
        assert not isinstance(err.value, CallGone)
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"message": "Channel not found"}),
        (409, {"message": "Channel not in Stasis application"}),
        (412, {"message": "Channel in invalid state"}),
        (422, {"message": "Channel not in Stasis application"}),
        (400, {"message": "Channel not found"}),
    ],
)
async def test_a_channel_that_hung_up_meanwhile_is_call_gone(
    ari: FakeAri, rest: AriRest, status: int, body: dict
) -> None:
    ari.answers[("POST", "channels/ch1/answer")] = (status, body)
    with pytest.raises(CallGone) as err:
        await rest.post("channels/ch1/answer")
    # Raised from the edge's own error, which keeps what Asterisk answered.
    assert isinstance(err.value.__cause__, AriError) and err.value.__cause__.status == status


async def test_other_errors_are_not_mistaken_for_a_hangup(ari: FakeAri, rest: AriRest) -> None:
    ari.answers[("POST", "channels/ch1/play/p1")] = (500, {"message": "Internal Server Error"})
    ari.answers[("POST", "bridges/b1")] = (400, {"message": "Bad type"})
    for path in ("channels/ch1/play/p1", "bridges/b1"):
        with pytest.raises(AriError) as err:
            await rest.post(path)
        assert not isinstance(err.value, CallGone)
        assert path in str(err.value)


async def test_asterisk_not_listening_is_unreachable() -> None:
    client = AriRest("http://127.0.0.1:9", "u", "p", timeout=2)
    try:
        with pytest.raises(PbxUnreachable):
            await client.get("asterisk/info")
    finally:
        await client.close()


def test_backoff_grows_is_capped_and_jittered() -> None:
    b = Backoff(first=0.5, cap=4.0, rng=random.Random(7))
    delays = [b.next() for _ in range(8)]
    assert all(0.25 <= d <= 4.0 for d in delays)
    assert delays[0] <= 0.5 and max(delays[5:]) > 2.0
    assert len(set(delays)) == len(delays)
    b.reset()
    assert b.next() <= 0.5


def test_a_counselor_leg_belongs_to_its_call() -> None:
    assert owner_of("1795819807.12-c2") == "1795819807.12"
    assert owner_of("1795819807.12") == "1795819807.12"
    assert owner_of("odd-cx") == "odd-cx"


async def test_dropped_websocket_reconnects_and_events_flow_again(ari: FakeAri, rest: AriRest) -> None:
    hub, _, _, records = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        await ari.drop()
        await asyncio.wait_for(ari.connected.wait(), 5)
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        assert hub.stream.reconnects == 1
        ari.channel_ids = ["ch1"]
        await ari.send(stasis_start("ch1", "citizen", "2221000"))
        await ari.wait_request("POST", "channels/ch1/answer")
        assert records.calls["ch1"].caller == "01012345678"
        # Two connects: two rebuilds from REST, each reading app and Asterisk state.
        assert sum(1 for m, p, _ in ari.requests if p == "applications/hotline") >= 2
    finally:
        await stop(hub, task)


async def test_a_call_that_ended_while_disconnected_is_closed_on_reconnect(
    ari: FakeAri, rest: AriRest
) -> None:
    hub, service, _, records = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await in_stasis(ari, hub, "ch1", "citizen", "2221000")
        await ari.wait_request("POST", "channels/ch1/play/")
        assert service.knows("ch1")
        ari.channel_ids = []  # the citizen hung up while we were not listening
        await ari.drop()
        async with asyncio.timeout(5):
            while "ch1" not in records.closed_ids:
                await records.changed()
        facts = records.calls["ch1"]
        assert (facts.disposition, facts.hangup_by) == ("abandoned_ivr", "caller")
        assert facts.hangup_cause == "gone_while_disconnected"
    finally:
        await stop(hub, task)


@pytest.mark.parametrize("late", ["channels/ch1/answer", "channels/ch1/play/"], ids=["answer", "menu"])
async def test_a_caller_whose_request_asterisk_answers_too_late_goes_to_the_fallback_queue(
    ari: FakeAri, late: str
) -> None:
    # A surge: requests waited 10 s and timed out, and the callers, left in Stasis
    # with nobody driving their calls, heard silence until they hung up.
    rest = AriRest(ari.url, ari.user, ari.password, timeout=0.3)
    hub, _, _, records = make_hub(rest)
    hub.stream.requests.timeout = 0.3
    ari.slow[late] = 2.0
    task = asyncio.create_task(hub.run())
    try:
        await in_stasis(ari, hub, "ch1", "citizen", "2221000")
        if late.endswith("/play/"):  # the greeting is heard; the menu's prompt is late
            _, path, _ = await ari.wait_request("POST", "channels/ch1/play/")
            await ari.send({"type": "PlaybackStarted", "playback": {"id": path.rsplit("/", 1)[1]}})
            await ari.send({"type": "PlaybackFinished", "playback": {"id": path.rsplit("/", 1)[1]}})
        _, _, params = await ari.wait_request("POST", "channels/ch1/continue")
        assert params["context"] == "hotline-fallback"
        async with asyncio.timeout(5):
            while "ch1" not in records.closed_ids:
                await records.changed()
        facts = records.calls["ch1"]
        assert (facts.disposition, facts.hangup_by) == ("fallback", "system")
        assert ("ch1", "diverted", {"reason": "pbx request failed"}) in records.events
    finally:
        await stop(hub, task)
        await rest.close()


async def test_a_recording_snoop_that_starts_after_its_caller_hung_up_is_no_new_call(
    ari: FakeAri, rest: AriRest
) -> None:
    # test_races: the counselor answered as the citizen hung up; the snoop for the
    # recording reached Stasis after the call was over and was taken for a citizen.
    hub, service, _, records = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await in_stasis(ari, hub, "ch9-r1", "anonymous", "")
        await ari.wait_request("DELETE", "channels/ch9-r1")
        assert not service.knows("ch9-r1") and "ch9-r1" not in records.calls
    finally:
        await stop(hub, task)


async def test_asterisk_restart_is_noticed_by_its_startup_time(ari: FakeAri, rest: AriRest) -> None:
    hub, *_ = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        ari.startup_time = "2026-11-27T09:30:00.000+0900"
        await ari.drop()
        # The second rebuild reads the app after comparing startup times.
        await ari.wait_request("GET", "applications/hotline", count=2)
        assert hub.asterisk_restarts == 1
    finally:
        await stop(hub, task)


async def test_bad_events_are_skipped_and_the_connection_stays(ari: FakeAri, rest: AriRest) -> None:
    hub, service, _, _ = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        await ari.send("this is not json")
        await ari.send({"no": "type"})
        await ari.send({"type": "StasisStart", "channel": "not-an-object"})
        await ari.send({"type": "ChannelDtmfReceived", "channel": {"id": "unknown"}, "digit": "5"})
        ari.channel_ids = ["ch2"]
        await ari.send(stasis_start("ch2", "citizen", "2221000"))
        await ari.wait_request("POST", "channels/ch2/answer")
        assert hub.stream.reconnects == 0
        assert service.knows("ch2")
    finally:
        await stop(hub, task)


async def test_after_a_restart_of_the_service_a_conversation_is_taken_up(ari: FakeAri, rest: AriRest) -> None:
    hub, service, pool, records = make_hub(rest)
    facts = CallFacts(
        "ch9", "01099998888", "2221000", started_at=datetime.fromisoformat("2026-11-27T09:00:00+09:00")
    )
    facts.answered_at = facts.started_at
    facts.connected_at = facts.started_at
    facts.counselor_id, facts.counselor_leg = "c2", "ch9-c1"
    await records.opened(facts)
    lost = CallFacts("ch7", "01011112222", "2221000", started_at=facts.started_at)
    await records.opened(lost)
    ari.channel_ids = ["ch9", "ch9-c1", "stray-1"]
    ari.bridge_ids = ["ch9-talk", "ch5-talk"]
    ari.channels["ch9"] = channel("ch9", "01099998888")
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        assert service.knows("ch9")
        assert pool.state("c2") is CounselorState.ON_CALL
        assert records.calls["ch7"].disposition == "lost"
        assert "ch7" in records.closed_ids
        assert ("DELETE", "channels/stray-1", {}) in ari.requests
        assert ("DELETE", "bridges/ch5-talk", {}) in ari.requests
        assert not any(p == "bridges/ch9-talk" for m, p, _ in ari.requests if m == "DELETE")
        # The citizen hangs up: the record closes, the counselor is free again.
        await ari.send({"type": "StasisEnd", "channel": channel("ch9")})
        async with asyncio.timeout(5):
            while "ch9" not in records.closed_ids:
                await records.changed()
        assert records.calls["ch9"].disposition == "answered"
        assert records.calls["ch9"].hangup_by == "caller"
        assert pool.state("c2") in (CounselorState.AVAILABLE, CounselorState.WRAP_UP)
        assert ("DELETE", "channels/ch9-c1", {}) in ari.requests
    finally:
        await stop(hub, task)


async def test_healthy_only_while_the_app_is_registered(ari: FakeAri, rest: AriRest) -> None:
    hub, *_ = make_hub(rest)
    assert not await hub.registered()
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        assert await hub.registered()
        ari.answers[("GET", "applications/hotline")] = (404, {"message": "Application not found"})
        assert not await hub.registered()
    finally:
        await stop(hub, task)


async def test_an_unregistered_phone_is_offered_no_calls_until_it_is_back(
    ari: FakeAri, rest: AriRest
) -> None:
    ari.endpoint_states["p-c2"] = "offline"
    hub, _, acd, _ = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        assert (
            "POST",
            "applications/hotline/subscription",
            {"eventSource": "endpoint:PJSIP/p-c1,endpoint:PJSIP/p-c2"},
        ) in ari.requests
        assert not acd.counselors["c2"].reachable and acd.counselors["c1"].reachable
        await ari.send(
            {
                "type": "EndpointStateChange",
                "endpoint": {"technology": "PJSIP", "resource": "p-c1", "state": "offline"},
            }
        )
        await ari.send(
            {
                "type": "EndpointStateChange",
                "endpoint": {"technology": "PJSIP", "resource": "p-c2", "state": "online"},
            }
        )
        await ari.send(stasis_start("ch3", "citizen", "2221000"))  # a later event: the two above are done
        await ari.wait_request("POST", "channels/ch3/answer")
        assert not acd.counselors["c1"].reachable and acd.counselors["c2"].reachable
    finally:
        await stop(hub, task)


async def test_a_counselor_with_desk_and_browser_is_reachable_while_either_is(
    ari: FakeAri, rest: AriRest
) -> None:
    # c1: desk phone and browser ring together; c2: the browser only (its desk phone is not rung).
    ari.endpoint_states.update(
        {"p-c1": "offline", "p-c1-web": "online", "p-c2": "online", "p-c2-web": "offline"}
    )
    hub, _, acd, _ = make_hub(rest, {"p-c1": ("p-c1", "p-c1-web"), "p-c2": ("p-c2-web",)})
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        assert acd.counselors["c1"].reachable and not acd.counselors["c2"].reachable
        for resource, state in (("p-c1-web", "offline"), ("p-c2-web", "online")):
            endpoint = {"technology": "PJSIP", "resource": resource, "state": state}
            await ari.send({"type": "EndpointStateChange", "endpoint": endpoint})
        await ari.send(stasis_start("ch3", "citizen", "2221000"))  # a later event: the two above are done
        await ari.wait_request("POST", "channels/ch3/answer")
        assert not acd.counselors["c1"].reachable and acd.counselors["c2"].reachable
    finally:
        await stop(hub, task)


async def test_a_counselor_holding_the_caller_gives_them_music_until_taken_off_hold(
    ari: FakeAri, rest: AriRest
) -> None:
    from ivr.ari.phone_targets import CALL_VARIABLE

    hub, call = call_in_hub(rest)
    call.adopt_leg("c1", "X-c1")
    hub.on_event({"type": "ChannelHold", "channel": {"id": "X-c1"}})  # the counselor's own leg
    await ari.wait_request("POST", "bridges/X-talk/moh")
    # Rung through a Local channel: the browser's channel, named after its call.
    browser = {"id": "B", "name": "PJSIP/desk03-web-00000002", "channelvars": {CALL_VARIABLE: "X"}}
    hub.on_event({"type": "ChannelUnhold", "channel": browser})
    await ari.wait_request("DELETE", "bridges/X-talk/moh")
    hub.on_event({"type": "ChannelHold", "channel": {"id": "X"}})  # the citizen's phone: nothing
    await asyncio.sleep(0.05)
    assert [r for r in ari.requests if r[1] == "bridges/X-talk/moh"] == [
        ("POST", "bridges/X-talk/moh", {"mohClass": "default"}),
        ("DELETE", "bridges/X-talk/moh", {}),
    ]


async def test_an_event_delivered_twice_counts_once(rest: AriRest) -> None:
    # Asterisk sends a counselor channel's events once per subscription: the
    # app's own (Stasis) and the phone-state one on their endpoint.
    hub, call = call_in_hub(rest)
    leg = call.adopt_leg("c1", "X-c1")
    press = {"type": "ChannelDtmfReceived", "channel": {"id": "X-c1"}, "digit": "4"}
    hub.on_event({**press, "timestamp": "2026-11-28T10:00:00.100+0900"})
    hub.on_event({**press, "timestamp": "2026-11-28T10:00:00.100+0900"})  # the same, again
    hub.on_event({**press, "timestamp": "2026-11-28T10:00:00.400+0900"})  # pressed again
    keys = [await asyncio.wait_for(leg.next_key(), 1) for _ in range(2)]
    assert keys == ["4", "4"]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(leg.next_key(), 0.05)


async def test_a_prompt_cut_short_by_the_callers_hangup_ends_the_flow_there(
    ari: FakeAri, rest: AriRest
) -> None:
    # Asterisk says "hang up" first, then ends the prompt (PlaybackFinished),
    # and only then StasisEnd: the flow must not take the prompt as heard and
    # step on to the next node meanwhile.
    from ivr.ari.call import AriCall

    call = AriCall(rest, "hotline", channel("X"), "2221000")
    playing = asyncio.create_task(call.play(["greeting"], barge_in=False))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/")
    playback_id = path.rsplit("/", 1)[1]
    call.on_event({"type": "ChannelHangupRequest", "channel": {"id": "X"}, "cause": 16})
    call.on_event({"type": "PlaybackFinished", "playback": {"id": playback_id, "state": "done"}})
    with pytest.raises(CallGone):
        await asyncio.wait_for(playing, 2)


async def test_a_prompt_heard_to_its_end_lets_the_flow_go_on(ari: FakeAri, rest: AriRest) -> None:
    from ivr.ari.call import AriCall

    call = AriCall(rest, "hotline", channel("X"), "2221000")
    playing = asyncio.create_task(call.play(["greeting"]))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/")
    # A counselor leg hanging up is not the caller hanging up.
    call.on_event({"type": "ChannelHangupRequest", "channel": {"id": "X-consult"}, "cause": 16})
    call.on_event({"type": "PlaybackFinished", "playback": {"id": path.rsplit("/", 1)[1], "state": "done"}})
    assert await asyncio.wait_for(playing, 2) is None


@pytest.mark.parametrize("started", [True, False], ids=["playing", "starting"])
async def test_a_prompt_cut_by_a_counselors_answer_is_stopped_before_the_bridge(
    ari: FakeAri, rest: AriRest, started: bool
) -> None:
    # The queue's entry prompt plays (no barge-in) while a counselor's phone
    # rings; their answer cancels it. Asterisk runs a bridge's addChannel only
    # after a playback on the channel ends, so the playback must be deleted.
    from ivr.ari.call import AriCall

    call = AriCall(rest, "hotline", channel("X"), "2221000")
    playing = asyncio.create_task(call.play(["connecting"], barge_in=False))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/")
    playback_id = path.rsplit("/", 1)[1]
    if started:
        call.on_event({"type": "PlaybackStarted", "playback": {"id": playback_id}})
        for _ in range(5):  # let the prompt see it has started
            await asyncio.sleep(0)
    playing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await playing
    assert ("DELETE", f"playbacks/{playback_id}") in [(m, p) for m, p, *_ in ari.requests]


async def test_a_prompt_that_never_starts_is_asked_for_again_then_skipped(
    ari: FakeAri, rest: AriRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Asterisk can drop a prompt asked for as the channel leaves a bridge being
    # torn down: no PlaybackStarted, no PlaybackFinished. The caller must not
    # wait in silence for ever.
    from ivr.ari import prompts
    from ivr.ari.call import AriCall

    monkeypatch.setattr(prompts, "PLAYBACK_START_SECONDS", 0.2)
    call = AriCall(rest, "hotline", channel("X"), "2221000")
    assert await asyncio.wait_for(call.play(["goodbye"], barge_in=False), 5) is None
    posts = [r for r in ari.requests if r[0] == "POST" and r[1].startswith("channels/X/play/")]
    deletes = [r for r in ari.requests if r[0] == "DELETE" and r[1].startswith("playbacks/")]
    assert len(posts) == 2 and {d[1] for d in deletes} == {
        f"playbacks/{p[1].rsplit('/', 1)[1]}" for p in posts
    }


async def test_a_prompt_that_starts_on_the_second_ask_is_heard(
    ari: FakeAri, rest: AriRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ivr.ari import prompts
    from ivr.ari.call import AriCall

    monkeypatch.setattr(prompts, "PLAYBACK_START_SECONDS", 0.2)
    call = AriCall(rest, "hotline", channel("X"), "2221000")
    playing = asyncio.create_task(call.play(["goodbye"], barge_in=False))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/", count=2)
    second = path.rsplit("/", 1)[1]
    call.on_event({"type": "PlaybackStarted", "playback": {"id": second, "state": "playing"}})
    await asyncio.sleep(0.4)  # longer than the start wait: it must now wait for the end
    assert not playing.done()
    call.on_event({"type": "PlaybackFinished", "playback": {"id": second, "state": "done"}})
    assert await asyncio.wait_for(playing, 2) is None


class _Told:
    """RecordingLog that keeps what it is told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, ...]] = []

    def started(self, call_id: str, kind: str, name: str) -> None:
        self.told.append(("started", call_id, kind, name))

    def finished(self, call_id: str, kind: str, name: str, cut_short: bool = False) -> None:
        self.told.append(("finished", call_id, kind, name))

    def failed(self, call_id: str, kind: str, name: str, error: str) -> None:
        self.told.append(("failed", call_id, kind, name))


def _recording(kind: str, name: str, bridge: str) -> dict[str, object]:
    return {"type": kind, "recording": {"name": name, "target_uri": f"bridge:{bridge}", "state": "done"}}


@pytest.mark.parametrize("finished_told", [False, True])
async def test_a_conversation_recording_ends_with_its_bridge_even_untold(
    rest: AriRest, finished_told: bool
) -> None:
    # Asterisk 22 sometimes destroys the bridge (and our subscription to it)
    # before publishing RecordingFinished: the copy must not wait for the sweep.
    hub, _, _, _ = make_hub(rest)
    hub.recording_events.recording_log = told = _Told()
    hub.on_event(_recording("RecordingStarted", "call-X", "X-talk"))
    if finished_told:
        hub.on_event(_recording("RecordingFinished", "call-X", "X-talk"))
    hub.on_event({"type": "BridgeDestroyed", "bridge": {"id": "X-talk"}})
    hub.on_event({"type": "BridgeDestroyed", "bridge": {"id": "Y-talk"}})  # recorded nothing
    assert told.told == [
        ("started", "X", "conversation", "call-X"),
        ("finished", "X", "conversation", "call-X"),
    ]


@pytest.mark.parametrize(("final_cause", "lost"), [(44, True), (16, False)])
async def test_a_line_lost_is_told_by_the_cause_the_channel_ends_with(final_cause: int, lost: bool) -> None:
    # As Asterisk 22 sends them for a phone silent past its rtp_timeout: the
    # hangup request says cause 1; ChannelDestroyed, after StasisEnd, says 44.
    from ivr.ari.legs import AriLeg

    leg = AriLeg("c1", "X-c1")
    leg.on_event({"type": "StasisStart", "channel": {"id": "X-c1"}})
    leg.on_event({"type": "ChannelHangupRequest", "channel": {"id": "X-c1"}, "cause": 1, "soft": True})
    await asyncio.wait_for(leg.wait_ended(), 1)
    told = asyncio.ensure_future(leg.line_lost())
    leg.on_event({"type": "StasisEnd", "channel": {"id": "X-c1"}})
    await asyncio.sleep(0.01)
    assert not told.done()  # waits for the channel's end, which carries the cause
    leg.on_event({"type": "ChannelDestroyed", "channel": {"id": "X-c1"}, "cause": final_cause})
    assert await asyncio.wait_for(told, 1) is lost


async def test_a_hundred_and_eighty_phones_are_watched_in_requests_asterisk_accepts(
    ari: FakeAri, rest: AriRest
) -> None:
    # Found by the load benchmark: one subscription naming 180 endpoints is a
    # request line Asterisk refuses, and the service never got its events.
    hub, _, _, _ = make_hub(rest)
    hub.desk_phones.phones = {f"desk-phone-{n:03d}": f"c{n}" for n in range(180)}
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        subscribed = [
            source
            for method, path, query in ari.requests
            if (method, path) == ("POST", "applications/hotline/subscription")
            for source in query["eventSource"].split(",")
        ]
        assert sorted(subscribed) == sorted(f"endpoint:PJSIP/{p}" for p in hub.desk_phones.phones)
    finally:
        await stop(hub, task)


async def test_after_each_connect_asterisk_is_asked_for_the_handled_events_only(
    ari: FakeAri, rest: AriRest
) -> None:
    from ivr.ari.events import HANDLED_EVENTS

    hub, _, _, _ = make_hub(rest)
    ari.answers[("PUT", "applications/hotline/eventFilter")] = (404, {"message": "Not found"})
    task = asyncio.create_task(hub.run())
    try:
        # An Asterisk without the filter (404) is still served, with every event.
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        await ari.wait_request("GET", "applications/hotline")
        del ari.answers[("PUT", "applications/hotline/eventFilter")]
        await ari.drop()  # Asterisk restarted: it has forgotten the filter
        await ari.wait_request("PUT", "applications/hotline/eventFilter", count=2)
        body = ari.bodies[("PUT", "applications/hotline/eventFilter")]
        assert sorted(e["type"] for e in body["allowed"]) == sorted(HANDLED_EVENTS)
    finally:
        await stop(hub, task)


async def test_a_burst_of_requests_stays_within_asterisks_http_sessions(ari: FakeAri, rest: AriRest) -> None:
    # Asterisk's HTTP server drops connections past its sessionlimit (100 by default):
    # 200 callers' requests at once must queue for a connection, not fail.
    from ivr.ari.rest import MAX_CONNECTIONS

    ari.slow["channels/burst/moh"] = 0.05
    await asyncio.gather(*(rest.post("channels/burst/moh", mohClass="default") for _ in range(200)))
    assert len([r for r in ari.requests if r[1] == "channels/burst/moh"]) == 200
    assert 1 < ari.in_flight_max <= MAX_CONNECTIONS < 100
    # Where their time went, apart: each of the 200 was timed in every part.
    # With 40 connections for 200 requests of 50 ms, most waited for one.
    phases = rest.phases
    assert phases.pool_wait.count == phases.sending.count == phases.answer.count == 200
    assert phases.answer.durations.longest >= 0.05  # the server's own time, as Asterisk's
    assert phases.pool_wait.durations.longest >= 0.05 * 4  # the last ones waited out four turns
    assert sum(phases.pool_wait.counts) == 200  # every one in a bucket (none past 10 s)


async def test_requests_asterisk_answers_slowly_are_counted_by_their_kind(
    ari: FakeAri, rest: AriRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ivr.ari import request_phases

    monkeypatch.setattr(request_phases, "SLOW_ANSWER_SECONDS", 0.1)
    ari.slow["channels/1796668074.439/moh"] = 0.3
    ari.slow["channels/1796668075.440/moh"] = 0.3
    await asyncio.gather(
        rest.post("channels/1796668074.439/moh", mohClass="default"),
        rest.post("channels/1796668075.440/moh", mohClass="default"),
        rest.post("channels/1796668076.441/answer"),  # a quick one: not counted
    )
    exposition = rest.phases.exposition("hotline_ari")
    assert 'hotline_ari_slow_answers_total{request="POST /ari/channels/{id}/moh"} 2' in exposition
    assert not any('answer"}' in line for line in exposition if "slow_answers_total{" in line)


async def test_requests_parked_on_a_channels_thread_do_not_hold_the_others_connections(
    ari: FakeAri, rest: AriRest
) -> None:
    # Asterisk runs addChannel on the channel's Stasis thread, behind a playing
    # prompt, its HTTP thread waiting meanwhile. Forty of them parked must not
    # take every connection from another call's request.
    from ivr.ari.rest import MAX_CONNECTIONS

    ari.slow["bridges/B-talk/addChannel"] = 5.0
    parked = [
        asyncio.create_task(rest.post("bridges/B-talk/addChannel", channel=f"C{i}"))
        for i in range(MAX_CONNECTIONS)
    ]
    try:
        # Every connection of their pool taken:
        await ari.wait_request("POST", "bridges/B-talk/addChannel", count=MAY_BLOCK_CONNECTIONS)
        await rest.post("channels/other/moh", mohClass="default")
        assert not any(task.done() for task in parked)
        # The parked ones queue among themselves: a pool of their own.
        assert ari.in_flight_max <= MAY_BLOCK_CONNECTIONS + 1
    finally:
        for task in parked:
            task.cancel()
        await asyncio.gather(*parked, return_exceptions=True)


async def test_a_connection_closed_unanswered_is_sent_again_and_lands_once(
    ari: FakeAri, rest: AriRest
) -> None:
    # Past its sessionlimit Asterisk closes a new connection without reading
    # it; under load that lost the call ("the PBX cannot be reached").
    ari.refuse["channels/X/answer"] = 2
    await rest.post("channels/X/answer")
    assert [r[:2] for r in ari.requests] == [("POST", "channels/X/answer")]


async def test_a_connection_closed_unanswered_every_time_says_the_pbx_cannot_be_reached(
    ari: FakeAri, rest: AriRest
) -> None:
    from ivr.ari.rest import REFUSED_RETRIES

    ari.refuse["channels/X/answer"] = REFUSED_RETRIES + 1
    with pytest.raises(PbxUnreachable, match="POST /ari/channels/X/answer"):
        await rest.post("channels/X/answer")
    assert ari.requests == []


async def test_a_ring_the_pbx_would_not_take_is_its_failure_and_a_bad_endpoint_the_phones(
    ari: FakeAri, rest: AriRest
) -> None:
    from ivr.ari.call import AriCall
    from ivr.ari.rest import REFUSED_RETRIES
    from ivr.ports import OfferResult

    call = AriCall(rest, "hotline", channel("X"), "2221000")
    ari.refuse["channels"] = REFUSED_RETRIES + 1
    assert await call.offer("c1", "desk01", 10) == (OfferResult.PBX_FAILED, None)
    ari.answers[("POST", "channels")] = (400, {"message": "Endpoint not found"})
    assert await call.offer("c1", "desk01", 10) == (OfferResult.UNREACHABLE, None)
    assert call.legs == {}


async def test_the_caller_is_out_of_the_conversation_bridge_before_the_goodbye(
    ari: FakeAri, rest: AriRest
) -> None:
    # Under load a goodbye asked for as the bridge was torn down never started.
    from ivr.ari.call import AriCall

    call = AriCall(rest, "hotline", channel("X"), "2221000")
    leg = call.adopt_leg("c1", "X-c1")
    call.on_event({"type": "ChannelEnteredBridge", "channel": {"id": "X"}, "bridge": {"id": "X-talk"}})
    released = asyncio.ensure_future(call.release(leg))
    await ari.wait_request("DELETE", "bridges/X-talk")
    await asyncio.sleep(0.05)
    assert not released.done()  # Asterisk has not taken the caller out yet
    call.on_event({"type": "ChannelLeftBridge", "channel": {"id": "X"}, "bridge": {"id": "X-talk"}})
    await asyncio.wait_for(released, 1)


async def test_a_request_that_times_out_says_so(ari: FakeAri) -> None:
    # A timeout's own text is empty: the log said "POST /ari/channels: " and no more.
    rest = AriRest(ari.url, ari.user, ari.password, timeout=0.2)
    ari.slow["channels/X/answer"] = 1.0
    try:
        with pytest.raises(PbxUnreachable, match=r"POST /ari/channels/X/answer: \w"):
            await rest.post("channels/X/answer")
    finally:
        await rest.close()


async def test_a_conversation_is_recorded_from_a_snoop_on_the_caller_not_the_bridge(
    ari: FakeAri, rest: AriRest
) -> None:
    # POST /bridges/{id}/record would push a Recorder channel into the
    # conversation, making it a three-party softmix bridge (issue 23).
    hub, call = call_in_hub(rest)
    leg = call.adopt_leg("c1", "X-c1")
    recording = asyncio.create_task(call.record_conversation())
    _, _, snoop = await ari.wait_request("POST", "channels/X/snoop")
    assert snoop["snoopId"] == "X-r1" and snoop["spy"] == "both" and snoop["whisper"] == "none"
    hub.on_event(stasis_start("X-r1", "recording"))  # routed to its call, not taken for a new one
    assert await asyncio.wait_for(recording, 2) == "call-X"
    _, _, record = await ari.wait_request("POST", "channels/X-r1/record")
    assert record["name"] == "call-X" and record["format"] == "wav"
    assert not [r for r in ari.requests if "bridges/X-talk/record" in r[1]]
    # The counselor hangs up: the snoop goes after the leg, ending the recording.
    leg.on_event({"type": "ChannelDestroyed", "channel": {"id": "X-c1"}, "cause": 16})
    call.on_event({"type": "ChannelLeftBridge", "channel": {"id": "X"}, "bridge": {"id": "X-talk"}})
    await call.release(leg)
    deletes = [p for m, p, _ in ari.requests if m == "DELETE"]
    assert deletes.index("channels/X-r1") > deletes.index("channels/X-c1")
    # A second conversation (the first counselor's line broke) has a name and snoop of its own.
    second = asyncio.create_task(call.record_conversation())
    await ari.wait_request("POST", "channels/X/snoop", count=2)
    hub.on_event(stasis_start("X-r2", "recording"))
    assert await asyncio.wait_for(second, 2) == "call-X-2"


async def test_a_refused_recording_hangs_its_snoop_up_and_says_why(ari: FakeAri, rest: AriRest) -> None:
    from ivr.errors import RecordingRefused

    hub, call = call_in_hub(rest)
    ari.answers[("POST", "channels/X-r1/record")] = (500, {"message": "Internal Server Error"})
    recording = asyncio.create_task(call.record_conversation())
    await ari.wait_request("POST", "channels/X/snoop")
    hub.on_event(stasis_start("X-r1", "recording"))
    with pytest.raises(RecordingRefused, match="500"):
        await asyncio.wait_for(recording, 2)
    await ari.wait_request("DELETE", "channels/X-r1")
    assert not call.recorder.owns("X-r1")


def test_a_recording_snoop_belongs_to_its_call() -> None:
    from ivr.ari.channels import is_recording_tap

    assert owner_of("1795819807.12-r1") == "1795819807.12"
    assert is_recording_tap("1795819807.12-r2") and not is_recording_tap("1795819807.12-c2")
    assert not is_recording_tap("1795819807.12") and not is_recording_tap("cb12-0101x0a1b2c")


@pytest.mark.parametrize("hanging_up", [True, False], ids=["caller-leaving", "caller-here"])
async def test_a_snoop_refused_as_gone_is_a_failed_recording_only_while_the_caller_is_here(
    ari: FakeAri, rest: AriRest, hanging_up: bool
) -> None:
    from ivr.errors import RecordingRefused

    _, call = call_in_hub(rest)
    ari.answers[("POST", "channels/X/snoop")] = (404, {"message": "Channel not found"})
    call.channels.hanging_up = hanging_up
    # Leaving: nothing failed, the call is simply over. Here: the conversation goes on unrecorded.
    with pytest.raises(CallGone if hanging_up else RecordingRefused):
        await asyncio.wait_for(call.record_conversation(), 2)


async def test_asterisk_shutting_down_is_the_pbx_unreachable_not_a_refusal(
    ari: FakeAri, rest: AriRest
) -> None:
    # main/http.c answers every request with an HTML 503 page while Asterisk
    # shuts down (`core restart now`): a call's cleanup then must not log a
    # traceback as if ARI had refused something.
    ari.answers[("DELETE", "bridges/X-talk")] = (
        503,
        "<!DOCTYPE HTML PUBLIC><title>503 Service Unavailable</title>",
    )
    with pytest.raises(PbxUnreachable, match="shutting down"):
        await rest.delete("bridges/X-talk")
    # ARI's own 503 (JSON) is still Asterisk's refusal.
    ari.answers[("DELETE", "bridges/Y-talk")] = (503, {"message": "Service Unavailable"})
    with pytest.raises(AriError):
        await rest.delete("bridges/Y-talk")


async def test_a_key_during_a_prompt_asks_for_the_next_prompt_without_waiting_for_the_stop(
    ari: FakeAri, rest: AriRest
) -> None:
    # The caller presses 1 during the menu: the menu is stopped and the next
    # prompt asked for at once; Asterisk plays it as soon as the stop lands.
    # Here the stop takes Asterisk 3 s to answer.
    from ivr.ari.call import AriCall

    call = AriCall(rest, "hotline", channel("X"), "2221000")
    menu = asyncio.create_task(call.play(["menu"]))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/")
    menu_id = path.rsplit("/", 1)[1]
    call.on_event({"type": "PlaybackStarted", "playback": {"id": menu_id, "state": "playing"}})
    ari.slow[f"playbacks/{menu_id}"] = 3.0
    call.on_event({"type": "ChannelDtmfReceived", "channel": {"id": "X"}, "digit": "1"})
    assert await asyncio.wait_for(menu, 1) == "1"
    topic = asyncio.create_task(call.play(["topic"]))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/", timeout=1, count=2)
    assert ("DELETE", f"playbacks/{menu_id}") in [(m, p) for m, p, *_ in ari.requests]
    call.on_event({"type": "PlaybackFinished", "playback": {"id": path.rsplit("/", 1)[1], "state": "done"}})
    assert await asyncio.wait_for(topic, 1) is None


async def test_the_hotline_hangs_a_caller_up_through_the_dialplan_not_by_their_id(
    ari: FakeAri, rest: AriRest
) -> None:
    # DELETE /channels/{id} has Asterisk scan every channel for the id (ao2_legacy):
    # at IVR 28/s those took 1.5 s, and callers gave up waiting for the BYE.
    _, call = call_in_hub(rest)
    hanging = asyncio.create_task(call.hangup())
    _, _, params = await ari.wait_request("POST", "channels/X/continue")
    assert (params["context"], params["extension"], params["priority"]) == ("hotline-hangup", "s", "1")
    call.on_event({"type": "StasisEnd", "channel": {"id": "X"}})  # the dialplan has the channel
    await asyncio.wait_for(hanging, 5)
    assert not [r for r in ari.requests if r[0] == "DELETE"]


async def test_a_caller_the_dialplan_cannot_take_is_hung_up_by_id(
    ari: FakeAri, rest: AriRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not in Stasis (a callback's citizen still ringing): Asterisk refuses the continue.
    _, call = call_in_hub(rest)
    ari.answers[("POST", "channels/X/continue")] = (409, {"message": "Channel not in Stasis application"})
    await asyncio.wait_for(call.hangup(), 5)
    assert ("DELETE", "channels/X", {"reason": "normal"}) in ari.requests
    # Taken, but no StasisEnd within the bound (the continue waits behind a playback).
    monkeypatch.setattr("ivr.ari.call.DIALPLAN_HANGUP_SECONDS", 0.05)
    _, late = call_in_hub(rest)
    await asyncio.wait_for(late.hangup(), 5)
    assert [p for m, p, _ in ari.requests if m == "DELETE"] == ["channels/X", "channels/X"]
