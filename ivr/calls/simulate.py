"""Walk a flow with no phone: `ivr flows simulate`.

The walk goes through the same CallService and engine as a real call; only
the call itself is simulated: prompts are printed as text, and the caller's
keys come from a script such as "1,2,timeout".
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ivr.acd.dispatcher import Dispatcher
from ivr.calls.booking import BookingRules, Bookings
from ivr.calls.callback_plan import CallbackRules
from ivr.calls.service import CallService
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import CaseGlance, FlowEnv
from ivr.ports import CallbackRequest, CallFacts, OfferResult, QueueLogEntry, WaitingPlace

Say = Callable[[str], None]


def parse_keys(script: str) -> list[str | None]:
    """ "1,2,timeout,0101234#" -> ['1', '2', None, '0', '1', ...]; None is silence."""
    keys: list[str | None] = []
    for part in (p.strip() for p in script.split(",") if p.strip()):
        if part.lower() in ("timeout", "silence", "-"):
            keys.append(None)
            continue
        bad = [c for c in part if c not in "0123456789*#"]
        if bad:
            raise ValueError(f"{part!r}: keys are 0-9, * and #, or 'timeout'")
        keys.extend(part)
    return keys


class SimulatedLeg:
    def __init__(self, counselor_id: str) -> None:
        self.counselor_id = counselor_id
        self.leg_id = f"sim-{counselor_id}"

    async def wait_ended(self) -> None:
        return None  # the counselor finishes the conversation at once

    async def line_lost(self) -> bool:
        return False

    async def next_key(self) -> str:
        await asyncio.Event().wait()  # a simulated counselor keys nothing
        raise AssertionError("unreachable")


class SimulatedCall:
    """CallControl that prints what the caller would hear."""

    def __init__(
        self,
        caller: str,
        keys: list[str | None],
        books: Callable[[], list[PromptBook]],
        say: Say,
        counselor: str = "answer",
        heard: list[tuple[str, str]] | None = None,
    ) -> None:
        self.call_id = "simulated"
        # What the caller heard and did, in order: ("prompt", id), ("key", key or ""),
        # ("hold", ""): music on hold begins, ("counselor", id): a counselor answers.
        self.heard = heard if heard is not None else []
        self.caller = caller
        self.dialed = "2221000"
        self.keys = keys
        self.books = books
        self.say = say
        self.counselor = counselor
        self.ended = False

    async def answer(self) -> None:
        self.say("answered")

    async def play(self, prompts: Sequence[str], *, barge_in: bool = True) -> str | None:
        for name in prompts:
            self.heard.append(("prompt", name))
            text = next((t for b in self.books() if not (t := b.text_of(name)).startswith("[")), name)
            self.say(f"  ♪ {text}")
        return None

    async def read_digit(self, timeout: float) -> str | None:
        key = self.keys.pop(0) if self.keys else None
        self.heard.append(("key", key or ""))
        self.say(f"  ☎ pressed {key}" if key is not None else f"  ⌛ nothing pressed for {timeout:g} s")
        return key

    def discard_digits(self) -> None:
        pass

    async def hold(self, on: bool) -> None:
        if on:
            self.heard.append(("hold", ""))
            self.say("  ♫ hold music")

    async def offer(self, counselor_id: str, endpoint: str, ring_seconds: float):  # type: ignore[no-untyped-def]
        if self.counselor == "answer":
            self.heard.append(("counselor", counselor_id))
            self.say(f"  ☏ {counselor_id} answers")
            return OfferResult.ANSWERED, SimulatedLeg(counselor_id)
        self.say(f"  ☏ {counselor_id} does not answer")
        return OfferResult.NO_ANSWER, None

    async def connect(self, leg: Any) -> None:
        self.say(f"  ⇄ talking with {leg.counselor_id}")

    async def announce(self, prompts: Sequence[str], language: str) -> None:
        self.say(f"  ♪ (to both) {', '.join(prompts)}")

    async def record_conversation(self) -> str | None:
        self.say("  ● the conversation is recorded")
        return "simulated-recording"

    async def release(self, leg: Any) -> None:
        pass

    async def join(self, leg: Any) -> None:
        self.say(f"  ⇄ {leg.counselor_id} joins the conversation")

    async def drop(self, leg: Any) -> None:
        pass

    async def aside(self, leg: Any) -> None:
        self.say(f"  ♫ the caller holds while {leg.counselor_id} consults")

    async def back(self, leg: Any) -> None:
        self.say(f"  ⇄ {leg.counselor_id} is back with the caller")

    async def record_message(self, *, max_seconds: int, silence_seconds: int, beep: bool):  # type: ignore[no-untyped-def]
        self.say("  ● the caller leaves a message")
        return "simulated-message", 10.0

    async def hangup(self) -> None:
        self.ended = True
        self.say("hung up")

    async def divert_to_fallback(self) -> None:
        self.say("sent to the fallback")


class SimulatedRecords:
    """Prints decisions and keeps the path; stores nothing."""

    def __init__(self, say: Say, repeat: bool = False, strikes: int = 0) -> None:
        self.say = say
        self.repeat = repeat
        self.n_strikes = strikes
        self.facts: CallFacts | None = None

    async def opened(self, facts: CallFacts) -> None:
        self.facts = facts

    async def updated(self, facts: CallFacts) -> None:
        self.facts = facts

    async def closed(self, facts: CallFacts) -> None:
        self.facts = facts

    async def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        if kind == "ivr":
            self.say(f"→ {detail['step']} ({detail.get('type', '')})")
        elif kind not in ("answered", "call_started", "offer", "offer_result", "connected"):
            shown = ", ".join(f"{k}={v}" for k, v in detail.items())
            self.say(f"  · {kind}" + (f": {shown}" if shown else ""))

    async def queue_log(self, at: datetime, entry: QueueLogEntry) -> None:
        pass  # the timeline's queue events already told the admin

    async def open_calls(self) -> list[CallFacts]:
        return []

    async def waiting_place(self, call_id: str) -> WaitingPlace | None:
        return None

    async def recent_calls(self, caller: str, since: datetime, exclude: str | None = None) -> int:
        return 1 if self.repeat else 0

    async def strikes(self, caller: str, since: datetime | None = None) -> int:
        return self.n_strikes

    async def add_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, place_at: datetime | None = None
    ) -> tuple[int, bool]:
        return 1, False

    async def pending_callbacks(self) -> list[CallbackRequest]:
        return []

    async def book_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, slot: datetime, capacity: int
    ) -> int | None:
        self.say(f"  [booked: a callback to {number} at {slot:%Y-%m-%d %H:%M}]")
        return 1

    async def booked_slots(self, since: datetime) -> dict[datetime, int]:
        return {}

    async def callback_attempted(self, callback_id: int, at: datetime, **_: Any) -> str:
        return "done"

    async def add_survey_answer(self, call_id: str, question: str, answer: int, at: datetime) -> None:
        pass

    async def add_strike(self, number: str, call_id: str, reason: str, at: datetime) -> None:
        pass

    async def add_voicemail(
        self, call_id: str, caller: str, recording: str, seconds: float, at: datetime
    ) -> None:
        pass


class SimulatedCases:
    """The caller's 민원 as `--case` says: none, one under way, or one answered."""

    NUMBER = "2026-000123"

    def __init__(self, state: str | None) -> None:
        if state not in (None, "open", "answered"):
            raise ValueError(f"case {state!r}: open or answered")
        self.state = state

    async def newest_open(self, caller: str) -> CaseGlance | None:
        if self.state is None:
            return None
        return CaseGlance(self.NUMBER, answered=self.state == "answered")


