"""Routes ARI events to calls and rebuilds the picture after every connect.

Events route by the call a channel's id names (channels.py), without a
lookup table that a restart of the service would lose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import quote

from ivr.acd import feature_codes, supervision
from ivr.acd.actions import CounselorActions
from ivr.ari.call import AriCall
from ivr.ari.channels import hang_up_quietly, owner_of
from ivr.ari.events import HANDLED_EVENTS, Event, EventStream
from ivr.ari.recordings import RecordingEvents
from ivr.ari.rest import REQUEST_ERRORS, AriError, AriRest
from ivr.calls.service import CallService, current_call
from ivr.errors import CallGone
from ivr.ports import CallRecords, RecordingLog
from ivr.runtime.timings import Durations

log = logging.getLogger(__name__)


def _endpoint_of(channel: dict[str, Any]) -> str:
    """A PJSIP channel is named after its endpoint: PJSIP/<endpoint>-<sequence>."""
    return str(channel.get("name", "")).removeprefix("PJSIP/").rpartition("-")[0]


# What ARI sends as JSON objects; an event with anything else there is not Asterisk's.
_OBJECTS = ("channel", "peer", "playback", "recording", "endpoint", "bridge", "replace_channel")


# Asterisk's HTTP server refuses a request line over 4 KB ("Request line too
# long", 400; http.c's MAX_HTTP_LINE_LENGTH): some hundred counselors' endpoints
# in one subscription query. Found by the load benchmark with 180 counselors.
SUBSCRIPTION_QUERY_CHARS = 2000


def _in_chunks(sources: list[str]) -> list[list[str]]:
    """Event sources in groups whose query (URL-encoded) stays well under the limit."""
    chunks: list[list[str]] = [[]]
    size = 0
    for source in sources:
        cost = len(quote(source, safe="")) + 3  # and the encoded comma
        if chunks[-1] and size + cost > SUBSCRIPTION_QUERY_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(source)
        size += cost
    return chunks


class AriHub:
    """The ARI side of the service: one event stream, many calls."""

    def __init__(
        self,
        rest: AriRest,
        app: str,
        service: CallService,
        records: CallRecords,
        *,
        dial: str | None = None,
        caller_id: str = "",
        supervisor_phones: dict[str, str] | None = None,
        recordings: RecordingLog | None = None,
    ) -> None:
        self.rest = rest
        self.app = app
        self.dial = dial  # asterisk.trunk.dial, with {number}
        self.actions = CounselorActions(service.acd)
        self.supervisor_phones: dict[str, str] = dict(supervisor_phones or {})  # endpoint -> id
        self.caller_id = caller_id
        self.service = service
        self.records = records
        self.calls: dict[str, AriCall] = {}
        self.recording_events = RecordingEvents(self.calls, recordings)
        # Counselors' desk phones by PJSIP endpoint name, for their device state.
        self.phones = {endpoint: cid for cid, endpoint in service.acd.endpoints.items()}
        self.stream = EventStream(rest, app, self.on_event, self.reconcile)
        self.startup_time: str | None = None
        self.asterisk_restarts = 0
        self.event_times = Durations()
        self._recovered = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._recent: dict[tuple[str, str, str, str], None] = {}  # insertion-ordered

    async def run(self) -> None:
        await self.stream.run()

    async def stop(self) -> None:
        await self.stream.stop()

    async def registered(self) -> bool:
        """Whether Asterisk has our Stasis app registered right now."""
        if not self.stream.connected.is_set():
            return False
        try:
            await self.rest.get(f"applications/{self.app}")
        except REQUEST_ERRORS:
            return False
        return True

    # -- events ------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        started = time.perf_counter()
        try:
            self._on_event(event)
        finally:
            self.event_times.add(time.perf_counter() - started)

    def _on_event(self, event: Event) -> None:
        kind = event["type"]
        malformed = [k for k in _OBJECTS if event.get(k) is not None and not isinstance(event[k], dict)]
        if malformed:
            log.warning("ignoring an ARI %s whose %s is not an object: %.200s", kind, malformed[0], event)
            return
        if kind == "EndpointStateChange":
            self._phone_state(event.get("endpoint") or {})
            return
        if kind == "BridgeDestroyed":
            self.recording_events.bridge_gone(str((event.get("bridge") or {}).get("id", "")))
            return
        channel = event.get("channel") or {}
        channel_id = channel.get("id")
        if self._seen_before(kind, channel_id, event):
            return
        if kind.startswith(("Playback", "Recording")):
            item = event.get("playback") or event.get("recording") or {}
            target = item.get("target_uri", "") if isinstance(item, dict) else ""
            kind_of, _, name = str(target).partition(":")
            # A call's bridge is `<call>-talk`: its playbacks and recordings are the call's.
            channel_id = {"channel": name, "bridge": name.removesuffix("-talk")}.get(kind_of)
            if kind.startswith("Recording") and isinstance(channel_id, str):
                # Told even when the call is over: a conversation's recording
                # finishes as its bridge goes, after the caller's hangup.
                self.recording_events.on_event(kind, owner_of(channel_id), item)
        if not isinstance(channel_id, str):
            return
        call = self.calls.get(owner_of(channel_id))
        if kind == "StasisStart" and call is None:
            self._stasis_start(event, channel)
            return
        if call is None:
            return
        token = current_call.set(call.call_id)
        try:
            pending = call.outbound_pending
            call.on_event(event)
            # A callback's citizen who never answered ends in the dial, not as a hangup.
            if kind == "StasisEnd" and channel_id == call.call_id and not pending:
                self.calls.pop(call.call_id, None)
                self.service.call_ended(call.call_id, call.hangup_cause)
        finally:
            current_call.reset(token)

    def _seen_before(self, kind: str, channel_id: object, event: Event) -> bool:
        """The same event delivered twice: a counselor's channel is ours twice over,
        through Stasis and through the endpoint subscription that tells us their
        phone's state, and Asterisk sends its events once per subscription (a key
        pressed once would count twice)."""
        if not isinstance(channel_id, str) or "timestamp" not in event:
            return False
        key = (kind, channel_id, str(event.get("timestamp")), str(event.get("digit")))
        if key in self._recent:
            return True
        self._recent[key] = None
        if len(self._recent) > 512:
            self._recent.pop(next(iter(self._recent)))
        return False

    def _stasis_start(self, event: Event, channel: dict[str, Any]) -> None:
        args = event.get("args")
        args = args if isinstance(args, list) else []
        channel_id = channel["id"]
        if args and args[0] == "counselor":
            # A counselor answered after their caller was gone: let them go.
            log.info("counselor leg %s has no call any more; hanging it up", channel_id)
            self._spawn(hang_up_quietly(self.rest, channel_id))
            return
        if args and args[0] in ("feature", "supervise"):
            # A desk phone keyed a code: the call is the code's, not a citizen's.
            code = args[1] if len(args) > 1 else ""
            phone = AriCall(self.rest, self.app, channel, code)
            self.calls[phone.call_id] = phone
            endpoint = _endpoint_of(channel)
            if args[0] == "feature":
                self._spawn(self._answer_feature(phone, self.phones.get(endpoint), code))
            else:
                self._spawn(self._supervision(phone, self.supervisor_phones.get(endpoint), code))
            return
        dialplan = channel.get("dialplan")
        exten = dialplan.get("exten", "") if isinstance(dialplan, dict) else ""
        dialed = args[1] if len(args) > 1 else exten
        call = AriCall(self.rest, self.app, channel, dialed)
        self.calls[call.call_id] = call
        token = current_call.set(call.call_id)
        try:
            log.info("call from %s to %s", call.caller, dialed)
            # The task copies this context: its log lines carry the call id.
            self._spawn(self.service.new_call(call))
        finally:
            current_call.reset(token)

    # -- counselors' feature codes -------------------------------------------
    async def _answer_feature(self, call: AriCall, counselor_id: str | None, dialed: str) -> None:
        try:
            code = feature_codes.parse(dialed)
            result = None
            if code is not None and counselor_id is not None:
                action, reason = code
                result = self.actions.request(counselor_id, action, reason)
                log.info("counselor %s keyed %s: %s", counselor_id, dialed, result.message_en)
            else:
                log.info(
                    "feature code %r from %s: no such code or not a counselor's phone", dialed, call.call_id
                )
            await call.answer()
            await call.play(
                [f"jeonju/{feature_codes.spoken(code[0] if code else None, result)}"], barge_in=False
            )
            await call.hangup()
        except REQUEST_ERRORS as exc:
            log.info("feature call %s ended early: %s", call.call_id, exc)
        finally:
            self.calls.pop(call.call_id, None)

    # -- supervisors listening, whispering, barging -------------------------
    async def _supervision(self, watcher: AriCall, supervisor_id: str | None, dialed: str) -> None:
        call = leg = bridge = None
        try:
            found = supervision.parse(dialed, list(self.service.acd.counselors)) if supervisor_id else None
            if found is not None:
                mode, counselor_id = found
                counselor = self.service.acd.counselors[counselor_id]
                call = self.calls.get(counselor.call_id or "")
                legs = call.legs.values() if call is not None else ()
                leg = next((x for x in legs if x.counselor_id == counselor_id and x.answered.done()), None)
            await watcher.answer()
            if call is None or leg is None or found is None:
                log.info("supervisor %s keyed %s: no such call to join", supervisor_id, dialed)
                await watcher.play(["jeonju/supervise-none"], barge_in=False)
                return
            bridge = await call.monitor(leg, watcher.call_id, mode.value)
            self.service.note(call.call_id, "supervisor_joined", supervisor=supervisor_id, mode=mode.value)
            ended: set[asyncio.Future[Any]] = {watcher.gone, leg.gone, call.gone}
            await asyncio.wait(ended, return_when=asyncio.FIRST_COMPLETED)
            self.service.note(call.call_id, "supervisor_left", supervisor=supervisor_id, mode=mode.value)
        except (*REQUEST_ERRORS, TimeoutError) as exc:
            log.warning("supervising %s ended early: %s", dialed, exc)
        finally:
            if call is not None:
                await call.end_monitor(bridge)
            await hang_up_quietly(self.rest, watcher.call_id)
            self.calls.pop(watcher.call_id, None)

    # -- calls we place (Dialer) ---------------------------------------------
    def prepare(self, call_id: str, number: str) -> AriCall:
        """A call to a citizen, routed here from now on (its channel does not exist yet)."""
        dial_to = self.dial.replace("{number}", number) if self.dial is not None else None
        channel = {"id": call_id, "caller": {"number": number}}
        call = AriCall(self.rest, self.app, channel, number, dial_to=dial_to, caller_id=self.caller_id)
        self.calls[call_id] = call
        return call

    def forget(self, call_id: str) -> None:
        """The attempt is over; a citizen channel created but never dialed goes too."""
        call = self.calls.pop(call_id, None)
        if call is not None and call.outbound_pending:
            self._spawn(hang_up_quietly(self.rest, call_id))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _phone_state(self, endpoint: Any) -> None:
        if not isinstance(endpoint, dict):
            return
        cid = self.phones.get(str(endpoint.get("resource", "")))
        if cid is not None and endpoint.get("technology") == "PJSIP":
            # "offline": unregistered or failing qualify. A phone on a fixed
            # address that is not qualified stays "unknown": offered as usual.
            self.service.acd.set_reachable(cid, endpoint.get("state") != "offline")

    async def _filter_events(self) -> None:
        """Ask Asterisk for the event types the service acts on and no others
        (set again after every connect: a restarted Asterisk has forgotten)."""
        allowed = [{"type": kind} for kind in sorted(HANDLED_EVENTS)]
        try:
            await self.rest.put(f"applications/{self.app}/eventFilter", {"allowed": allowed})
        except (AriError, CallGone) as exc:
            # An Asterisk before 16.24 has no filter (404): everything still works, only slower.
            log.warning("Asterisk would not filter events (%s): every event is sent", exc)

    async def _watch_phones(self) -> None:
        """Subscribe to the counselors' endpoints and read their state now."""
        if not self.phones:
            return
        for sources in _in_chunks([f"endpoint:PJSIP/{ep}" for ep in self.phones]):
            await self.rest.post(f"applications/{self.app}/subscription", eventSource=",".join(sources))
        for endpoint in self.phones:
            try:
                self._phone_state(await self.rest.get(f"endpoints/PJSIP/{endpoint}"))
            except CallGone:
                log.warning("Asterisk has no endpoint %s (render and restart the PBX)", endpoint)

    # -- after every connect -----------------------------------------------
    async def reconcile(self) -> None:
        """Rebuild state from REST: events sent while disconnected are lost."""
        info = await self.rest.get("asterisk/info")
        startup = ((info or {}).get("status") or {}).get("startup_time")
        if self.startup_time is not None and startup != self.startup_time:
            self.asterisk_restarts += 1
            log.warning("Asterisk restarted (started at %s); its calls are gone", startup)
        self.startup_time = startup
        await self._filter_events()
        await self._watch_phones()
        app = await self.rest.get(f"applications/{self.app}")
        alive = set(app.get("channel_ids") or [])
        for call_id, call in list(self.calls.items()):
            if call_id not in alive:
                self.calls.pop(call_id, None)
                self.service.call_ended(call_id, call.hangup_cause or "gone_while_disconnected")
                continue
            for leg_id, leg in list(call.legs.items()):
                if leg_id not in alive:
                    leg.on_event({"type": "ChannelDestroyed", "cause": None})
        if not self._recovered:
            await self._recover(alive)
            self._recovered = True
        await self._sweep(alive, set(app.get("bridge_ids") or []))

    async def _recover(self, alive: set[str]) -> None:
        """After a start of the service: take up calls that outlived the last one."""
        # Conversations first: their counselors must be on a call again before
        # callers taken back into line are offered to anyone.
        for facts in sorted(await self.records.open_calls(), key=lambda f: f.connected_at is None):
            if self.service.knows(facts.call_id):
                continue
            if facts.call_id not in alive:
                await self.service.close_lost(facts, "ended while the service was down")
                continue
            try:
                channel = await self.rest.get(f"channels/{facts.call_id}")
            except CallGone:
                await self.service.close_lost(facts, "ended while the service was down")
                continue
            call = AriCall(self.rest, self.app, channel, facts.dialed)
            self.calls[call.call_id] = call
            leg = None
            if facts.counselor_leg and facts.counselor_leg in alive and facts.counselor_id:
                # A caller handed to a department talks with its phone, not the counselor.
                who = f"dept:{facts.handed_to}" if facts.handed_to else facts.counselor_id
                leg = call.adopt_leg(who, facts.counselor_leg)
            elif facts.connected_at:
                # The counselor left while we were down; the caller is alone.
                facts.hangup_by = "counselor"
                with contextlib.suppress(CallGone):
                    await call.hangup()
                self.calls.pop(call.call_id, None)
                await self.service.close_lost(facts, "normal_clearing")
                continue
            log.info("resuming call %s (%s)", call.call_id, "conversation" if leg else "menu")
            await self.service.resume(call, facts, leg)

    async def _sweep(self, alive: set[str], bridges: set[str]) -> None:
        """Hang up channels and destroy bridges that belong to no call."""
        for channel_id in alive:
            call = self.calls.get(owner_of(channel_id))
            if call is None:
                log.info("hanging up channel %s: it belongs to no call", channel_id)
                await hang_up_quietly(self.rest, channel_id)
            elif channel_id != call.call_id and channel_id not in call.legs:
                # A counselor's phone still ringing for a caller whose wait was
                # taken up again after a restart: the caller will be offered anew.
                log.info("hanging up counselor leg %s: no longer offered", channel_id)
                await hang_up_quietly(self.rest, channel_id)
        for bridge_id in bridges:
            # A call's bridges are `<call>-talk`, `<call>-consult`, `<call>-watch<n>`.
            if bridge_id.rpartition("-")[0] not in self.calls:
                with contextlib.suppress(*REQUEST_ERRORS):
                    await self.rest.delete(f"bridges/{bridge_id}")
