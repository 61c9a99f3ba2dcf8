"""Small stateful fakes of the ports: they record commands and play back a script."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ivr.acd.counselor_states import Counselor as AcdCounselor
from ivr.acd.counselor_states import CounselorRules, CounselorState
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.routing import QueueConfig
from ivr.calls.followup_states import FollowupEvent, Kind, follow
from ivr.ports import CallbackRequest, CallFacts, OfferResult, QueueLogEntry, WaitingPlace


class FakeLeg:
    def __init__(self, counselor_id: str, leg_id: str) -> None:
        self.counselor_id = counselor_id
        self.leg_id = leg_id
        self.ended = asyncio.Event()
        self.keys: asyncio.Queue[str] = asyncio.Queue()
        self.lost = False

    async def wait_ended(self) -> None:
        await self.ended.wait()

    async def line_lost(self) -> bool:
        return self.lost and self.ended.is_set()

    async def next_key(self) -> str:
        key = await self.keys.get()
        self.keys.task_done()  # lets a test `await leg.keys.join()` until every key is read
        return key

    def press(self, keys: str) -> None:
        for key in keys:
            self.keys.put_nowait(key)


class FakeCall:
    """A caller who presses scripted digits; counselors answer as scripted.

    `digits` is consumed one per interruptible prompt and one per read: a
    digit pressed then, or None for silence.
    `counselors` maps counselor id -> OfferResult; ANSWERED legs are kept in
    `legs` so a test can end them. `offer_blocks` makes ringing wait forever.
    """

    def __init__(
        self,
        digits: Sequence[str | None] = (),
        counselors: dict[str, OfferResult] | None = None,
        offer_blocks: bool = False,
    ) -> None:
        self.call_id = "call-1"
        self.caller = "01012345678"
        self.dialed = "2221000"
        self.script = list(digits)
        self.counselors = counselors or {}
        self.offer_blocks = offer_blocks
        self.log: list[tuple[str, Any]] = []
        self.legs: dict[str, FakeLeg] = {}
        self.released: list[str] = []
        self.ringing = asyncio.Event()
        self.connected = asyncio.Event()
        self.recording_works = True
        self.recording_message = asyncio.Event()  # set while a message is being recorded
        self.message_ends: asyncio.Event | None = None  # the message ends then, not at once
        self.holding = False
        self.hold_keys: list[str | None] = []
        self.long_prompts: dict[str, asyncio.Event] = {}
        self.music = asyncio.Event()  # set once hold music was turned on
        self.ring_until: asyncio.Event | None = None

    def _next(self) -> str | None:
        return self.script.pop(0) if self.script else None

    async def answer(self) -> None:
        self.log.append(("answer", None))

    async def play(self, prompts: Sequence[str], *, barge_in: bool = True) -> str | None:
        self.log.append(("play", tuple(prompts)))
        await asyncio.sleep(0)
        for marker, ends in self.long_prompts.items():
            if any(marker in p for p in prompts):
                try:
                    await ends.wait()
                except asyncio.CancelledError:
                    self.log.append(("prompt_stopped", tuple(prompts)))
                    raise
                self.log.append(("prompt_ended", tuple(prompts)))
        return self._next() if barge_in else None

    async def read_digit(self, timeout: float) -> str | None:
        self.log.append(("read", timeout))
        if self.holding:
            # Keys pressed while waiting in line come from their own script.
            return self.hold_keys.pop(0) if self.hold_keys else None
        return self._next()

    def discard_digits(self) -> None:
        self.log.append(("discard", None))

    async def hold(self, on: bool) -> None:
        self.log.append(("hold", on))
        self.holding = on
        if on:
            self.music.set()

    async def offer(self, counselor_id: str, endpoint: str, ring_seconds: float):
        self.log.append(("offer", counselor_id))
        self.ringing.set()
        if self.ring_until is not None:
            await self.ring_until.wait()
        if self.offer_blocks:
            try:
                await asyncio.Event().wait()
            finally:
                self.log.append(("ring_stopped", counselor_id))
        result = self.counselors.get(counselor_id, OfferResult.NO_ANSWER)
        if isinstance(result, list):  # one result per ring, the last one for good
            result = result.pop(0) if len(result) > 1 else result[0]
        if result is OfferResult.ANSWERED:
            leg = FakeLeg(counselor_id, f"{self.call_id}-c{len(self.legs) + 1}")
            self.legs[counselor_id] = leg
            return result, leg
        return result, None

    async def connect(self, leg) -> None:
        self.log.append(("connect", leg.counselor_id))
        self.connected.set()

    async def announce(self, prompts: Sequence[str], language: str) -> None:
        self.log.append(("announce", (tuple(prompts), language)))
        await asyncio.sleep(0)

    async def record_conversation(self) -> str | None:
        self.log.append(("record_conversation", None))
        return f"call-{self.call_id}" if self.recording_works else None

    async def release(self, leg) -> None:
        self.released.append(leg.counselor_id)

    async def join(self, leg) -> None:
        self.log.append(("join", leg.counselor_id))

    async def drop(self, leg) -> None:
        self.log.append(("drop", leg.counselor_id))
        self.released.append(leg.counselor_id)

    async def aside(self, leg) -> None:
        self.log.append(("aside", leg.counselor_id))

    async def back(self, leg) -> None:
        self.log.append(("back", leg.counselor_id))

    async def record_message(self, *, max_seconds: int, silence_seconds: int, beep: bool):
        self.log.append(("record", max_seconds))
        self.recording_message.set()
        if self.message_ends is not None:
            await self.message_ends.wait()
        return (f"voicemail-{self.call_id}", 12.5) if self.recording_works else None

    async def hangup(self) -> None:
        self.log.append(("hangup", None))

    async def divert_to_fallback(self) -> None:
        self.log.append(("fallback", None))

    def prompts(self) -> list[str]:
        return [p for kind, ps in self.log if kind == "play" for p in ps]


class MemoryRecords:
    """CallRecords in memory, keeping each call's last state and its timeline."""

    def __init__(self) -> None:
        self.calls: dict[str, CallFacts] = {}
        self.closed_ids: list[str] = []
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self._changed = asyncio.Event()
        self._event_seen = asyncio.Event()
        self.history: dict[str, int] = {}
        self.strike_counts: dict[str, int] = {}
        self.callbacks: list[tuple[str, str, str | None]] = []
        self.bookings: dict[int, tuple[str, str | None, datetime]] = {}  # id -> number, queue, slot
        self.survey: list[tuple[str, str, int]] = []
        self.voicemails: list[tuple[str, str, float]] = []
        self.on_event: Any = None  # a test's hook, called with (kind, detail)
        self.queue_entries: list[QueueLogEntry] = []
        self.strikes_added: list[tuple[str, str, str]] = []
        self.callback_places: list[datetime | None] = []
        self.callback_attempts: list[tuple[int, dict[str, Any]]] = []
        self.callback_status: dict[int, str] = {}
        self.waiting: dict[str, WaitingPlace] = {}  # places in line to hand back after a restart

    async def changed(self) -> None:
        """Return after the next closed call."""
        self._changed.clear()
        await self._changed.wait()

    async def changed_event(self) -> None:
        """Return after the next timeline event."""
        self._event_seen.clear()
        await self._event_seen.wait()

    async def opened(self, facts: CallFacts) -> None:
        self.calls[facts.call_id] = facts

    async def updated(self, facts: CallFacts) -> None:
        self.calls[facts.call_id] = facts

    async def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        self.events.append((call_id, kind, detail))
        self._event_seen.set()
        if self.on_event is not None:
            self.on_event(kind, detail)

    async def closed(self, facts: CallFacts) -> None:
        self.calls[facts.call_id] = facts
        self.closed_ids.append(facts.call_id)
        self._changed.set()

    async def queue_log(self, at: datetime, entry: QueueLogEntry) -> None:
        self.queue_entries.append(entry)

    def queue_events(self, call_id: str) -> list[str]:
        return [e.event.value for e in self.queue_entries if e.call_id == call_id]

    async def open_calls(self) -> list[CallFacts]:
        return [f for i, f in self.calls.items() if i not in self.closed_ids]

    async def waiting_place(self, call_id: str) -> WaitingPlace | None:
        return self.waiting.get(call_id)

    async def recent_calls(self, caller: str, since: datetime, exclude: str | None = None) -> int:
        return sum(
            1
            for f in self.calls.values()
            if f.caller == caller and f.started_at >= since and f.call_id != exclude
        ) + self.history.get(caller, 0)

    async def strikes(self, caller: str, since: datetime | None = None) -> int:
        return self.strike_counts.get(caller, 0)

    async def add_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, place_at: datetime | None = None
    ) -> tuple[int, bool]:
        self.callbacks.append((call_id, number, queue))
        self.callback_places.append(place_at)
        return len(self.callbacks), False

    async def pending_callbacks(self) -> list[CallbackRequest]:
        return [
            CallbackRequest(n, number, queue, slot, next_at=slot, booked_for=slot)
            for n, (number, queue, slot) in self.bookings.items()
            if self.callback_status.get(n, "new") in ("new", "queued")
        ]

    async def book_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, slot: datetime, capacity: int
    ) -> int | None:
        if sum(1 for _, _, s in self.bookings.values() if s == slot) >= capacity:
            return None
        callback_id = 100 + len(self.bookings)
        self.bookings[callback_id] = (number, queue, slot)
        return callback_id

    async def booked_slots(self, since: datetime) -> dict[datetime, int]:
        counts: dict[datetime, int] = {}
        for _, _, slot in self.bookings.values():
            if slot >= since:
                counts[slot] = counts.get(slot, 0) + 1
        return counts

    async def callback_attempted(self, callback_id: int, at: datetime, **fields: Any) -> str:
        """Moves the request by the table, as the store does; `callback_status` holds each one's."""
        current = self.callback_status.get(callback_id, "new")
        status = follow(Kind.CALLBACK, current, FollowupEvent(fields["event"]))
        self.callback_status[callback_id] = status
        self.callback_attempts.append((callback_id, {**fields, "status": str(status)}))
        return str(status)

    async def add_survey_answer(self, call_id: str, question: str, answer: int, at: datetime) -> None:
        self.survey.append((call_id, question, answer))

    async def add_strike(self, number: str, call_id: str, reason: str, at: datetime) -> None:
        self.strikes_added.append((number, call_id, reason))
        self.strike_counts[number] = self.strike_counts.get(number, 0) + 1

    async def add_voicemail(
        self, call_id: str, caller: str, recording: str, seconds: float, at: datetime
    ) -> None:
        self.voicemails.append((call_id, recording, seconds))

    def kinds(self) -> list[str]:
        return [k for _, k, _ in self.events]


