"""Bridging: the conversation between the caller and the counselor, and a
consultation aside (a counselor with a department, the caller on hold).

The conversation is the bridge `<call>-talk`, the consultation `<call>-consult`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ivr.ari.channels import CallChannels
from ivr.errors import CallGone
from ivr.ports import CounselorLeg

LEAVE_BRIDGE_SECONDS = 2.0  # at most, for Asterisk to take the caller out of a bridge we destroyed


class Bridging:
    """One call's conversation bridge and consultation bridge."""

    def __init__(self, channels: CallChannels) -> None:
        self.channels = channels
        self.rest = channels.rest
        self.call_id = channels.call_id
        self.bridge_id = channels.bridge_id
        self.consult_id = f"{self.call_id}-consult"  # a counselor and a department, aside
        self._consulting = False
        self._out_of_talk = asyncio.Event()  # the caller is not in the conversation bridge
        self._out_of_talk.set()
        self._holding: set[asyncio.Task[None]] = set()

    def on_counselor_hold(self, held: bool) -> None:
        """The counselor's phone put the caller on hold (a softphone's re-INVITE) or took them off.

        Asterisk raises ChannelHold and passes the hold to the mixing bridge, where
        nobody plays anything: the caller would hear silence. So the bridge plays
        music while the counselor holds (as in a consultation, which already does).
        """
        if self._consulting:
            return  # the music is on already, and stays until the counselor is back
        task = asyncio.get_running_loop().create_task(self._music(held))
        self._holding.add(task)
        task.add_done_callback(self._holding.discard)

    async def _music(self, on: bool) -> None:
        with contextlib.suppress(CallGone):
            if on:
                await self.rest.post(f"bridges/{self.bridge_id}/moh", mohClass="default")
            else:
                await self.rest.delete(f"bridges/{self.bridge_id}/moh")

    def on_caller_moved(self, kind: str, event: dict[str, Any]) -> None:
        """The caller's channel entered or left a bridge."""
        if (event.get("bridge") or {}).get("id") == self.bridge_id:
            if kind == "ChannelEnteredBridge":
                self._out_of_talk.clear()
            else:
                self._out_of_talk.set()

    async def connect(self, leg: CounselorLeg) -> None:
        # The caller's channel runs Stasis commands one at a time: an
        # addChannel asked for while a playback runs on it waits for that
        # playback's end (seen here: ChannelEnteredBridge only after
        # PlaybackFinished). The flow stops the prompt first (Prompts.play's
        # cancel deletes the playback) and connects after.
        # dtmf_events: a two-party bridge would otherwise go native RTP and pass
        # the counselor's keys (*9, *4N) through without telling us.
        await self.rest.post(
            f"bridges/{self.bridge_id}", type="mixing,dtmf_events", name=f"hotline-{self.call_id}"
        )
        await self.rest.post(f"bridges/{self.bridge_id}/addChannel", channel=f"{self.call_id},{leg.leg_id}")

    async def release(self, leg: CounselorLeg) -> None:
        try:
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"channels/{leg.leg_id}")
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"bridges/{self.bridge_id}")
            # A prompt asked for while the caller is still leaving the bridge
            # never starts: 5 of 3,000 goodbyes in the soak waited out
            # PLAYBACK_START_SECONDS in silence. Asterisk says when they are out.
            if not self.channels.gone.done():
                # Not wait_for: the caller hanging up is their ChannelLeftBridge and
                # StasisEnd at once, and on 3.11 it would swallow that cancellation.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(LEAVE_BRIDGE_SECONDS):
                        await self._out_of_talk.wait()
            if self._consulting:
                with contextlib.suppress(CallGone):
                    await self.rest.delete(f"bridges/{self.consult_id}")
        finally:
            self.channels.legs.pop(leg.leg_id, None)

    async def join(self, leg: CounselorLeg) -> None:
        await self.rest.post(f"bridges/{self.bridge_id}/addChannel", channel=leg.leg_id)

    async def aside(self, leg: CounselorLeg) -> None:
        if not self._consulting:
            await self.rest.post(
                f"bridges/{self.consult_id}", type="mixing,dtmf_events", name=f"consult-{self.call_id}"
            )
            self._consulting = True
            # While the caller is alone in the conversation, they hear music.
            await self.rest.post(f"bridges/{self.bridge_id}/moh", mohClass="default")
        with contextlib.suppress(CallGone):  # a department's phone was never in it
            await self.rest.post(f"bridges/{self.bridge_id}/removeChannel", channel=leg.leg_id)
        await self.rest.post(f"bridges/{self.consult_id}/addChannel", channel=leg.leg_id)

    async def back(self, leg: CounselorLeg) -> None:
        with contextlib.suppress(CallGone):
            await self.rest.post(f"bridges/{self.consult_id}/removeChannel", channel=leg.leg_id)
        await self.rest.post(f"bridges/{self.bridge_id}/addChannel", channel=leg.leg_id)
        if self._consulting:
            self._consulting = False
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"bridges/{self.bridge_id}/moh")
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"bridges/{self.consult_id}")
