"""Ringing: counselors' phones offered a caller, and a callback's citizen dialed.

A counselor's leg is a channel Asterisk originates into Stasis; a callback's
citizen is this call's own channel, created first and dialed through the
carrier once a counselor has answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from ivr.ari.channels import CallChannels
from ivr.ari.legs import AriLeg, Outbound, unanswered
from ivr.ari.phone_targets import CALL_VARIABLE, dial_target, through_local
from ivr.ari.rest import REQUEST_ERRORS, AriError
from ivr.errors import CallGone, PbxUnreachable
from ivr.ports import CounselorLeg, OfferResult

log = logging.getLogger(__name__)


# How long a created citizen channel may take to enter Stasis before it is dialed anyway.
STASIS_WAIT = 5.0


class Ringing:
    """The phones one call rings, and (a callback) the citizen it dials."""

    def __init__(
        self,
        channels: CallChannels,
        caller: str,
        dial_to: str | None,
        caller_id: str,
        rings: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.channels = channels
        # A phone's endpoint -> the endpoints that ring for it (desk, browser).
        self.rings: Mapping[str, tuple[str, ...]] = rings or {}
        self.rest = channels.rest
        self.call_id = channels.call_id
        self.caller = caller
        # An outbound call (a callback): where to dial, and how the ring went.
        self.dial_to = dial_to
        self.caller_id = caller_id
        self._dialing: Outbound | None = None

    def on_caller_event(self, event: dict[str, Any]) -> None:
        """An event of the caller's channel: while it is being dialed, the dial's."""
        if self._dialing is not None:
            self._dialing.on_event(event)

    async def offer(
        self, counselor_id: str, endpoint: str, ring_seconds: float
    ) -> tuple[OfferResult, CounselorLeg | None]:
        leg = self.channels.new_leg(counselor_id)
        params: dict[str, Any] = {
            "endpoint": dial_target(endpoint, self.rings),
            "app": self.channels.app,
            "appArgs": f"counselor,{self.call_id}",
            "channelId": leg.leg_id,
            "callerId": self.caller,
            "timeout": int(ring_seconds),
        }
        if self.dial_to is not None and self._dialing is None:
            await self._create_outbound()
        params["originator"] = self.call_id
        # Through a Local channel the ringing phones inherit the call's id (their hold is its).
        local = through_local(params["endpoint"])
        body = {"variables": {f"__{CALL_VARIABLE}": self.call_id}} if local else None
        try:
            await self.rest.post("channels", body, **params)
        except REQUEST_ERRORS as exc:
            log.warning("cannot ring %s (%s): %s", counselor_id, endpoint, exc)
            self.channels.legs.pop(leg.leg_id, None)
            failed = OfferResult.PBX_FAILED if isinstance(exc, PbxUnreachable) else OfferResult.UNREACHABLE
            return failed, None
        try:
            # Asterisk ends the ring itself after `timeout`; the margin covers a
            # lost event, so a caller is never stuck on one silent phone.
            ringing: set[asyncio.Future[Any]] = {leg.answered, leg.gone}
            await asyncio.wait(
                ringing,
                timeout=ring_seconds + 5,
                return_when=asyncio.FIRST_COMPLETED,
            )
        except BaseException:
            await self._drop_leg(leg)
            raise
        if leg.answered.done() and not leg.gone.done():
            return OfferResult.ANSWERED, leg
        result = unanswered(leg.gone.result()) if leg.gone.done() else OfferResult.NO_ANSWER
        await self._drop_leg(leg)
        return result, None

    async def _create_outbound(self) -> None:
        """A callback's citizen channel, created (not dialed) before the counselor's leg.

        Asterisk 22 refuses a new channel id that is a prefix of a live one
        ("Channel with given unique ID already exists" for `X` while `X-c1`
        lives), so the citizen's channel `X` must exist before the leg `X-c1`.
        """
        if self.dial_to is None:
            raise AriError("no dial string for citizens (asterisk.trunk.dial)")
        # Made before the request: the channel's StasisStart may arrive before its answer.
        self._dialing = Outbound(asyncio.get_running_loop())
        try:
            await self.rest.post(
                "channels/create",
                {"variables": {"CALLERID(num)": self.caller_id}},
                endpoint=self.dial_to,
                app=self.channels.app,
                appArgs="callback",
                channelId=self.call_id,
            )
        except BaseException:
            self._dialing = None
            raise

    @property
    def outbound_pending(self) -> bool:
        """A callback's citizen not (yet) answered: its end is the dial's business."""
        return self._dialing is not None and not self._dialing.answered.done()

    async def dial(self, ring_seconds: float) -> OfferResult:
        """Ring the citizen through the carrier (a callback, or an automated call that rings
        no counselor first); this call's channel is theirs."""
        if self._dialing is None:
            await self._create_outbound()  # an automated call: no counselor's leg made it
        ring = self._dialing
        if ring is None:
            raise AriError("dial() before the callback's channel was created")
        # A counselor's ring usually lets its StasisStart arrive first; an automated call waits.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STASIS_WAIT):  # not wait_for: it can swallow a cancel (3.11)
                await asyncio.shield(ring.in_stasis)
        try:
            await self.rest.post(f"channels/{self.call_id}/dial", timeout=int(ring_seconds))
        except CallGone as exc:
            log.warning("cannot call %s back: %s", self.caller, exc)
            return OfferResult.UNREACHABLE
        try:
            waiting: set[asyncio.Future[Any]] = {ring.answered, ring.gone}
            await asyncio.wait(waiting, timeout=ring_seconds + 5, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"channels/{self.call_id}")
            raise
        if ring.answered.done():
            return OfferResult.ANSWERED
        if not ring.gone.done():
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"channels/{self.call_id}")
            return OfferResult.NO_ANSWER
        return unanswered(ring.gone.result())

    async def _drop_leg(self, leg: AriLeg) -> None:
        self.channels.legs.pop(leg.leg_id, None)
        if not leg.gone.done():
            with contextlib.suppress(CallGone):
                await self.rest.delete(f"channels/{leg.leg_id}")
