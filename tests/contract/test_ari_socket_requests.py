"""A new call's answer goes out with its first prompt over the events socket (call_rest.py),
where Asterisk carries the two out back to back; an Asterisk that does not take requests
there is answered over HTTP as before, and nothing reaches a channel before its answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from ivr.ari.call import AriCall
from ivr.ari.rest import AriRest
from ivr.ari.socket_requests import SocketRequest, SocketRequests
from ivr.errors import CallGone, PbxUnreachable
from tests.contract.fake_ari import FakeAri, channel, stasis_start
from tests.contract.test_ari_client import make_hub, stop


async def usable(socket: SocketRequests) -> None:
    await asyncio.wait_for(socket.taken.wait(), 5)


async def test_a_new_calls_answer_and_greeting_go_together_over_the_events_socket(
    ari: FakeAri, rest: AriRest
) -> None:
    ari.takes_socket_requests = True
    hub, _, _, records = make_hub(rest)
    task = asyncio.create_task(hub.run())
    try:
        await usable(hub.stream.requests)
        ari.channel_ids = ["ch1"]
        await ari.send(stasis_start("ch1", "citizen", "2221000"))
        await ari.wait_request("POST", "channels/ch1/play/")
        # The answer, then at once the greeting: both over the socket, in that order.
        sent = [(m, p.rsplit("/", 1)[0] if "/play/" in p else p) for m, p, _ in ari.via_socket]
        assert sent == [
            ("GET", "asterisk/ping"),
            ("POST", "channels/ch1/answer"),
            ("POST", "channels/ch1/play"),
        ]
        assert ari.via_socket[2][2]["media"].startswith("sound:jeonju-flows/itest.greeting.ko.")
        assert not [r for r in ari.requests if r[1] == "channels/ch1/answer" and r not in ari.via_socket]
        assert records.calls["ch1"].answered_at is not None
    finally:
        await stop(hub, task)


async def test_an_asterisk_that_ignores_socket_requests_is_answered_over_http(
    ari: FakeAri, rest: AriRest
) -> None:
    hub, _, _, _ = make_hub(rest)  # the fake, like an Asterisk before 22.4, never answers the probe
    task = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.stream.connected.wait(), 5)
        ari.channel_ids = ["ch1"]
        await ari.send(stasis_start("ch1", "citizen", "2221000"))
        await ari.wait_request("POST", "channels/ch1/play/")
        paths = [p for _, p, _ in ari.requests if p.startswith("channels/ch1/")]
        assert paths[0] == "channels/ch1/answer" and paths[1].startswith("channels/ch1/play/")
        assert not hub.stream.requests.usable
    finally:
        await stop(hub, task)


@dataclass
class Held:
    call: AriCall
    socket: SocketRequests
    ws: aiohttp.ClientWebSocketResponse


@pytest.fixture
async def held(ari: FakeAri, rest: AriRest) -> AsyncIterator[Held]:
    """Call X, its answer asked for and held, on an events socket of its own that takes requests."""
    ari.takes_socket_requests = True
    socket = SocketRequests(timeout=2)
    ws = await rest.session.ws_connect(f"{ari.url.replace('http', 'ws')}/ari/events?app=hotline")
    reader = asyncio.create_task(_read(ws, socket))
    await socket.attach(ws.send_str)
    await usable(socket)
    call = AriCall(rest, "hotline", channel("X"), "2221000", socket=socket)
    await call.answer()
    yield Held(call, socket, ws)
    call.rest.close()
    await ws.close()
    await asyncio.gather(reader, return_exceptions=True)
    await asyncio.sleep(0.05)  # let a request the test left running finish on its connection


async def _read(ws: aiohttp.ClientWebSocketResponse, socket: SocketRequests) -> None:
    async for msg in ws:
        socket.on_response(json.loads(msg.data))
    socket.detach("the socket closed")


async def test_any_other_request_first_sends_the_held_answer_over_http_and_waits_for_it(
    ari: FakeAri, held: Held
) -> None:
    ari.slow["channels/X/answer"] = 0.1
    await held.call.hold(True)  # music on hold: not a prompt
    paths = [(m, p) for m, p, _ in ari.requests if p.startswith("channels/X")]
    assert paths == [("POST", "channels/X/answer"), ("POST", "channels/X/moh")]
    assert not [r for r in ari.via_socket if r[1].startswith("channels/X")]


async def test_a_flow_that_asks_for_nothing_soon_is_answered_anyway(ari: FakeAri, held: Held) -> None:
    await ari.wait_request("POST", "channels/X/answer", timeout=2)
    assert [p for _, p, _ in ari.requests if p.startswith("channels/X")] == ["channels/X/answer"]
    assert not [r for r in ari.via_socket if r[1].startswith("channels/X")]


async def test_a_caller_gone_before_the_answer_is_call_gone_at_the_first_prompt(
    ari: FakeAri, held: Held
) -> None:
    ari.answers[("POST", "channels/X/answer")] = (404, {"message": "Channel not found"})
    with pytest.raises(CallGone):
        await held.call.play(["greeting"])
    assert [p for _, p, _ in ari.via_socket][1] == "channels/X/answer"


async def test_a_socket_lost_with_requests_waiting_fails_them_as_unreachable(
    ari: FakeAri, held: Held
) -> None:
    held.call.rest.close()
    ari.slow["channels/Y/answer"] = 0.2
    futures = await held.socket.send([SocketRequest("POST", "channels/Y/answer")])
    await ari.wait_request("POST", "channels/Y/answer")
    await held.ws.close()
    with pytest.raises(PbxUnreachable, match="over the events socket"):
        await held.socket.answers(futures)
    assert not held.socket.usable


class ClosedSocket:
    """An events socket that closed under us after `writes` messages went out."""

    def __init__(self, writes: int) -> None:
        self.writes = writes
        self.sent: list[str] = []

    async def __call__(self, text: str) -> None:
        if len(self.sent) >= self.writes:
            raise ConnectionResetError("Cannot write to closing transport")
        self.sent.append(text)


async def socket_taking(send: ClosedSocket) -> SocketRequests:
    socket = SocketRequests(timeout=2)
    await socket.attach(send)  # the probe: one write
    socket.on_response({"type": "RESTResponse", "request_id": "probe", "status_code": 200})
    return socket


async def test_a_socket_closed_before_anything_was_sent_leaves_the_pair_to_http(
    ari: FakeAri, rest: AriRest
) -> None:
    socket = await socket_taking(ClosedSocket(writes=1))
    call = AriCall(rest, "hotline", channel("X"), "2221000", socket=socket)
    await call.answer()
    playing = asyncio.create_task(call.play(["greeting"], barge_in=False))
    _, path, _ = await ari.wait_request("POST", "channels/X/play/")
    assert [p for _, p, _ in ari.requests if p.startswith("channels/X")] == ["channels/X/answer", path]
    assert not socket.usable
    call.on_event({"type": "PlaybackFinished", "playback": {"id": path.rsplit("/", 1)[1], "state": "done"}})
    assert await asyncio.wait_for(playing, 2) is None


async def test_a_socket_closed_half_way_through_the_pair_is_the_pbx_unreachable() -> None:
    send = ClosedSocket(writes=2)  # the probe and the answer; the prompt cannot go
    socket = await socket_taking(send)
    with pytest.raises(PbxUnreachable, match="the socket closed while sending"):
        await socket.send(
            [SocketRequest("POST", "channels/X/answer"), SocketRequest("POST", "channels/X/play/p")]
        )
    assert len(send.sent) == 2 and not socket.usable


async def test_answers_in_the_buffer_after_a_freeze_past_the_timeout_are_taken() -> None:
    # SIGSTOP for 30 s in the restart test: on waking, the timeout's timer ran before
    # the reader's task handled the answers already read, and a call that was fine
    # was given up as "the PBX cannot be reached".
    import time

    socket = SocketRequests(timeout=0.2)
    sent: list[dict[str, object]] = []

    async def send(text: str) -> None:
        sent.append(json.loads(text))

    await socket.attach(send)
    socket.on_response({"type": "RESTResponse", "request_id": "probe", "status_code": 200})
    futures = await socket.send([SocketRequest("POST", "channels/X/answer")])
    answer = {"type": "RESTResponse", "request_id": sent[-1]["request_id"], "status_code": 204}
    loop = asyncio.get_running_loop()

    def frozen() -> None:
        time.sleep(0.4)  # the service stands still past the timeout
        # The answer was read meanwhile; the reader's task handles it a turn later.
        loop.call_soon(loop.call_soon, socket.on_response, answer)

    loop.call_later(0.05, frozen)
    assert await socket.answers(futures) == [None]


async def test_a_request_after_an_answer_given_up_on_still_goes_out(ari: FakeAri, rest: AriRest) -> None:
    # The answer and greeting over the socket got no answer: the call path fails
    # (PbxUnreachable) and sends the caller to the fallback. That request used to
    # die of the given-up answer's cancellation, and the caller stayed in silence.
    from ivr.ari.call_rest import CallRest

    socket = SocketRequests(timeout=0.1)

    async def send(text: str) -> None:
        pass  # Asterisk never answers on this socket

    await socket.attach(send)
    socket.on_response({"type": "RESTResponse", "request_id": "probe", "status_code": 200})
    call = CallRest(rest, socket, "X")
    await call.answer()
    with pytest.raises(PbxUnreachable):
        await call.post("channels/X/play/X-p1", media="sound:greeting")
    await call.post("channels/X/continue", context="hotline-fallback", extension="s", priority=1)
    assert [(m, p) for m, p, _ in ari.requests] == [("POST", "channels/X/continue")]
