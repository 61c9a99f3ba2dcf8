"""A conversation's protection: the four endings and the call-length limit.

The endings (ivr/protection/situations.py): the first command of a situation
reads its formal warning into the call (both sides hear it, the recording
keeps it) and flags the call; a second command of the same situation reads
its closing prompt and ends the call, adds a strike of that situation to the
caller's number and gives the counselor a cooldown pause.

The call-length limit (ivr/protection/call_length.py): the conversation's
timer says when the notice is due and when the call ends; the session sleeps
until then. A supervisor who joins, or a topic an admin exempts, stops it.
"""

from __future__ import annotations

from ivr.acd.counselor_model import Event, PauseReason
from ivr.flows.run import FlowRun
from ivr.ports import CounselorLeg, Disposition
from ivr.prompts.catalog import language_for
from ivr.protection.call_length import CallLengthTimer, LengthLimit, Step
from ivr.protection.situations import Situation

LENGTH_NOTICE = "length-notice"
LENGTH_CLOSING = "length-closing"
# Sent into a conversation's commands when its limit changed (extended, exempt):
# the session wakes and reads the new deadline.
LIMIT_CHANGED = "limit_changed"


def sound(prompt: str) -> str:
    return f"jeonju/{prompt}"


def start_timer(run: FlowRun, queue: str | None, resumed: bool = False) -> CallLengthTimer:
    """The conversation's limit, counted from when the counselor answered (a
    conversation taken up after a restart keeps its time)."""
    ctx = run.ctx
    line = run.env.queues.get(queue) if queue is not None else None
    limit = line.limit if line is not None else LengthLimit()
    connected = ctx.facts.connected_at
    talked = (ctx.now() - connected).total_seconds() if resumed and connected else 0.0
    timer = CallLengthTimer(limit, ctx.monotonic() - talked)
    if ctx.facts.topic and ctx.facts.topic in run.env.exempt_topics:
        timer.exempt(f"topic:{ctx.facts.topic}")
    ctx.length = timer
    return timer


class Endings:
    """Which situations a counselor has warned about in this conversation."""

    def __init__(self, run: FlowRun) -> None:
        self.run = run
        self.warned: set[Situation] = set()

    async def command(self, situation: Situation, leg: CounselorLeg) -> bool:
        """Warn, or end the call if this situation was warned about; True when ended."""
        if situation not in self.warned:
            self.warned.add(situation)
            await self._warn(situation, leg)
            return False
        await self._end(situation, leg)
        return True

    async def _say(self, prompt: str) -> None:
        await self.run.call.announce([sound(prompt)], language_for(prompt, self.run.language))

    async def _warn(self, situation: Situation, leg: CounselorLeg) -> None:
        ctx = self.run.ctx
        # Flag at the first press: the warning itself is worth keeping as evidence.
        ctx.facts.flagged = situation.value
        await ctx.records.updated(ctx.facts)
        await ctx.event(f"{situation.value}_warning", counselor=leg.counselor_id, situation=situation.value)
        await self._say(situation.warning)
        await ctx.event(f"{situation.value}_warning_played", situation=situation.value)

    async def _end(self, situation: Situation, leg: CounselorLeg) -> None:
        ctx = self.run.ctx
        ctx.facts.flagged = situation.value
        await ctx.event(f"{situation.value}_ended", counselor=leg.counselor_id, situation=situation.value)
        ctx.finish(Disposition.ANSWERED, hangup_by="counselor")
        await ctx.records.updated(ctx.facts)
        await ctx.records.add_strike(ctx.facts.caller, ctx.call_id, situation.value, ctx.now())
        # Asked for while on the call, the cooldown waits for the call and its
        # wrap-up to end (the state machine keeps it pending).
        ctx.acd.apply(leg.counselor_id, Event.pause(PauseReason.COOLDOWN, ctx.acd.rules.cooldown_seconds))
        await self._say(situation.closing)
        await self.run.call.hangup()

    async def length_due(self, timer: CallLengthTimer, leg: CounselorLeg) -> bool:
        """Carry out what the limit says is due now; True when the call ended."""
        ctx = self.run.ctx
        while (step := timer.due(ctx.monotonic())) is not None:
            if step is Step.WARN_DUE:
                await ctx.event("length_warning", counselor=leg.counselor_id)
                await self._say(LENGTH_NOTICE)
                continue
            await ctx.event("length_ended", counselor=leg.counselor_id)
            ctx.finish(Disposition.ANSWERED, hangup_by="time_limit")
            await self._say(LENGTH_CLOSING)
            await self.run.call.hangup()
            return True
        return False
