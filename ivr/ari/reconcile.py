"""After every connect: what Asterisk has now, against what the service thinks.

Asterisk sends no events while the events socket is down, and does not
replay StasisStart, so the picture is rebuilt from REST each time; after a
start of the service, calls that outlived the last one are taken up again.
"""

from __future__ import annotations

import contextlib
import logging

from ivr.ari.call import AriCall
from ivr.ari.channels import hang_up_quietly, is_recording_tap, owner_of
from ivr.ari.desk_phones import DeskPhones
from ivr.ari.events import HANDLED_EVENTS
from ivr.ari.rest import REQUEST_ERRORS, AriError, AriRest
from ivr.calls.service import CallService
from ivr.errors import CallGone
from ivr.ports import CallRecords

log = logging.getLogger(__name__)


class Reconciler:
    """Rebuilds the hub's calls from Asterisk's after each connect."""

    def __init__(
        self,
        rest: AriRest,
        app: str,
        service: CallService,
        records: CallRecords,
        calls: dict[str, AriCall],
        desk_phones: DeskPhones,
        *,
        alone: bool = True,
    ) -> None:
        self.rest = rest
        self.app = app
        self.service = service
        self.records = records
        self.calls = calls  # the hub's
        self.desk_phones = desk_phones
        # One node of several (nodes.py): a call not alive here may be on another.
        self.alone = alone
        self.startup_time: str | None = None
        self.asterisk_restarts = 0
        self._recovered = False

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

    async def _filter_events(self) -> None:
        """Ask Asterisk for the event types the service acts on and no others
        (set again after every connect: a restarted Asterisk has forgotten)."""
        allowed = [{"type": kind} for kind in sorted(HANDLED_EVENTS)]
        try:
            await self.rest.put(f"applications/{self.app}/eventFilter", {"allowed": allowed})
        except (AriError, CallGone) as exc:
            # An Asterisk before 16.24 has no filter (404): everything still works, only slower.
            log.warning("Asterisk would not filter events (%s): every event is sent", exc)

    async def _recover(self, alive: set[str]) -> None:
        """After a start of the service: take up calls that outlived the last one."""
        # Conversations first: their counselors must be on a call again before
        # callers taken back into line are offered to anyone.
        for facts in sorted(await self.records.open_calls(), key=lambda f: f.connected_at is None):
            if self.service.knows(facts.call_id):
                continue
            if facts.call_id not in alive:
                if not self.alone:
                    continue  # another node's, or closed by close_unclaimed (nodes.py)
                await self.service.close_lost(facts, "ended while the service was down")
                continue
            try:
                channel = await self.rest.get(f"channels/{facts.call_id}")
            except CallGone:
                await self.service.close_lost(facts, "ended while the service was down")
                continue
            call = AriCall(self.rest, self.app, channel, facts.dialed, rings=self.desk_phones.rings)
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
            elif (
                is_recording_tap(channel_id) and call.in_conversation() and not call.recorder.owns(channel_id)
            ):
                # A conversation taken up again after a restart is still being recorded.
                call.recorder.adopt(channel_id)
            elif (
                channel_id != call.call_id
                and channel_id not in call.legs
                and not call.recorder.owns(channel_id)
            ):
                # A counselor's phone still ringing for a caller whose wait was
                # taken up again after a restart: the caller will be offered anew.
                log.info("hanging up counselor leg %s: no longer offered", channel_id)
                await hang_up_quietly(self.rest, channel_id)
        for bridge_id in bridges:
            # A call's bridges are `<call>-talk`, `<call>-consult`, `<call>-watch<n>`.
            if bridge_id.rpartition("-")[0] not in self.calls:
                with contextlib.suppress(*REQUEST_ERRORS):
                    await self.rest.delete(f"bridges/{bridge_id}")
