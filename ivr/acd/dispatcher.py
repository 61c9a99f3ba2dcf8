"""The live queue: waiting callers, counselors, and who is offered whom, now.

The one place where counselor state changes (through `transition`) and where
routing runs (`next_assignment`). Calls talk to it from their own tasks:
`enter` a queue, `await next_offer`, report how the ring went, `leave`.
Timers apply what is due (an offer's deadline, the end of wrap-up or of a
cooldown), so nobody stays reserved or in wrap-up by accident.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ivr.acd.board import Board, build_board
from ivr.acd.counselor_states import (
    Counselor,
    CounselorRules,
    CounselorState,
    Event,
    IllegalCounselorTransition,
    PauseReason,
    StateRecord,
    due_event,
    transition,
)
from ivr.acd.deadlines import DeadlineTimer
from ivr.acd.estimate import HandledCall, estimate_wait
from ivr.acd.listeners import Listeners
from ivr.acd.restart import RESTORED_NOTE, History, rebuilt
from ivr.acd.routing import Admission, QueueConfig, WaitingCaller, admit, next_assignment, position
from ivr.ports import OfferResult

log = logging.getLogger(__name__)

RecordSink = Callable[[StateRecord], None]

# Handed to a waiting caller instead of a counselor id when no member of their queue works
# any more (all paused or logged out): app_queue's "leave when empty", the queue log's "exit on empty".
EMPTY = ""


@dataclass
class _Ticket:
    caller: WaitingCaller
    offered: asyncio.Future[str] | None = None


class Dispatcher:
    """Counselors, queues and waiting callers for the whole service."""

    def __init__(
        self,
        counselors: Iterable[Counselor],
        queues: Iterable[QueueConfig],
        rules: CounselorRules,
        monotonic: Callable[[], float],
        on_record: RecordSink | None = None,
        endpoints: dict[str, str] | None = None,
    ) -> None:
        self.counselors: dict[str, Counselor] = {c.id: c for c in counselors}
        self.queues = {q.name: q for q in queues}
        self.rules = rules
        self.now = monotonic
        self.on_record = on_record
        self.endpoints = endpoints or {}
        self._tickets: dict[str, _Ticket] = {}
        self._deadlines = DeadlineTimer(monotonic, self._sweep)
        self._answered_at: dict[str, float] = {}  # counselor -> start of their conversation
        self.history: deque[HandledCall] = deque(maxlen=1000)
        self._listeners = Listeners()
        self.subscribe = self._listeners.subscribe  # a listener told of every change; its unsubscribe
        self._held = False  # hold(): nobody is offered a caller
        self._batched = False  # _sweep(): one matching after all its events
        self._restoring = False  # the records written now are a restart's, not a counselor's

    # -- watching --------------------------------------------------------------
    def board(self) -> Board:
        """Callers waiting and counselors by state, now."""
        line = [t.caller for t in self._tickets.values()]
        return build_board(self.now(), self.queues.values(), line, self.counselors.values())

    # -- counselors ----------------------------------------------------------
    def __contains__(self, counselor_id: object) -> bool:
        return counselor_id in self.counselors

    def state(self, counselor_id: str) -> CounselorState:
        return self.counselors[counselor_id].state

    def apply(self, counselor_id: str, event: Event) -> bool:
        """Apply one event to a counselor; False when it was refused (stale or early)."""
        return self.try_apply(counselor_id, event) is None

    def try_apply(self, counselor_id: str, event: Event) -> str | None:
        """Apply one event; None when it took effect, else why it was refused."""
        refused = self._change(counselor_id, event)
        if refused is None:
            self._schedule()
            self.kick()
        return refused

    def _change(self, counselor_id: str, event: Event) -> str | None:
        """The one place a counselor's state changes: transition, store, log.

        None when the event took effect, else why it did not."""
        try:
            result = transition(self.counselors[counselor_id], event, self.now(), self.rules)
        except IllegalCounselorTransition as exc:
            # A bug or a race the table does not foresee: say so loudly, but never
            # let a counselor's bookkeeping end a citizen's call.
            log.exception("counselor %s: %s refused as illegal", counselor_id, event)
            return str(exc)
        if result.refused:
            log.debug("counselor %s: %s refused: %s", counselor_id, event, result.refused)
            return result.refused
        self.counselors[counselor_id] = result.counselor
        for record in result.records:
            log.info(
                "counselor %s: %s -> %s on %s%s",
                record.counselor_id,
                record.from_state.value,
                record.to_state.value,
                record.event,
                " (supervisor alerted)" if record.alert else "",
            )
            if self.on_record is not None:
                self.on_record(dataclasses.replace(record, note=RESTORED_NOTE) if self._restoring else record)
        self._listeners.notify()
        return None

    def set_reachable(self, counselor_id: str, reachable: bool) -> None:
        """Their phone registered or went away: an unreachable phone is offered no calls."""
        c = self.counselors.get(counselor_id)
        if c is None or c.reachable == reachable:
            return
        self.counselors[counselor_id] = dataclasses.replace(c, reachable=reachable)
        log.info("counselor %s: phone %s", counselor_id, "reachable" if reachable else "unreachable")
        self._listeners.notify()
        self.kick()

    def restore(self, last: Mapping[str, History], login_others: bool) -> None:
        """After a restart: logged-out counselors stay out, paused ones stay paused
        (with their reason); the rest are logged in, as are counselors with no
        history when `login_others`. Time in state and today's calls come back
        from the records (`acd/restart.py`); what the restore records says so."""
        self._restoring = True
        try:
            for cid, history in last.items():
                if cid in self.counselors:
                    self._restore_one(cid, history)
        finally:
            self._restoring = False
        if login_others:
            # No records yet: this login is where their time in state really begins, recorded
            # as theirs (not the restore's), so a later restart counts from it, not from zero.
            for cid in self.counselors:
                if cid not in last:
                    self.apply(cid, Event.login())
        self._listeners.notify()

    def _restore_one(self, cid: str, history: History) -> None:
        if history.state != CounselorState.LOGGED_OUT.value:
            self.apply(cid, Event.login())
            if history.state == CounselorState.PAUSED.value and history.reason:
                self.apply(cid, Event.pause(PauseReason(history.reason)))
        self.counselors[cid] = rebuilt(self.counselors[cid], history, self.now())

    def login_all(self) -> None:
        """Log every counselor in (until the desk and phone feature codes do it)."""
        for cid, c in self.counselors.items():
            if c.state is CounselorState.LOGGED_OUT:
                self.apply(cid, Event.login())

    def resume_on_call(self, counselor_id: str, call_id: str) -> None:
        """A conversation that outlived a restart: the counselor is on that call."""
        c = self.counselors[counselor_id]
        if c.state is CounselorState.AVAILABLE:
            self.apply(counselor_id, Event.offer(call_id))
            self.apply(counselor_id, Event.answer(call_id))

    def call_ended(self, counselor_id: str) -> None:
        """The conversation is over: wrap-up, then available again."""
        if self.counselors[counselor_id].state is CounselorState.ON_CALL:
            now = self.now()
            talk = now - self._answered_at.pop(counselor_id, now)
            self.apply(counselor_id, Event.hangup())
            # Handle time = talk + the wrap-up the rules give (extensions are rare).
            self.history.append(
                HandledCall(now + self.rules.wrap_up_seconds, talk, self.rules.wrap_up_seconds)
            )

    def estimate_minutes(self, call_id: str) -> int | None:
        """Minutes to announce for this caller, or None when no honest estimate exists."""
        found = estimate_wait(
            self.position(call_id), self.history, list(self.counselors.values()), self.now()
        )
        return found.minutes if found is not None else None

    # -- callers ---------------------------------------------------------------
    def enter(
        self, call_id: str, queue: str, *, priority: bool = False, entered_at: float | None = None
    ) -> Admission:
        """Put a caller in line; CLOSED (nobody logged in) and FULL keep them out.

        entered_at (monotonic, maybe in the past): the place a caller already
        had, taken up again after a restart of the service."""
        config = self.queues[queue]
        waiting = [t.caller for t in self._tickets.values()]
        verdict = admit(config, waiting, list(self.counselors.values()))
        if verdict is Admission.ADMITTED:
            since = self.now() if entered_at is None else entered_at
            self._tickets[call_id] = _Ticket(WaitingCaller(call_id, queue, since, priority=priority))
            self._listeners.notify()
            self.kick()
        return verdict

    def rejoin(self, call_id: str, queue: str, entered_at: float) -> Admission:
        """A caller whose conversation broke off (the counselor's line was lost)
        goes back first in line: with priority, from when they first entered,
        and past `max_waiting`: they were being served already. Only a queue
        nobody works any more keeps them out."""
        verdict = admit(self.queues[queue], [], list(self.counselors.values()))
        if verdict is Admission.ADMITTED:
            self._tickets[call_id] = _Ticket(WaitingCaller(call_id, queue, entered_at, priority=True))
            self._listeners.notify()
            self.kick()
        return verdict

    def enter_callback(self, ticket: str, queue: str, entered_at: float) -> None:
        """A callback takes its place in line as of `entered_at` (monotonic, maybe
        in the past: the place the caller had when they asked for it).

        Routing lets at most one callback per working member hold its place;
        the rest wait behind live callers, so callbacks never crowd them out."""
        self._tickets[ticket] = _Ticket(WaitingCaller(ticket, queue, entered_at, callback=True))
        self._listeners.notify()
        self.kick()

    def in_line(self, call_id: str) -> bool:
        return call_id in self._tickets

    def position(self, call_id: str) -> int:
        ticket = self._tickets[call_id]
        return position(
            ticket.caller,
            [t.caller for t in self._tickets.values()],
            list(self.queues.values()),
            list(self.counselors.values()),
        )

    def waiting_count(self, queue: str | None = None) -> int:
        """Callers on the line waiting (callbacks holding a place are not counted)."""
        return sum(
            1
            for t in self._tickets.values()
            if (queue is None or t.caller.queue == queue) and not t.caller.callback
        )

    async def next_offer(self, call_id: str, timeout: float | None) -> str | None:
        """The counselor this caller is offered to next, or None after `timeout` seconds."""
        ticket = self._tickets[call_id]
        # A caller keeps a standing request between waits (while hearing their
        # position, say): an offer made meanwhile is theirs, taken on the next
        # wait. Dropping it would leave the counselor reserved for nobody until
        # the offer timed out (found by the load benchmark: 20 s of silence).
        if ticket.offered is None:
            ticket.offered = asyncio.get_running_loop().create_future()
            self._listeners.notify()  # the caller asks now (CallService.rejoined waits for it)
            self.kick()
        offered = ticket.offered
        try:
            # Not wait_for: on Python 3.11 an offer landing as the caller hangs up
            # would swallow the call's cancellation (gh-86296), and the flow would
            # ring a counselor for a caller who is gone.
            async with asyncio.timeout(timeout):
                result = await asyncio.shield(offered)
        except TimeoutError:
            if not offered.done():
                return None
            result = offered.result()  # offered at the last moment: take it
        if ticket.offered is offered:
            ticket.offered = None  # taken: the next wait asks anew
        return result

    def answered(self, call_id: str, counselor_id: str) -> None:
        self._tickets.pop(call_id, None)  # the counselor's change below tells the listeners
        self._answered_at[counselor_id] = self.now()
        self.apply(counselor_id, Event.answer(call_id))

    def missed(self, call_id: str, counselor_id: str) -> None:
        """The counselor did not answer (or refused): the caller keeps their place."""
        ticket = self._tickets.get(call_id)
        if ticket is not None:
            ticket.caller = dataclasses.replace(
                ticket.caller, declined_by=ticket.caller.declined_by | {counselor_id}
            )
            ticket.offered = None
        self.apply(counselor_id, Event.reject_or_no_answer(call_id))

    def not_offered(self, call_id: str, counselor_id: str) -> None:
        """The offer never reached the counselor's phone (the PBX failed): they
        are free again and may be offered this caller again; not a miss."""
        ticket = self._tickets.get(call_id)
        if ticket is not None:
            ticket.offered = None
        c = self.counselors.get(counselor_id)
        if c is not None and c.state is CounselorState.RESERVED and c.call_id == call_id:
            self.apply(counselor_id, Event.cancel_offer(call_id))

    def settle_offer(self, call_id: str, counselor_id: str, result: OfferResult) -> None:
        """Where a ring ended: answered; missed (the counselor's doing, the
        caller keeps their place); or never made, the PBX's failure, not a miss
        (166 of 180 counselors were once paused for "missed calls" when a surge
        overloaded Asterisk's HTTP server)."""
        if result is OfferResult.ANSWERED:
            self.answered(call_id, counselor_id)
        elif result is OfferResult.PBX_FAILED:
            self.not_offered(call_id, counselor_id)
        else:
            self.missed(call_id, counselor_id)

    def leave(self, call_id: str) -> None:
        """The caller is out of line (hung up, timed out, connected elsewhere)."""
        if self._tickets.pop(call_id, None) is not None:
            self._listeners.notify()
        for cid, c in list(self.counselors.items()):
            if c.state is CounselorState.RESERVED and c.call_id == call_id:
                self.apply(cid, Event.cancel_offer(call_id))

    # -- matching --------------------------------------------------------------
    def hold(self, held: bool = True) -> None:
        """Offer nobody while held (a start on several nodes, until each took up its calls: nodes.py)."""
        self._held = held
        self.kick()

    def all_asking(self) -> bool:
        """Whether every caller in line waits for an offer (none is on their way to ask)."""
        return all(t.offered is not None for t in self._tickets.values())

    def kick(self) -> None:
        """Offer callers to free counselors, as routing says; each caller at most one at a time."""
        if self._held or self._batched:
            return
        working = {q: self.anyone_working(q) for q in {t.caller.queue for t in self._tickets.values()}}
        waiting = []
        for caller in self._unoffered():
            if working[caller.queue]:
                waiting.append(caller)
            else:
                empty = self._tickets[caller.call_id].offered
                assert empty is not None
                empty.set_result(EMPTY)
        if not waiting:
            return
        counselors = list(self.counselors.values())
        given: set[str] = set()
        for caller, counselor in next_assignment(list(self.queues.values()), waiting, counselors, self.now()):
            ticket = self._tickets.get(caller.call_id)
            if ticket is None or ticket.offered is None or ticket.offered.done() or caller.call_id in given:
                continue  # ring_all's other counselors: one ring per caller here
            if self._change(counselor.id, Event.offer(caller.call_id)) is None:
                given.add(caller.call_id)
                ticket.offered.set_result(counselor.id)
        self._schedule()

    def _unoffered(self) -> list[WaitingCaller]:
        """Callers waiting for an offer right now (not ringing anyone)."""
        return [t.caller for t in self._tickets.values() if t.offered is not None and not t.offered.done()]

    def anyone_working(self, queue: str) -> bool:
        """Whether any member of the queue serves callers now (or will after wrap-up)."""
        skill = self.queues[queue].member_skill
        return any(c.is_working and skill in c.skills for c in self.counselors.values())

    def _schedule(self) -> None:
        self._deadlines.set(self.counselors.values())

    def _sweep(self) -> None:
        now = self.now()
        # One matching after every due event, not one per event: offers that ran
        # out together would each read the whole line (400 callers in a surge).
        self._batched = True
        try:
            for cid, c in list(self.counselors.items()):
                if (event := due_event(c, now)) is not None:
                    self.apply(cid, event)
        finally:
            self._batched = False
        self.kick()
        self._schedule()
