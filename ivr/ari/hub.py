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

from ivr.ari.call import AriCall
from ivr.ari.channels import hang_up_quietly, owner_of
from ivr.ari.desk_phones import DeskPhones
from ivr.ari.events import HANDLED_EVENTS, Event, EventStream
from ivr.ari.recordings import RecordingEvents
from ivr.ari.rest import REQUEST_ERRORS, AriError, AriRest
from ivr.calls.service import CallService, current_call
from ivr.errors import CallGone
from ivr.ports import CallRecords, RecordingLog
from ivr.runtime.timings import Durations

log = logging.getLogger(__name__)


# What ARI sends as JSON objects; an event with anything else there is not Asterisk's.
_OBJECTS = ("channel", "peer", "playback", "recording", "endpoint", "bridge", "replace_channel")


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
        self.caller_id = caller_id
        self.service = service
        self.records = records
        self.calls: dict[str, AriCall] = {}
        self.recording_events = RecordingEvents(self.calls, recordings)
        self.desk_phones = DeskPhones(rest, app, service, self.calls, supervisor_phones, self._spawn)
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
            self.desk_phones.phone_state(event.get("endpoint") or {})
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
            self.desk_phones.keyed(channel, args)
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
    # -- supervisors listening, whispering, barging -------------------------
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

    async def _filter_events(self) -> None:
        """Ask Asterisk for the event types the service acts on and no others
        (set again after every connect: a restarted Asterisk has forgotten)."""
        allowed = [{"type": kind} for kind in sorted(HANDLED_EVENTS)]
        try:
            await self.rest.put(f"applications/{self.app}/eventFilter", {"allowed": allowed})
        except (AriError, CallGone) as exc:
            # An Asterisk before 16.24 has no filter (404): everything still works, only slower.
            log.warning("Asterisk would not filter events (%s): every event is sent", exc)

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
        await self.desk_phones.watch()
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
