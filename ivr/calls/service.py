"""Runs every call as one asyncio task; a hangup cancels it.

The service owns the call's record from start to end: it opens the record
when the call arrives, and closes it when the task ends, whatever the reason:
goodbye, hangup, a counselor leaving, or a fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from ivr.acd.dispatcher import Dispatcher
from ivr.calls.rehearsal_line import RehearsalLine
from ivr.errors import CallGone, HotlineError, PbxUnreachable
from ivr.flows import model
from ivr.flows.context import CallContext
from ivr.flows.engine import run_flow
from ivr.flows.nodes import conversation
from ivr.flows.nodes.protect import LIMIT_CHANGED
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv, FlowRun
from ivr.ports import (
    CallControl,
    CallFacts,
    CallRecords,
    CounselorLeg,
    Disposition,
    WaitingPlace,
)
from ivr.protection.call_length import LengthView, LimitRefused
from ivr.runtime.logs import current_call  # set for each call's task: its log lines carry the id

log = logging.getLogger(__name__)


class CallService:
    """Starts, ends, resumes and drains calls."""

    def __init__(
        self,
        flows: FlowRegistry,
        env: FlowEnv,
        acd: Dispatcher,
        records: CallRecords,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        rehearsal: RehearsalLine | None = None,
    ) -> None:
        self.flows = flows
        self.rehearsal = rehearsal
        self.env = env
        self.acd = acd
        self.records = records
        self.now = now
        self.monotonic = monotonic
        self.draining = False
        self._calls: dict[str, tuple[CallContext, asyncio.Task[None]]] = {}
        self._detached: set[str] = set()
        self._diverting: set[str] = set()
        self._notes: set[asyncio.Task[None]] = set()

    @property
    def active(self) -> int:
        return len(self._calls)

    async def join(self, call_id: str) -> None:
        """Return when that call's task has ended."""
        entry = self._calls.get(call_id)
        if entry is not None:
            await asyncio.gather(entry[1], return_exceptions=True)

    def knows(self, call_id: str) -> bool:
        return call_id in self._calls

    def note(self, call_id: str, kind: str, **detail: object) -> None:
        """Write something that happened around a running call into its timeline."""
        entry = self._calls.get(call_id)
        if entry is None:
            return
        task = asyncio.get_running_loop().create_task(entry[0].event(kind, **detail))
        self._notes.add(task)
        task.add_done_callback(self._notes.discard)

    def counselor_command(self, call_id: str, command: str) -> bool:
        """A counselor's command for their conversation (the desk's abuse button);
        False when that call is not in progress here."""
        entry = self._calls.get(call_id)
        if entry is None or entry[0].facts.connected_at is None:
            return False
        entry[0].commands.put_nowait(command)
        return True

    def call_length(self, call_id: str) -> LengthView | None:
        """The conversation's limit as the desk shows it (None: no conversation here)."""
        entry = self._calls.get(call_id)
        timer = entry[0].length if entry is not None else None
        if timer is None:
            return None
        return timer.view(self.monotonic())

    def extend_call(self, call_id: str, reason: str, by: str) -> float:
        """The counselor keeps their conversation going past its limit, once, for
        a reason; seconds added. LimitRefused when not possible."""
        entry = self._calls.get(call_id)
        timer = entry[0].length if entry is not None else None
        if entry is None or timer is None:
            raise LimitRefused("통화 중이 아닙니다.", "That call is not in a conversation here.")
        added = timer.extend(reason)
        self.note(call_id, "length_extended", by=by, reason=timer.extended_reason, seconds=added)
        entry[0].commands.put_nowait(LIMIT_CHANGED)
        return added

    def supervisor_joined(self, call_id: str, supervisor: str | None, mode: str) -> None:
        """A supervisor joined the call: written down, and the limit no longer cuts it."""
        self.note(call_id, "supervisor_joined", supervisor=supervisor, mode=mode)
        entry = self._calls.get(call_id)
        timer = entry[0].length if entry is not None else None
        if entry is not None and timer is not None and timer.exempt("supervisor"):
            self.note(call_id, "length_exempt", why="supervisor", supervisor=supervisor)
            entry[0].commands.put_nowait(LIMIT_CHANGED)

    async def new_call(self, call: CallControl, moment: str = "") -> None:
        """A citizen's call arrived: open its record and run the call path.

        `moment`: the time a rehearsal call asked to be run at (its SIP marker);
        honoured for the rehearsal number only (calls/rehearsal_line.py)."""
        current_call.set(call.call_id)
        line = self.rehearsal if self.rehearsal is not None and self.rehearsal.takes(call.caller) else None
        facts = CallFacts(call.call_id, call.caller, call.dialed, started_at=self.now(), rehearsal=bool(line))
        ctx = self._context(facts, line)
        await ctx.records.opened(facts)
        if self.draining:
            await ctx.event("diverted", reason="service draining")
            self._start(call, ctx, self._divert(call, ctx))
            return
        run = self._flow_run(call, ctx)
        if line is not None:
            run.env, wrong = line.env_at(moment)
            await ctx.event("rehearsal", moment=moment or None, refused=wrong)
        elif moment:
            await ctx.event("moment_refused", moment=moment, reason="not the rehearsal number")
        await ctx.event("call_started", caller=call.caller, dialed=call.dialed, flow=run.flow.flow)
        self._start(call, ctx, self._answer_and_run(run))

    async def place_call(
        self, call: CallControl, facts: CallFacts, body: Callable[[FlowRun], Coroutine[Any, Any, None]]
    ) -> None:
        """Run a call the hotline places (a callback) like any other: its record,
        its timeline, hangups that cancel it. Returns when it has ended."""
        current_call.set(call.call_id)
        await self.records.opened(facts)
        ctx = self._context(facts)
        await ctx.event("call_started", caller=facts.caller, dialed=facts.dialed, outbound=True)
        self._start(call, ctx, body(self._flow_run(call, ctx)))
        await self.join(call.call_id)

    async def resume(self, call: CallControl, facts: CallFacts, leg: CounselorLeg | None) -> None:
        """Take up a call that outlived a restart of the service.

        A conversation goes on untouched and its record closes when it ends;
        a caller who was in the IVR hears the menu again.
        """
        current_call.set(call.call_id)
        ctx = self._context(facts)
        run = self._flow_run(call, ctx)
        flow = run.flow
        visited = [step for step in facts.ivr_path if step in flow.nodes]
        if leg is not None:
            if leg.counselor_id in self.acd:  # not a department the caller was handed to
                self.acd.resume_on_call(leg.counselor_id, call.call_id)
            ctx.leg = leg
            await ctx.event("resumed", counselor=leg.counselor_id)
            after = next((s for s in reversed(visited) if isinstance(flow.nodes[s], model.QueueNode)), None)
            self._start(call, ctx, self._resume_talk(run, leg, after, handed_over=bool(facts.handed_to)))
        elif (place := await self._waiting_place(call.call_id, flow, visited)) is not None:
            # A caller waiting in line goes back to the place they had.
            ctx.resumed_place, node_id = place
            await ctx.event("resumed", at=node_id, queue=place[0].queue)
            self._start(call, ctx, self._run_from(run, node_id))
        else:
            # A caller in the IVR hears the menu they were in again (or the start).
            at = next((s for s in reversed(visited) if isinstance(flow.nodes[s], model.MenuNode)), None)
            await ctx.event("resumed", at=at or flow.start)
            self._start(call, ctx, self._run_from(run, at))

    async def rejoined(self, within: float = 2.0) -> None:
        """Return once every caller taken back into line after a start is in it and asking
        for a counselor, or after `within` seconds: a caller still on their way (their task
        about to enter) would otherwise lose their turn to one who came later."""
        changed = asyncio.Event()
        unsubscribe = self.acd.subscribe(changed.set)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    while not self.acd.all_asking() or any(
                        ctx.resumed_place is not None for ctx, _ in self._calls.values()
                    ):
                        changed.clear()
                        await changed.wait()
        finally:
            unsubscribe()

    async def _waiting_place(
        self, call_id: str, flow: model.Flow, visited: list[str]
    ) -> tuple[WaitingPlace, str] | None:
        """The caller's place in line and the queue node they waited in, if they were waiting."""
        if not visited or not isinstance(node := flow.nodes[visited[-1]], model.QueueNode):
            return None
        place = await self.records.waiting_place(call_id)
        return (place, visited[-1]) if place is not None and place.queue == node.queue else None

    async def close_lost(self, facts: CallFacts, why: str) -> None:
        """Close the record of a call that ended while nobody was watching."""
        facts.ended_at = self.now()
        self._context(facts).finish(Disposition.LOST)  # a call that had connected stays answered
        facts.hangup_cause = facts.hangup_cause or why
        await self.records.event(facts.call_id, facts.ended_at, "closed_after_restart", {"why": why})
        await self.records.closed(facts)

    def call_ended(self, call_id: str, cause: str | None) -> None:
        """The caller's line is gone (hangup): cancel the call's task."""
        entry = self._calls.get(call_id)
        if entry is None:
            return
        ctx, task = entry
        # Answered, if it had connected; a queue abandon if they were in line.
        ctx.finish(Disposition.ABANDONED_IVR, hangup_by="caller")
        if cause and not ctx.facts.hangup_cause:
            ctx.facts.hangup_cause = cause
        task.cancel()

    def line_lost(self, call_id: str, why: str) -> None:
        """The PBX that carried the call is gone with it (media is not replicated):
        the call ends once, as lost; its counselor is let go as after any call."""
        entry = self._calls.get(call_id)
        if entry is None:
            return
        ctx, task = entry
        ctx.finish(Disposition.LOST, hangup_by="system")  # a call that had connected stays answered
        ctx.facts.hangup_cause = ctx.facts.hangup_cause or why
        task.cancel()

    async def drain(self, seconds: float) -> None:
        """Take no new calls; let calls in progress end, for at most `seconds`."""
        self.draining = True
        tasks = [task for _, task in self._calls.values()]
        if tasks:
            log.info("draining: waiting up to %.0f s for %d call(s)", seconds, len(tasks))
            await asyncio.wait(tasks, timeout=seconds)

    async def detach_all(self) -> None:
        """Stop watching calls without dropping them (the service is stopping).

        Conversations go on in the PBX, their records stay open, and the next
        start of the service takes them up again. Callers still in the menu
        would hear silence with nobody driving it, so they are handed to the
        PBX's fallback prompt and their records closed.
        """
        for call_id, (ctx, task) in list(self._calls.items()):
            if ctx.facts.connected_at is None:
                ctx.finish(Disposition.FALLBACK, hangup_by="system")
                self._diverting.add(call_id)
            else:
                self._detached.add(call_id)
            task.cancel()
        await asyncio.gather(*(t for _, t in self._calls.values()), return_exceptions=True)

    def _context(self, facts: CallFacts, line: RehearsalLine | None = None) -> CallContext:
        if line is not None:
            return CallContext(facts, line.records, line.acd, self.now, self.monotonic)
        return CallContext(facts, self.records, self.acd, self.now, self.monotonic)

    def _flow_run(self, call: CallControl, ctx: CallContext) -> FlowRun:
        loaded, book = self.flows.current()
        run = FlowRun(call, ctx, self.env, loaded, book, language=loaded.flow.languages[0])
        # Its subflows as served now: a later publish (a flow's, a prompt's) is for new calls.
        run.subflows = self.flows.snapshot()
        return run

    async def _answer_and_run(self, run: FlowRun) -> None:
        await run.call.answer()
        await run.ctx.answered()
        await self._run_from(run, None)

    async def _run_from(self, run: FlowRun, start: str | None) -> None:
        if await run_flow(run, start) == "return":
            # A flow that ends without hanging up (a top-level `return`) must
            # not leave the caller in silence.
            run.ctx.finish(Disposition.IVR_ENDED, hangup_by="system")
            await run.call.hangup()

    async def _resume_talk(
        self, run: FlowRun, leg: CounselorLeg, queue_node_id: str | None, *, handed_over: bool = False
    ) -> None:
        node = run.flow.nodes[queue_node_id] if queue_node_id else None
        # The counselor's part of a handed-over call is in the queue log already.
        queue = node.queue if isinstance(node, model.QueueNode) and not handed_over else None
        await conversation.talk(run, leg, resumed=True, queue=queue)
        if queue_node_id is None:
            run.ctx.finish(Disposition.ANSWERED, hangup_by="counselor")
            await run.call.hangup()
            return
        after = run.flow.nodes[queue_node_id].targets().get("completed")
        await self._run_from(run, after)

    def _start(self, call: CallControl, ctx: CallContext, body: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._run(call, ctx, body), name=f"call-{call.call_id}")
        self._calls[call.call_id] = (ctx, task)
        task.add_done_callback(lambda done: self._never_ran(call.call_id, done, body))

    def _never_ran(self, call_id: str, task: asyncio.Task[None], body: Coroutine[Any, Any, None]) -> None:
        # A task cancelled before its first step (detach_all right after a
        # StasisStart) never enters _run: neither its body nor its `finally`
        # runs. Close the body, so it is not left "never awaited", and forget
        # the task; the call's record stays open for the next start to take up.
        if inspect.getcoroutinestate(body) != inspect.CORO_CREATED:
            return
        body.close()
        if self._calls.get(call_id, (None, None))[1] is task:
            del self._calls[call_id]

    async def _divert(self, call: CallControl, ctx: CallContext) -> None:
        ctx.finish(Disposition.FALLBACK, hangup_by="system")
        await call.divert_to_fallback()

    async def _run(self, call: CallControl, ctx: CallContext, body: Coroutine[Any, Any, None]) -> None:
        current_call.set(call.call_id)
        try:
            await body
        except asyncio.CancelledError:
            pass  # the caller hung up, or the service is stopping
        except CallGone:
            ctx.finish(Disposition.ABANDONED_IVR, hangup_by="caller")
        except PbxUnreachable as exc:
            if ctx.facts.connected_at is not None or not await self._rescue(call, ctx, exc):
                log.warning("the PBX cannot be reached; the call is lost: %s", exc)
                ctx.finish(Disposition.FAILED, hangup_by="system")
        except Exception:
            log.exception("the call path failed; ending the call politely")
            ctx.finish(Disposition.FAILED, hangup_by="system")
            await _quietly(call.hangup())
        finally:
            detached = call.call_id in self._detached
            self._calls.pop(call.call_id, None)
            self._detached.discard(call.call_id)
            if call.call_id in self._diverting:
                self._diverting.discard(call.call_id)
                await ctx.event("diverted", reason="service stopping")
                await _quietly(call.divert_to_fallback())
            if not detached:
                await _quietly(ctx.let_go(call))
                await self._close(ctx)

    async def _rescue(self, call: CallControl, ctx: CallContext, exc: PbxUnreachable) -> bool:
        """A request failed before a counselor: in a surge Asterisk answers late, not
        never, and a caller left in Stasis heard silence until they gave up. The
        dialplan's queue (the same counselors) takes them; False if it cannot."""
        try:
            await call.divert_to_fallback()
        except HotlineError:  # gone with Asterisk, hung up, or refused: the call is lost
            return False
        log.warning("a request to the PBX failed; the caller went to the fallback queue: %s", exc)
        ctx.finish(Disposition.FALLBACK, hangup_by="system")
        await ctx.event("diverted", reason="pbx request failed")
        return True

    async def _close(self, ctx: CallContext) -> None:
        facts = ctx.facts
        facts.ended_at = self.now()
        ctx.finish(Disposition.ABANDONED_IVR)  # unless said before; answered, if it had connected
        facts.hangup_cause = facts.hangup_cause or "normal_clearing"
        await ctx.event(
            "call_ended",
            disposition=facts.disposition,
            hangup_by=facts.hangup_by,
            cause=facts.hangup_cause,
        )
        await ctx.records.closed(facts)


async def _quietly(aw: object) -> None:
    try:
        await aw  # type: ignore[misc]
    except (CallGone, asyncio.CancelledError):
        pass
    except PbxUnreachable as exc:
        # Asterisk going away under the call: what is left there goes with it,
        # or the sweep after the reconnect takes it down (reconcile.py).
        log.warning("cleanup after the call could not reach the PBX: %s", exc)
    except Exception:
        log.exception("cleanup after the call failed")