async def simulate(
    flows: FlowRegistry,
    env: FlowEnv,
    acd: Dispatcher,
    *,
    caller: str,
    keys: list[str | None],
    say: Say,
    counselor: str = "answer",
    repeat: bool = False,
    strikes: int = 0,
    booking: tuple[CallbackRules, BookingRules] | None = None,
    heard: list[tuple[str, str]] | None = None,
    case: str | None = None,
) -> CallFacts:
    """Run one simulated call to its end; return its record (and what it heard in `heard`).
    With `booking` (calling hours, slot rules), a `booking` node offers every slot as open.
    With `case` ("open" or "answered"), the caller has a 민원 in that state (`case` nodes)."""
    records = SimulatedRecords(say, repeat=repeat, strikes=strikes)
    if booking is not None:
        env = dataclasses.replace(env, bookings=Bookings(records, *booking))
    env = dataclasses.replace(env, cases=SimulatedCases(case))
    service = CallService(flows, env, acd, records, env.now, _ticks())
    call = SimulatedCall(caller, keys, flows.books, say, counselor, heard)
    await service.new_call(call)
    await service.join(call.call_id)
    assert records.facts is not None
    return records.facts


def _ticks() -> Callable[[], float]:
    counter = [0.0]

    def tick() -> float:
        counter[0] += 1.0
        return counter[0]

    return tick
