"""One citizen's call as ARI channels, bridges and playbacks (CallControl).

Events for the caller's channel and for the counselor channels it rings are
routed here by the hub. AriCall hands each to the part of the call it
concerns, which turns it into what the call path waits for (a digit, a
finished prompt, a counselor who answered), and each CallControl request to
the part that carries it out:

    prompts.py      what the caller hears and keys
    ringing.py      counselors' phones offered the caller; a callback's citizen dialed
    bridging.py     the conversation, and a consultation aside
    supervision.py  supervisors listening, whispering or barging in
    recorder.py     the conversation's recording, a caller's message

The parts share the call's channels explicitly (channels.py: its ids, the
legs it rang, whether the caller is hanging up or gone), not each other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from ivr.ari.bridging import Bridging
from ivr.ari.call_rest import CallRest
from ivr.ari.channels import CallChannels
from ivr.ari.legs import AriLeg
from ivr.ari.prompts import Prompts
from ivr.ari.recorder import Recorder
from ivr.ari.recordings import PROMPT_PREFIX
from ivr.ari.rest import AriRest
from ivr.ari.ringing import Ringing
from ivr.ari.socket_requests import SocketRequests
from ivr.ari.supervision import Supervision
from ivr.errors import CallGone
from ivr.ports import CounselorLeg, OfferResult, hangup_cause_name

# How long a hangup through the dialplan may take before DELETE does it (AriCall.hangup).
DIALPLAN_HANGUP_SECONDS = 2.0


class AriCall:
    """The caller's channel, implementing CallControl."""

    def __init__(
        self,
        rest: AriRest,
        app: str,
        channel: dict[str, Any],
        dialed: str,
        *,
        dial_to: str | None = None,
        caller_id: str = "",
        rings: Mapping[str, tuple[str, ...]] | None = None,
        socket: SocketRequests | None = None,
    ) -> None:
        self.call_id: str = channel["id"]
        # `socket`: the events socket, over which a new call's answer goes with its first prompt.
        self.rest = CallRest(rest, socket, self.call_id)
        caller = channel.get("caller")
        self.caller: str = (caller.get("number") if isinstance(caller, dict) else None) or "anonymous"
        self.dialed = dialed
        self.hangup_cause: str | None = None
        self.channels = CallChannels(self.rest, app, self.call_id)
        self.prompts = Prompts(self.channels, channel.get("language") or "ko")
        # A callback: where the carrier dials the citizen, and the number they see.
        self.ringing = Ringing(self.channels, self.caller, dial_to, caller_id, rings)
        self.bridging = Bridging(self.channels)
        self.supervision = Supervision(self.channels)
        self.recorder = Recorder(self.channels)

    @property
    def legs(self) -> dict[str, AriLeg]:
        """The counselors' (and departments', and snooping supervisors') phones this call rang."""
        return self.channels.legs

    @property
    def gone(self) -> asyncio.Future[None]:
        """Done once the caller's channel has left."""
        return self.channels.gone

    def in_conversation(self) -> bool:
        """The caller is here and a counselor (or department) leg is answered and up."""
        return not self.gone.done() and any(
            leg.answered.done() and not leg.gone.done() and not leg.counselor_id.startswith("snoop:")
            for leg in self.legs.values()
        )

    def adopt_leg(self, counselor_id: str, leg_id: str) -> AriLeg:
        """A counselor leg found alive after a restart of the service."""
        leg = AriLeg(counselor_id, leg_id)
        leg.answered.set_result(None)
        self.legs[leg_id] = leg
        return leg

    # -- events ------------------------------------------------------------
    def on_event(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        channel_id = (event.get("channel") or {}).get("id")
        if kind in ("ChannelHold", "ChannelUnhold"):
            if channel_id != self.call_id:  # the counselor's phone, not the caller's
                self.bridging.on_counselor_hold(kind == "ChannelHold")
            return
        if channel_id and channel_id in self.legs:
            self.legs[channel_id].on_event(event)
            return
        if channel_id and self.recorder.owns(channel_id):
            self.recorder.on_tap_event(event)
            return
        if channel_id == self.call_id:
            self.ringing.on_caller_event(event)
        if kind == "ChannelDtmfReceived":
            self.prompts.on_key(event)
        elif kind == "PlaybackStarted":
            self.prompts.on_started(event)
        elif kind in ("PlaybackFinished", "PlaybackStopped"):
            self.prompts.on_finished(event)
        elif kind in ("RecordingFinished", "RecordingFailed"):
            self.recorder.on_ended(kind, event)
        elif kind in ("ChannelEnteredBridge", "ChannelLeftBridge") and channel_id == self.call_id:
            self.bridging.on_caller_moved(kind, event)
        elif kind == "ChannelHangupRequest":
            cause = event.get("cause")
            self.hangup_cause = hangup_cause_name(cause if isinstance(cause, int) else None)
            self.channels.hanging_up = self.channels.hanging_up or channel_id == self.call_id
        elif (
            kind in ("StasisEnd", "ChannelDestroyed") and channel_id == self.call_id and not self.gone.done()
        ):
            self.rest.close()
            self.gone.set_result(None)

    # -- the caller's channel ----------------------------------------------
    async def answer(self) -> None:
        await self.rest.answer()  # with the first prompt, where it can (call_rest.py)

    async def hangup(self) -> None:
        """Hang the caller up, through the dialplan's `hotline-hangup` (a Hangup(16)).

        Not DELETE /channels/{id}: Asterisk finds the channel for it by id, and its
        default channel storage (ao2_legacy) does that by locking every channel in
        turn. At IVR 28/s those answered after 1.5 s and 47 callers gave up waiting
        for the BYE. `continue` finds the channel's Stasis control by a hash. It
        waits behind a playback on the channel, and a channel not in Stasis (a
        callback's citizen still ringing) refuses it; DELETE is kept for both.
        """
        if self.gone.done():
            return
        try:
            await self._continue_in("hotline-hangup")
            async with asyncio.timeout(DIALPLAN_HANGUP_SECONDS):
                await asyncio.shield(self.gone)  # StasisEnd: the dialplan has it
            return
        except (CallGone, TimeoutError):
            pass
        with contextlib.suppress(CallGone):
            await self.rest.delete(f"channels/{self.call_id}", reason="normal")

    async def divert_to_fallback(self) -> None:
        await self._continue_in("hotline-fallback")

    async def _continue_in(self, context: str) -> None:
        """Send the caller's channel out of Stasis to the start of a dialplan context."""
        await self.rest.post(f"channels/{self.call_id}/continue", context=context, extension="s", priority=1)

    # -- what the caller hears and keys (prompts.py) -----------------------
    async def play(self, prompts: Sequence[str], *, barge_in: bool = True) -> str | None:
        return await self.prompts.play(prompts, barge_in=barge_in)

    async def read_digit(self, timeout: float) -> str | None:
        return await self.prompts.read_digit(timeout)

    def discard_digits(self) -> None:
        self.prompts.discard_digits()

    async def hold(self, on: bool) -> None:
        await self.prompts.hold(on)

    async def announce(self, prompts: Sequence[str], language: str) -> None:
        await self.prompts.announce(prompts, language)

    # -- ringing (ringing.py) ----------------------------------------------
    async def offer(
        self, counselor_id: str, endpoint: str, ring_seconds: float
    ) -> tuple[OfferResult, CounselorLeg | None]:
        return await self.ringing.offer(counselor_id, endpoint, ring_seconds)

    async def dial(self, ring_seconds: float) -> OfferResult:
        """Ring the citizen through the carrier (a callback); this call's channel is theirs."""
        return await self.ringing.dial(ring_seconds)

    @property
    def outbound_pending(self) -> bool:
        """A callback's citizen not (yet) answered: its end is the dial's business."""
        return self.ringing.outbound_pending

    # -- bridging (bridging.py) --------------------------------------------
    async def connect(self, leg: CounselorLeg) -> None:
        await self.bridging.connect(leg)

    async def release(self, leg: CounselorLeg) -> None:
        try:
            await self.bridging.release(leg)
        finally:
            # After the counselor's leg has gone: a recording that ends while
            # they are still on the line counts as cut short (recordings.py).
            await self.recorder.stop_conversation()

    async def join(self, leg: CounselorLeg) -> None:
        await self.bridging.join(leg)

    async def drop(self, leg: CounselorLeg) -> None:
        await self.channels.drop(leg)

    async def aside(self, leg: CounselorLeg) -> None:
        await self.bridging.aside(leg)

    async def back(self, leg: CounselorLeg) -> None:
        await self.bridging.back(leg)

    # -- supervision (supervision.py) --------------------------------------
    async def monitor(self, leg: AriLeg, supervisor_channel: str, mode: str) -> str | None:
        """A supervisor's channel listening, whispering or barging in; the bridge to end after."""
        return await self.supervision.monitor(leg, supervisor_channel, mode)

    async def end_monitor(self, bridge: str | None) -> None:
        """Take down what `monitor` built."""
        await self.supervision.end_monitor(bridge)

    # -- recording (recorder.py) -------------------------------------------
    async def record_conversation(self) -> str | None:
        return await self.recorder.record_conversation()

    async def record_message(
        self, *, max_seconds: int, silence_seconds: int, beep: bool
    ) -> tuple[str, float] | None:
        return await self.recorder.record_message(
            max_seconds=max_seconds, silence_seconds=silence_seconds, beep=beep
        )

    async def record_prompt(self, max_seconds: int) -> str | None:
        """A prompt said into a desk phone after the beep, ended by # or 5 s of silence: its
        stored recording's name (kept out of the recordings copier by its prefix)."""
        done = await self.recorder.record_message(
            max_seconds=max_seconds, silence_seconds=5, beep=True, prefix=PROMPT_PREFIX
        )
        return done[0] if done else None
