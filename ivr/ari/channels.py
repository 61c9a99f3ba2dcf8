"""What the parts of one call share, and how its channels and bridges are named.

Channel ids carry their call: a counselor leg of call X is `X-c<n>`, the
snoop recording its conversation `X-r<n>`, its bridge `X-talk`. So events
route without a lookup table that a restart of the service would lose, and a
restarted service can pair what it finds.
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.ari.call_rest import CallRest
from ivr.ari.legs import AriLeg
from ivr.ari.rest import REQUEST_ERRORS, AriRest
from ivr.errors import CallGone
from ivr.ports import CounselorLeg

RECORDING_TAP = "-r"  # `X-r<n>`: the snoop recording call X's n-th conversation (recorder.py)


def owner_of(channel_id: str) -> str:
    """The call a channel belongs to: `X-c2` -> `X`, `X-r1` -> `X`, `X` -> `X`."""
    for mark in ("-c", RECORDING_TAP):
        head, sep, tail = channel_id.rpartition(mark)
        if sep and tail.isdigit():
            return head
    return channel_id


def is_recording_tap(channel_id: str) -> bool:
    """Whether a channel is a call's recording snoop (`X-r<n>`)."""
    head, sep, tail = channel_id.rpartition(RECORDING_TAP)
    return bool(sep and head and tail.isdigit())


async def hang_up_quietly(rest: AriRest | CallRest, channel_id: str) -> None:
    """Hang a channel up; that it is gone already, or anything else, is no matter."""
    with contextlib.suppress(*REQUEST_ERRORS):
        await rest.delete(f"channels/{channel_id}")


class CallChannels:
    """One call's caller channel, conversation bridge and the phones it rang:
    what its prompts, ringing, bridging, supervision and recording all use."""

    def __init__(self, rest: CallRest, app: str, call_id: str) -> None:
        self.rest = rest
        self.app = app
        self.call_id = call_id
        self.bridge_id = f"{call_id}-talk"
        self.legs: dict[str, AriLeg] = {}
        self._leg_count = 0
        # Asterisk says "hang up" before it ends the prompt the caller was
        # hearing; StasisEnd (which cancels the call) comes after the prompt's
        # PlaybackFinished. Without this the flow would step on for a moment.
        self.hanging_up = False
        self.gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def new_leg(self, counselor_id: str) -> AriLeg:
        """A leg of this call's (`<call>-c<n>`), about to be rung or to snoop."""
        self._leg_count += 1
        leg = AriLeg(counselor_id, f"{self.call_id}-c{self._leg_count}")
        self.legs[leg.leg_id] = leg
        return leg

    async def drop(self, leg: CounselorLeg) -> None:
        """Hang up one phone (quietly if it is gone) and forget it."""
        try:
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"channels/{leg.leg_id}")
        finally:
            self.legs.pop(leg.leg_id, None)