class StepClock:
    """Each reading is one second after the last."""

    def __init__(self) -> None:
        self.t = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=9)))
        self.mono = 0.0

    def now(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t

    def monotonic(self) -> float:
        self.mono += 1.0
        return self.mono


def dispatcher(
    counselor_ids: list[str],
    queues: dict[str, list[str]] | None = None,
    endpoints: dict[str, str] | None = None,
) -> Dispatcher:
    """A real dispatcher on the real clock, everyone logged in, no wrap-up wait."""
    queues = queues if queues is not None else {"general": counselor_ids}
    skills = {cid: {q: 1 for q, members in queues.items() if cid in members} for cid in counselor_ids}
    acd = Dispatcher(
        [AcdCounselor(cid, skills=skills[cid]) for cid in counselor_ids],
        [QueueConfig(q) for q in queues],
        CounselorRules(wrap_up_seconds=0, ring_timeout_seconds=60),
        time.monotonic,
        endpoints=endpoints or {cid: f"p-{cid}" for cid in counselor_ids},
    )
    acd.login_all()
    return acd


def settled(acd: Dispatcher) -> bool:
    """Nobody left reserved or on a call (wrap-up and pauses are legitimate ends)."""
    return all(
        c.state not in (CounselorState.RESERVED, CounselorState.ON_CALL) for c in acd.counselors.values()
    )
