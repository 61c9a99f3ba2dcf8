"""Calling citizens back, in their turn: the counselor's phone first, then the citizen's.

A request waits in the dispatcher's line like a caller, from the place the
citizen had when they asked (routing lets only as many callbacks hold their
place as there are counselors working, so callers still on the line are not
crowded out). When a counselor is offered it, their phone rings first; once
they answer, the citizen is called and the two are joined and recorded like
any conversation. Only within calling hours; a citizen who does not answer
is tried again later, up to the limit; every attempt is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from ivr.acd.dispatcher import EMPTY, Dispatcher
from ivr.calls.callback_plan import AttemptResult, CallbackRules, after_attempt, next_calling_time
from ivr.calls.followup_states import FollowupEvent, FollowupStatus
from ivr.calls.service import CallService
from ivr.flows.nodes.conversation import talk
from ivr.flows.run import FlowRun
from ivr.ports import CallbackRequest, CallFacts, CallRecords, Dialer, Disposition, OfferResult, QueueEvent
from ivr.runtime.keyed_tasks import KeyedTasks

log = logging.getLogger(__name__)

_RESULTS = {
    OfferResult.ANSWERED: AttemptResult.CONNECTED,
    OfferResult.BUSY: AttemptResult.BUSY,
    OfferResult.NO_ANSWER: AttemptResult.NO_ANSWER,
    OfferResult.REJECTED: AttemptResult.BUSY,
    OfferResult.UNREACHABLE: AttemptResult.FAILED,
    OfferResult.PBX_FAILED: AttemptResult.FAILED,
}


@dataclass
class _Attempt:
    call_id: str
    counselor_id: str
    result: AttemptResult = AttemptResult.FAILED


class CallbackRunner:
    """Serves every pending callback request, one task each."""

    def __init__(
        self,
        service: CallService,
        records: CallRecords,
        dialer: Dialer,
        rules: CallbackRules,
        *,
        ring_seconds: float,
        default_queue: str,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.service = service
        self.acd: Dispatcher = service.acd
        self.records = records
        self.dialer = dialer
        self.rules = rules
        self.ring_seconds = ring_seconds
        self.default_queue = default_queue
        self.now = now
        self.monotonic = monotonic
        # Until a booked slot or a retry: tests move a clock instead of sleeping.
        self.sleep = sleep
        self._tasks: KeyedTasks[int] = KeyedTasks("serving a callback")
        self._refreshing: asyncio.Task[None] | None = None
        self._again = False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def wake(self) -> None:
        """A request was stored: pick it up."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._refresh_until_quiet())
        else:
            # A read already under way may have missed it: read once more after.
            self._again = True

    async def _refresh_until_quiet(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            await self.refresh()

    async def refresh(self) -> None:
        for request in await self.records.pending_callbacks():
            if request.id not in self._tasks:
                self._tasks.start(request.id, self._serve(request), name=f"callback-{request.id}")

    async def join(self) -> None:
        """Return when every request being served now has ended (done or given up)."""
        await self._tasks.join()

    async def stop(self) -> None:
        """Stop serving (the service is stopping); requests stay stored for the next start."""
        await self._tasks.stop()

    # -- one request ---------------------------------------------------------
    async def _serve(self, request: CallbackRequest) -> None:
        queue = request.queue if request.queue in self.acd.queues else self.default_queue
        ticket = f"cb{request.id}"
        attempts = request.attempts
        place = request.place_at
        next_at = request.next_at
        try:
            while True:
                await self._until(next_calling_time(max(self.now(), next_at or self.now()), self.rules))
                await self._until_someone_works(queue)
                if not self.acd.in_line(ticket):  # still there after a counselor missed it
                    waited = (self.now() - place).total_seconds()
                    self.acd.enter_callback(ticket, queue, self.monotonic() - max(0.0, waited))
                counselor_id = await self.acd.next_offer(ticket, None)
                if counselor_id == EMPTY or counselor_id is None:
                    self.acd.leave(ticket)
                    continue
                attempt = await self._attempt(request, queue, ticket, counselor_id, attempts + 1)
                after = after_attempt(attempt.result, attempts + 1, self.now(), self.rules)
                attempts += 1 if after.counts else 0
                if attempt.result is not AttemptResult.COUNSELOR_MISSED:
                    self.acd.leave(ticket)
                    # A retry queues anew: an old place would jump everyone again.
                    place = after.retry_at or self.now()
                next_at = after.retry_at
                status = await self.records.callback_attempted(
                    request.id,
                    self.now(),
                    call_id=attempt.call_id,
                    counselor_id=attempt.counselor_id,
                    result=attempt.result.value,
                    event=after.event,
                    attempts=attempts,
                    next_at=after.retry_at if after.event is FollowupEvent.RETRY_DUE else None,
                )
                log.info(
                    "callback %d to %s: %s (attempt %d); %s",
                    request.id,
                    request.number,
                    attempt.result.value,
                    attempts,
                    status,
                )
                if status != FollowupStatus.QUEUED:
                    return  # done, failed, or taken by a person meanwhile
        finally:
            self.acd.leave(ticket)

    async def _attempt(
        self, request: CallbackRequest, queue: str, ticket: str, counselor_id: str, number: int
    ) -> _Attempt:
        # Unique per attempt (a counselor who missed it means another attempt
        # with the same number); the ARI edge routes its channels by this id.
        # (no "-c" inside: that marks a counselor leg's channel).
        call_id = f"cb{request.id}-{number}x{uuid.uuid4().hex[:6]}"
        attempt = _Attempt(call_id, counselor_id)
        call = self.dialer.prepare(call_id, request.number)
        facts = CallFacts(call_id, request.number, "callback", started_at=self.now())

        async def body(run: FlowRun) -> None:
            ctx = run.ctx
            await ctx.event("callback_attempt", callback=request.id, number=request.number, attempt=number)
            await ctx.queue_log(
                queue,
                QueueEvent.CALLBACK_ATTEMPTED,
                counselor_id=counselor_id,
                detail={"callback": request.id},
            )
            await ctx.event("offer", counselor=counselor_id)
            result, leg = await call.offer(
                counselor_id, self.acd.endpoints[counselor_id], run.env.ring_seconds
            )
            self.acd.settle_offer(ticket, counselor_id, result)
            await ctx.event("offer_result", counselor=counselor_id, result=result.value)
            if leg is None:
                if result is OfferResult.PBX_FAILED:
                    attempt.result, hangup_by = AttemptResult.FAILED, "system"
                else:
                    attempt.result, hangup_by = AttemptResult.COUNSELOR_MISSED, "counselor"
                ctx.finish(Disposition.CALLBACK_UNANSWERED, hangup_by=hangup_by)
                return
            ctx.leg = leg
            dialed = await call.dial(self.ring_seconds)
            await ctx.event("callback_dialed", result=dialed.value)
            attempt.result = _RESULTS[dialed]
            if dialed is not OfferResult.ANSWERED:
                ctx.finish(Disposition.CALLBACK_UNANSWERED, hangup_by="caller")
                return
            await ctx.answered()
            await ctx.queue_log(
                queue,
                QueueEvent.CALLBACK_CONNECTED,
                counselor_id=counselor_id,
                detail={"callback": request.id},
            )
            await talk(run, leg, queue=queue)
            # The counselor hung up: end the citizen's side too.
            ctx.finish(Disposition.ANSWERED, hangup_by="counselor")
            await call.hangup()

        try:
            await self.service.place_call(call, facts, body)
        finally:
            self.dialer.forget(call_id)
        return attempt

    async def _until(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds()
        if delay > 0:
            log.info("next callback attempt at %s", when.isoformat(timespec="minutes"))
            await self.sleep(delay)

    async def _until_someone_works(self, queue: str) -> None:
        if self.acd.anyone_working(queue):
            return
        changed = asyncio.Event()
        unsubscribe = self.acd.subscribe(changed.set)
        try:
            while not self.acd.anyone_working(queue):
                await changed.wait()
                changed.clear()
        finally:
            with contextlib.suppress(ValueError):
                unsubscribe()
