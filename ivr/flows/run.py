"""What one call's walk through its flow carries: the run, and what the engine supplies to nodes.

Node modules take a `FlowRun`; the engine (engine.py) imports the nodes. Keeping
these types apart from the engine is what lets the nodes depend on them
without importing the engine that imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ivr.flows import model
from ivr.flows.context import CallContext
from ivr.flows.loader import Loaded
from ivr.flows.promptbook import PromptBook
from ivr.ports import CallControl, RecordingLog
from ivr.protection.call_length import LengthLimit


@dataclass(frozen=True)
class Queue:
    name: str
    counselors: tuple[str, ...]
    # How long a conversation of this queue may last (off by default).
    limit: LengthLimit = field(default_factory=LengthLimit)


@dataclass(frozen=True)
class Department:
    name: str
    endpoint: str


class Bookings(Protocol):
    """예약 상담: callback hours a caller can book (calls/booking.py over the store)."""

    async def open_slots(self, now: datetime) -> dict[datetime, list[datetime]]:
        """Calling day (midnight) -> its open hour slots, soonest first; full ones left out."""

    async def book(
        self, call_id: str, number: str, queue: str | None, slot: datetime, at: datetime
    ) -> int | None:
        """The booked callback's id; None when the slot filled meanwhile."""


@dataclass(frozen=True)
class CaseGlance:
    """A caller's newest 민원 not yet closed, as the `case` node needs it."""

    number: str  # 2026-000123
    answered: bool  # the department's answer is there (the case is not closed yet)


class CaseLookup(Protocol):
    """The citizens' 민원 as the IVR reads them (store/case_glance.py over the store)."""

    async def newest_open(self, caller: str) -> CaseGlance | None:
        """The caller's newest case not yet closed; None when there is none."""


@dataclass
class FlowEnv:
    """What the engine supplies to nodes (their preconditions), shared by all calls."""

    now: Callable[[], datetime]
    ring_seconds: float = 15.0
    queues: Mapping[str, Queue] = field(default_factory=dict)
    departments: Mapping[str, Department] = field(default_factory=dict)
    subflows: Callable[[str], tuple[Loaded, PromptBook]] | None = None
    endpoints: Mapping[str, str] = field(default_factory=dict)  # counselor id -> endpoint
    # Told when a callback request is stored, so it is served without polling.
    callback_requested: Callable[[], None] | None = None
    # Told what becomes of recordings (the service's copier); None in simulations.
    recordings: RecordingLog | None = None
    # Topics whose calls the call-length limit never cuts (a welfare crisis).
    exempt_topics: frozenset[str] = frozenset()
    # How long a strike against a caller's number counts (0: for ever).
    strike_expiry_days: int = 0
    bookings: Bookings | None = None  # None: `booking` nodes say no slot is open
    cases: CaseLookup | None = None  # None: `case` nodes find no case (outcome `none`)


@dataclass
class FlowRun:
    """One call's walk through its flow."""

    call: CallControl
    ctx: CallContext
    env: FlowEnv
    loaded: Loaded
    book: PromptBook
    language: str = "ko"
    vars: dict[str, str] = field(default_factory=dict)
    priority: bool = False
    pending_digit: str | None = None  # pressed during a prompt with barge-in
    node_id: str = ""  # the node running now
    # The flows as they were when the call began (its subflows come from here); None: env's.
    subflows: Mapping[str, tuple[Loaded, PromptBook]] | None = None

    @property
    def flow(self) -> model.Flow:
        return self.loaded.flow

    def sounds(self, prompt_ids: list[str]) -> list[str]:
        return self.book.names(prompt_ids, self.language)

    async def say(self, prompt_ids: list[str], *, barge_in: bool = False) -> str | None:
        if not prompt_ids:
            return None
        return await self.call.play(self.sounds(prompt_ids), barge_in=barge_in)
