"""The runner of 민원 calls back to the citizen: answer calls and 해피콜.

Every `poll_seconds` it asks the store to sort newly answered cases (an
automated call, a 문자 in the outbox, or a callback task for a counselor) and
to plan the 해피콜 of newly closed ones, then places each outbound call that is
due, one task each. A call runs its script (case_call_flows.py) through the
same engine and CallService as any call: its record, its timeline. Every
attempt goes into the case's history; the last failed one leaves the case to a
person. Time comes from the injected clock and sleep: tests move a clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ivr.calls.callback_plan import CallbackRules, next_calling_time
from ivr.calls.case_call_flows import REACHED, answer_flow, happy_flow
from ivr.calls.case_call_plan import CallResult, TaskKind, after_call
from ivr.calls.service import CallService
from ivr.flows.engine import run_flow
from ivr.flows.nodes.conversation import start_recording
from ivr.flows.promptbook import PromptBook
from ivr.flows.run import FlowRun
from ivr.ports import CallFacts, Dialer, Disposition, OfferResult
from ivr.runtime.keyed_tasks import KeyedTasks

log = logging.getLogger(__name__)

_DIALED = {
    OfferResult.BUSY: CallResult.BUSY,
    OfferResult.NO_ANSWER: CallResult.NO_ANSWER,
    OfferResult.REJECTED: CallResult.DECLINED,
    OfferResult.UNREACHABLE: CallResult.FAILED,
    OfferResult.PBX_FAILED: CallResult.FAILED,
}


@dataclass(frozen=True)
class CaseCallTask:
    """One outbound call due to a citizen about their case."""

    kind: TaskKind
    number: str  # the case's, 2026-000123
    citizen: str  # the number to call
    attempts: int = 0  # made so far
    answer: str = ""  # the department's answer (answer calls)


class CaseCallStore(Protocol):
    """The cases' outbound tasks (store/case_out.py)."""

    async def sort(self, now: datetime, can_dial: bool) -> int:
        """Route newly answered cases, plan 해피콜 for newly closed ones; how many went to callbacks."""

    async def due(self, now: datetime) -> list[CaseCallTask]:
        """Tasks whose next attempt is due."""

    async def attempted(
        self, task: CaseCallTask, at: datetime, *, call_id: str, result: CallResult, retry_at: datetime | None
    ) -> None:
        """Log the attempt in the case's history and move the task (done, retry, left for a person)."""


class PromptVoice(Protocol):
    """Renders a flow's prompts to files the PBX plays (the prompt voice, espeak-ng)."""

    async def render(self, book: PromptBook) -> None: ...


@dataclass(frozen=True)
class CaseCallRules:
    answer: CallbackRules  # attempts, pause between them, calling hours
    happy: CallbackRules
    ring_seconds: float = 30.0
    poll_seconds: float = 30.0
    queue: str = "general"  # 0 for a counselor


class CaseCallRunner:
    """Sorts answered cases and places their calls (and the 해피콜) when due."""

    def __init__(
        self,
        service: CallService,
        store: CaseCallStore,
        dialer: Dialer | None,
        voice: PromptVoice,
        rules: CaseCallRules,
        *,
        now: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        callback_requested: Callable[[], None] | None = None,
    ) -> None:
        self.service, self.store, self.dialer, self.voice = service, store, dialer, voice
        self.rules = rules
        self.now = now
        self.sleep = sleep
        self.callback_requested = callback_requested
        self._tasks: KeyedTasks[tuple[str, str]] = KeyedTasks("a case call")

    async def run(self) -> None:
        """Rounds until cancelled (the service stopping): its tasks stay stored."""
        try:
            while True:
                try:
                    await self.round()
                except Exception:  # a round that failed is tried again at the next
                    log.exception("a round of case calls failed")
                await self.sleep(self.rules.poll_seconds)
        finally:
            await self.stop()

    async def round(self) -> None:
        """One round: sort, then start every due call not already under way."""
        if await self.store.sort(self.now(), self.dialer is not None) and self.callback_requested:
            self.callback_requested()
        if self.dialer is None:
            return
        for task in await self.store.due(self.now()):
            key = (task.kind.value, task.number)
            if key in self._tasks:
                continue
            if next_calling_time(self.now(), self._rules(task)) > self.now():
                continue  # outside calling hours: a later round
            self._tasks.start(key, self._serve(task), name=f"case-call-{task.number}")

    async def join(self) -> None:
        """Return when every call under way has ended."""
        await self._tasks.join()

    async def stop(self) -> None:
        await self._tasks.stop()

    def _rules(self, task: CaseCallTask) -> CallbackRules:
        return self.rules.answer if task.kind is TaskKind.ANSWER else self.rules.happy

    async def _serve(self, task: CaseCallTask) -> None:
        attempt = task.attempts + 1
        call_id = f"case-{task.kind.value}-{task.number}-{attempt}x{uuid.uuid4().hex[:6]}"
        try:
            result = await self._call(task, call_id)
        except Exception:
            log.exception("case call %s failed on our side", call_id)
            result = CallResult.FAILED
        after = after_call(result, attempt, self.now(), self._rules(task))
        await self.store.attempted(task, self.now(), call_id=call_id, result=result, retry_at=after.retry_at)
        log.info("case %s %s call attempt %d: %s", task.number, task.kind.value, attempt, result.value)

    async def _call(self, task: CaseCallTask, call_id: str) -> CallResult:
        assert self.dialer is not None
        if task.kind is TaskKind.ANSWER:
            loaded = answer_flow(task.number, task.answer, self.rules.queue)
        else:
            loaded = happy_flow(task.number)
        book = PromptBook.of(loaded.flow)
        await self.voice.render(book)  # before the phone rings: the citizen never waits on it
        call = self.dialer.prepare(call_id, task.citizen)
        dialed = "case-answer" if task.kind is TaskKind.ANSWER else "happy-call"
        facts = CallFacts(call_id, task.citizen, dialed, started_at=self.now())
        outcome = [CallResult.FAILED]

        async def body(run: FlowRun) -> None:
            run = dataclasses.replace(run, loaded=loaded, book=book, subflows={})
            await run.ctx.event("case_call", case=task.number, task=task.kind.value)
            rang_from = self.now()
            result = await call.dial(self.rules.ring_seconds)
            await run.ctx.event("case_call_dialed", result=result.value)
            if result is not OfferResult.ANSWERED:
                outcome[0] = _DIALED.get(result, CallResult.FAILED)
                rang = (self.now() - rang_from).total_seconds()
                if outcome[0] is CallResult.FAILED and rang >= self.rules.ring_seconds - 0.5:
                    # It rang its whole time (the carrier's cause for the end varies): not answered.
                    outcome[0] = CallResult.NO_ANSWER
                run.ctx.finish(Disposition.CALLBACK_UNANSWERED, hangup_by="caller")
                return
            outcome[0] = CallResult.NOT_CONFIRMED
            await run.ctx.answered()
            if task.kind is TaskKind.ANSWER:
                # Recorded whole from the pickup, keys and answer included, even if nobody
                # presses 0: the case keeps what its citizen was told (the call is the case's).
                await start_recording(run)
            try:
                await run_flow(run)
            finally:
                if REACHED[task.kind.value] in run.ctx.facts.ivr_path:
                    outcome[0] = CallResult.REACHED

        try:
            await self.service.place_call(call, facts, body)
        finally:
            self.dialer.forget(call_id)
        return outcome[0]
