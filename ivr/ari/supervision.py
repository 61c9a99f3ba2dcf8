"""Supervision: a supervisor's phone listening to, whispering to, or barging
into a counselor's conversation.

Listening and whispering go through a snoop on the counselor's leg, a leg of
this call (`<call>-c<n>`, counselor `snoop:<id>`), bridged with the
supervisor's channel in `<call>-watch<n>`.
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.ari.channels import CallChannels
from ivr.ari.legs import AriLeg
from ivr.errors import CallGone


class Supervision:
    """The supervisors watching one call."""

    def __init__(self, channels: CallChannels) -> None:
        self.channels = channels
        self.rest = channels.rest
        self.call_id = channels.call_id
        self._watches = 0

    async def monitor(self, leg: AriLeg, supervisor_channel: str, mode: str) -> str | None:
        """Let a supervisor's channel hear (listen), talk to the counselor only
        (whisper), or join (barge) this conversation. Returns the bridge made
        for it, to destroy afterwards (None when barging into the conversation)."""
        if mode == "barge":
            await self.rest.post(f"bridges/{self.channels.bridge_id}/addChannel", channel=supervisor_channel)
            return None
        snoop = self.channels.new_leg(f"snoop:{leg.counselor_id}")
        # A snoop on the counselor's leg hears both sides; whispering "out"
        # speaks toward that leg's phone, so only the counselor hears it.
        await self.rest.post(
            f"channels/{leg.leg_id}/snoop",
            spy="both",
            whisper="out" if mode == "whisper" else "none",
            app=self.channels.app,
            appArgs="snoop",
            snoopId=snoop.leg_id,
        )
        async with asyncio.timeout(10):  # not wait_for: it can swallow a cancel (3.11)
            await asyncio.shield(snoop.answered)
        self._watches += 1
        bridge = f"{self.call_id}-watch{self._watches}"
        await self.rest.post(f"bridges/{bridge}", type="mixing", name=f"watch-{self.call_id}")
        await self.rest.post(f"bridges/{bridge}/addChannel", channel=f"{snoop.leg_id},{supervisor_channel}")
        return bridge

    async def end_monitor(self, bridge: str | None) -> None:
        """Take down what `monitor` built (the snoops go with their bridge's end)."""
        for leg in list(self.channels.legs.values()):
            if leg.counselor_id.startswith("snoop:"):
                await self.channels.drop(leg)
        if bridge is not None:
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"bridges/{bridge}")
