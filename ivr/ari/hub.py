"""The ARI side of the service: one event stream, many calls.

The hub routes each event to the call a channel's id names (channels.py),
without a lookup table that a restart of the service would lose; starts a
call for each new caller; and hands the rest to its parts: desk phones'
codes and states (desk_phones.py), what becomes of recordings
(recordings.py), and rebuilding the picture after every connect
(reconcile.py). It is also the Dialer that callbacks place calls with.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ivr.ari.call import AriCall
from ivr.ari.channels import hang_up_quietly, is_recording_tap, owner_of
from ivr.ari.desk_phones import DeskPhones, PhoneSight
from ivr.ari.events import Event, EventStream
from ivr.ari.phone_targets import CALL_VARIABLE
from ivr.ari.reconcile import Reconciler
from ivr.ari.recordings import RecordingEvents
from ivr.ari.rest import REQUEST_ERRORS, AriRest
from ivr.calls.service import CallService, current_call
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
        rings: dict[str, tuple[str, ...]] | None = None,
        alone: bool = True,
        sight: PhoneSight | None = None,
    ) -> None:
        self.rest = rest
        self.app = app
        self.dial = dial  # asterisk.trunk.dial, with {number}
        self.caller_id = caller_id
        self.service = service
        self.records = records
        self.calls: dict[str, AriCall] = {}
        self.recording_events = RecordingEvents(self.calls, recordings)
        self.desk_phones = DeskPhones(
            rest, app, service, self.calls, supervisor_phones, self._spawn, rings, sight
        )
        self.reconciler = Reconciler(rest, app, service, records, self.calls, self.desk_phones, alone=alone)
        self.stream = EventStream(rest, app, self.on_event, self.reconciler.reconcile)
        self.event_times = Durations()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._recent: dict[tuple[str, str, str, str], None] = {}  # insertion-ordered

    async def run(self) -> None:
        await self.stream.run()

    async def stop(self) -> None:
        await self.stream.stop()

    def is_connected(self) -> bool:
        return self.stream.connected.is_set()

    def lose_calls(self, why: str) -> int:
        """This Asterisk is gone with its calls (nodes.py): each ends once, as lost."""
        lost = [call for call in self.calls.values() if not call.outbound_pending]
        self.calls.clear()
        self.desk_phones.unseen()  # what it said of the phones no longer counts
        for call in lost:
            self.service.line_lost(call.call_id, why)
        return len(lost)

    @property
    def asterisk_restarts(self) -> int:
        """How often Asterisk was found restarted on a reconnect."""
        return self.reconciler.asterisk_restarts

    def exposition(self) -> list[str]:
        """Prometheus lines on this ARI connection: reconnects, restarts, event and request times."""
        rest = self.rest
        lines = [
            "# HELP hotline_ari_reconnects_total Times the ARI events connection was re-established.",
            "# TYPE hotline_ari_reconnects_total counter",
            f"hotline_ari_reconnects_total {self.stream.reconnects}",
            "# HELP hotline_asterisk_restarts_total Asterisk restarts noticed.",
            "# TYPE hotline_asterisk_restarts_total counter",
            f"hotline_asterisk_restarts_total {self.asterisk_restarts}",
        ]
        lines += self.event_times.exposition("hotline_ari_event_seconds", "Time to handle one ARI event.")
        lines += rest.request_times.exposition(
            "hotline_ari_request_seconds", "Time from asking Asterisk (ARI) to its answer."
        )
        lines += rest.phases.exposition("hotline_ari")
        lines += self.stream.requests.request_times.exposition(
            "hotline_ari_socket_request_seconds",
            "A call's answer and first prompt over the events socket: from sent to answered.",
        )
        return [
            *lines,
            "# HELP hotline_ari_requests_in_flight ARI requests asked and not yet answered.",
            "# TYPE hotline_ari_requests_in_flight gauge",
            f"hotline_ari_requests_in_flight {rest.in_flight}",
            "# HELP hotline_ari_requests_in_flight_max The most ARI requests in flight at once.",
            "# TYPE hotline_ari_requests_in_flight_max gauge",
            f"hotline_ari_requests_in_flight_max {rest.in_flight_max}",
        ]

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
        if call is None and kind in ("ChannelHold", "ChannelUnhold"):
            # A phone rung through a Local channel (desk and browser together) is
            # not our leg but the one Dial() bridged to it: it names its call.
            named = (channel.get("channelvars") or {}).get(CALL_VARIABLE)
            call = self.calls.get(str(named or ""))
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
        if (args and args[0] == "counselor") or is_recording_tap(channel_id):
            # A counselor answered, or a recording's snoop started, after their caller
            # was gone: let it go (a snoop taken for a citizen's call was counted as one).
            log.info("channel %s of a call that is over; hanging it up", channel_id)
            self._spawn(hang_up_quietly(self.rest, channel_id))
            return
        if args and args[0] in ("feature", "supervise", "prompt"):
            # A desk phone keyed a code: the call is the code's, not a citizen's.
            self.desk_phones.keyed(channel, args)
            return
        dialplan = channel.get("dialplan")
        exten = dialplan.get("exten", "") if isinstance(dialplan, dict) else ""
        dialed = args[1] if len(args) > 1 else exten
        call = AriCall(
            self.rest, self.app, channel, dialed, rings=self.desk_phones.rings, socket=self.stream.requests
        )
        self.calls[call.call_id] = call
        token = current_call.set(call.call_id)
        try:
            log.info("call from %s to %s", call.caller, dialed)
            # The task copies this context: its log lines carry the call id.
            # The third argument: a rehearsal call's X-Rehearsal-At header (the dialplan's).
            moment = str(args[2]) if len(args) > 2 else ""
            self._spawn(self.service.new_call(call, moment))
        finally:
            current_call.reset(token)

    # -- calls we place (Dialer) ---------------------------------------------
    def prepare(self, call_id: str, number: str) -> AriCall:
        """A call to a citizen, routed here from now on (its channel does not exist yet)."""
        dial_to = self.dial.replace("{number}", number) if self.dial is not None else None
        channel = {"id": call_id, "caller": {"number": number}}
        call = AriCall(
            self.rest,
            self.app,
            channel,
            number,
            dial_to=dial_to,
            caller_id=self.caller_id,
            rings=self.desk_phones.rings,
        )
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
