"""The other ends of a citizen's call: counselors' phones it rings, and a
citizen's own phone dialed for a callback; with what their channels' events
mean (answered, keys pressed, gone and why).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ivr.ports import OfferResult

log = logging.getLogger(__name__)

# Q.850 causes Asterisk gives a dialed channel that never answered.
_CAUSES = {
    17: OfferResult.BUSY,
    18: OfferResult.NO_ANSWER,
    19: OfferResult.NO_ANSWER,
    21: OfferResult.REJECTED,
}


# Causes of an answered phone's call that ended without its person hanging up:
# the line broke. 44 is what Asterisk gives when a phone sent no audio for the
# endpoint's rtp_timeout (res_pjsip_sdp_rtp.c): power or network gone.
LINE_LOST = frozenset({27, 38, 41, 44, 102})
FINAL_CAUSE_SECONDS = 2.0


def unanswered(cause: int | None) -> OfferResult:
    """Why a phone that rang did not answer, from the cause its channel ended with."""
    return _CAUSES.get(cause, OfferResult.UNREACHABLE) if cause else OfferResult.NO_ANSWER


def digit_of(event: dict[str, Any]) -> str | None:
    digit = event.get("digit")
    if isinstance(digit, str) and len(digit) == 1 and digit in "0123456789*#ABCD":
        return digit
    log.warning("ignoring a DTMF event with digit %r", digit)
    return None


class AriLeg:
    """A counselor's phone rung for one call (CounselorLeg)."""

    def __init__(self, counselor_id: str, leg_id: str) -> None:
        self.counselor_id = counselor_id
        self.leg_id = leg_id
        loop = asyncio.get_running_loop()
        self.answered: asyncio.Future[None] = loop.create_future()
        self.gone: asyncio.Future[int | None] = loop.create_future()
        self._keys: asyncio.Queue[str] = asyncio.Queue()
        self._causes: list[int] = []  # as the hangup request and the channel's end gave them
        self._destroyed: asyncio.Future[None] = loop.create_future()

    async def wait_ended(self) -> None:
        await asyncio.shield(self.gone)

    async def line_lost(self) -> bool:
        # The hangup request says little (cause 1 for a line timeout, seen on
        # Asterisk 22); the real cause comes with ChannelDestroyed, after
        # StasisEnd: wait for it, a moment.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FINAL_CAUSE_SECONDS):  # not wait_for: it can swallow a cancel (3.11)
                await asyncio.shield(self._destroyed)
        return any(cause in LINE_LOST for cause in self._causes)

    async def next_key(self) -> str:
        return await self._keys.get()

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "ChannelDtmfReceived":
            digit = digit_of(event)
            if digit is not None:
                log.debug("counselor %s keyed %s (%s ms)", self.counselor_id, digit, event.get("duration_ms"))
                self._keys.put_nowait(digit)
        elif kind == "StasisStart" and not self.answered.done():
            self.answered.set_result(None)
        elif kind in ("ChannelDestroyed", "StasisEnd", "ChannelHangupRequest"):
            cause = event.get("cause") if kind != "StasisEnd" else None
            if kind == "ChannelHangupRequest" and not self.answered.done():
                return  # wait for ChannelDestroyed: it carries the final cause
            log.debug("counselor %s leg %s: %s cause %s", self.counselor_id, self.leg_id, kind, cause)
            if isinstance(cause, int) and cause:
                self._causes.append(cause)
            if kind == "ChannelDestroyed" and not self._destroyed.done():
                self._destroyed.set_result(None)
            if not self.gone.done():
                self.gone.set_result(cause)


class Outbound:
    """A created channel being dialed: it is in Stasis from creation, so it has
    answered when its state goes Up, not on StasisStart."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.answered: asyncio.Future[None] = loop.create_future()
        self.gone: asyncio.Future[int | None] = loop.create_future()
        # Created is not yet in Stasis: until its StasisStart, a dial is refused
        # ("Channel not in Stasis application").
        self.in_stasis: asyncio.Future[None] = loop.create_future()
        self._cause: int | None = None

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        state = (event.get("channel") or {}).get("state")
        if kind == "StasisStart" and not self.in_stasis.done():
            self.in_stasis.set_result(None)
        elif kind == "ChannelStateChange" and state == "Up" and not self.answered.done():
            self.answered.set_result(None)
        elif kind == "ChannelHangupRequest" and isinstance(event.get("cause"), int):
            self._cause = event["cause"]
        elif kind in ("ChannelDestroyed", "StasisEnd") and not self.gone.done():
            cause = event.get("cause")
            self.gone.set_result(cause if isinstance(cause, int) else self._cause)
