"""The first 222-1000 call path: greeting, menu, and "0" for a counselor.

Written against the CallControl port only, so the YAML flow engine replaces
it without touching the ARI edge. Hangup is cancellation: every step that
holds something (a reserved counselor, a ringing phone) lets go in `finally`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ivr.calls.context import CallContext
from ivr.ports import CallControl, CounselorLeg, OfferResult

log = logging.getLogger(__name__)

TO_COUNSELOR = "0"
REPEAT = "*"


@dataclass(frozen=True)
class FirstPathSettings:
    menu_timeout_seconds: float = 5.0
    menu_attempts: int = 3
    ring_seconds: float = 15.0


class Disposition:
    """How a call ended, in the words the records and reports use."""

    ANSWERED = "answered"  # talked to a counselor
    ABANDONED_IVR = "abandoned_ivr"  # the caller hung up in the IVR
    IVR_ENDED = "ivr_ended"  # the IVR said goodbye (no valid choice)
    NO_COUNSELOR = "no_counselor"  # nobody answered; the caller was told to call again
    FALLBACK = "fallback"  # handed to the PBX's fallback (service draining)
    FAILED = "failed"  # a fault on our side; logged with a traceback
    LOST = "lost"  # ended while the service was down; end time is when we noticed


async def run(call: CallControl, ctx: CallContext, settings: FirstPathSettings) -> None:
    """From answer to goodbye or to a finished conversation."""
    await call.answer()
    await ctx.answered()
    await ctx.step("greeting")
    digit = await call.play(["greeting"], barge_in=True)
    await menu(call, ctx, settings, digit)


async def menu(
    call: CallControl, ctx: CallContext, settings: FirstPathSettings, digit: str | None = None
) -> None:
    """The main menu; `digit` is one the caller already pressed (barge-in)."""
    failures = 0
    replays = 0
    while failures < settings.menu_attempts and replays < 10:
        if digit is None:
            await ctx.step("menu")
            digit = await call.play(["menu"], barge_in=True)
            if digit is None:
                digit = await call.read_digit(settings.menu_timeout_seconds)
        if digit == TO_COUNSELOR:
            await ctx.event("menu_choice", digit=digit)
            await to_counselor(call, ctx, settings)
            return
        if digit == REPEAT:
            replays += 1
            await ctx.event("menu_choice", digit=digit)
            digit = None
            continue
        failures += 1
        if digit is None:
            await ctx.event("menu_timeout", attempt=failures)
            prompt = "no-input"
        else:
            await ctx.event("menu_invalid", digit=digit, attempt=failures)
            prompt = "invalid"
        call.discard_digits()
        digit = None
        if failures < settings.menu_attempts:
            await call.play([prompt], barge_in=False)
    await ctx.step("goodbye")
    await call.play(["goodbye"], barge_in=False)
    ctx.finish(Disposition.IVR_ENDED, hangup_by="system")
    await call.hangup()


async def to_counselor(call: CallControl, ctx: CallContext, settings: FirstPathSettings) -> None:
    """Ring free counselors one after another; the first who answers talks."""
    await ctx.step("to_counselor")
    await call.play(["connecting"], barge_in=False)
    await call.hold(True)
    tried: set[str] = set()
    while True:
        candidates = ctx.pool.hunt_order(exclude=tried)
        if not candidates:
            break
        counselor = candidates[0]
        tried.add(counselor.id)
        leg = await _ring(call, ctx, settings, counselor.id, counselor.endpoint)
        if leg is not None:
            await call.hold(False)
            await talk(call, ctx, leg)
            return
    await call.hold(False)
    await ctx.step("all_busy")
    await call.play(["all-busy"], barge_in=False)
    ctx.finish(Disposition.NO_COUNSELOR, hangup_by="system")
    await call.hangup()


async def _ring(
    call: CallControl,
    ctx: CallContext,
    settings: FirstPathSettings,
    counselor_id: str,
    endpoint: str,
) -> CounselorLeg | None:
    ctx.pool.reserve(counselor_id, ctx.call_id)
    await ctx.event("offer", counselor=counselor_id)
    result, leg = OfferResult.UNREACHABLE, None
    try:
        result, leg = await call.offer(counselor_id, endpoint, settings.ring_seconds)
    finally:
        if leg is None:
            ctx.pool.release(counselor_id, ctx.monotonic(), talked=False)
    if leg is not None:
        # No await between the answer and this: a hangup cannot slip in and
        # leave the counselor marked busy with nobody releasing them.
        ctx.pool.on_call(counselor_id, ctx.call_id)
        ctx.leg = leg
    await ctx.event("offer_result", counselor=counselor_id, result=result.value)
    return leg


async def talk(call: CallControl, ctx: CallContext, leg: CounselorLeg, *, resumed: bool = False) -> None:
    """Caller and counselor in conversation until one of them hangs up.

    The session lets go of the counselor's leg when the call ends, whichever
    side left first (CallContext.let_go).
    """
    if not resumed:
        await call.connect(leg)
        await ctx.connected(leg.counselor_id, leg.leg_id)
    await leg.wait_ended()
    await ctx.event("counselor_hung_up", counselor=leg.counselor_id)
    ctx.finish(Disposition.ANSWERED, hangup_by="counselor")
    await call.hangup()
