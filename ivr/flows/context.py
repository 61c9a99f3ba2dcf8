"""What a running call knows about itself, and how it writes that down."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ivr.acd.dispatcher import Dispatcher
from ivr.ports import (
    CallControl,
    CallFacts,
    CallRecords,
    CounselorLeg,
    Disposition,
    QueueEvent,
    QueueLogEntry,
    WaitingPlace,
)
from ivr.protection.call_length import CallLengthTimer

log = logging.getLogger(__name__)


class InLine(enum.Enum):
    """Where a caller is in a queue (the queue node says), as the disposition
    a hangup then gets: the same moments the queue log calls `abandoned`."""

    WAITING = Disposition.ABANDONED_QUEUE
    RINGING = Disposition.ABANDONED_RINGING  # a counselor's phone rings for them


class CallContext:
    """The record of one call as it grows, plus the shared queue (`acd`).

    Every step is written to the call's timeline when it happens, so a crash
    loses nothing that already happened.
    """

    def __init__(
        self,
        facts: CallFacts,
        records: CallRecords,
        acd: Dispatcher,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
    ) -> None:
        self.facts = facts
        self.records = records
        self.acd = acd
        self.now = now
        self.monotonic = monotonic
        self.leg: CounselorLeg | None = None
        self.overflowed = False  # a queue could not take the call
        # The queue this caller last entered and when: a callback asked for
        # from the line keeps that place.
        self.queue_place: tuple[str, datetime] | None = None
        # The place in line a caller had before a restart of the service: the
        # queue node takes it up instead of putting them at the back.
        self.resumed_place: WaitingPlace | None = None
        # In a queue's line now (None: the menu, a message, a conversation).
        self.in_line: InLine | None = None
        # What the counselor asks of their conversation (*9 on the phone, the
        # desk's button): read by the conversation, in order.
        self.commands: asyncio.Queue[str] = asyncio.Queue()
        # The conversation's call-length limit, while there is a conversation.
        self.length: CallLengthTimer | None = None

    @property
    def call_id(self) -> str:
        return self.facts.call_id

    async def step(self, name: str, **detail: Any) -> None:
        """An IVR step the caller went through (kept in the call's IVR path)."""
        self.facts.ivr_path.append(name)
        await self.records.updated(self.facts)
        await self.event("ivr", step=name, **detail)

    async def event(self, kind: str, **detail: Any) -> None:
        log.info("%s %s", kind, " ".join(f"{k}={v}" for k, v in detail.items()))
        await self.records.event(self.facts.call_id, self.now(), kind, detail)

    async def queue_log(
        self, queue: str, event: QueueEvent, *, at: datetime | None = None, **fields: Any
    ) -> None:
        """One line of the queue log (reports read it; the timeline has the details)."""
        entry = QueueLogEntry(self.facts.call_id, queue, event, **fields)
        await self.records.queue_log(at or self.now(), entry)

    async def answered(self) -> None:
        self.facts.answered_at = self.now()
        await self.records.updated(self.facts)
        await self.event("answered")

    async def connected(self, counselor_id: str, leg_id: str) -> None:
        self.facts.connected_at = self.now()
        self.facts.counselor_id = counselor_id
        self.facts.counselor_leg = leg_id
        await self.records.updated(self.facts)
        await self.event("connected", counselor=counselor_id)

    def finish(self, disposition: str, hangup_by: str | None = None) -> None:
        """Say how the call ended; the first word on who hung up stands.

        The caller's hangup is said as ABANDONED_IVR wherever it came; it is a
        queue abandon when they were in line then (waiting, or ringing)."""
        if self.facts.connected_at is not None:
            disposition = Disposition.ANSWERED
        elif disposition == Disposition.IVR_ENDED and self.overflowed:
            disposition = Disposition.NO_COUNSELOR
        elif disposition == Disposition.ABANDONED_IVR and self.in_line is not None:
            disposition = self.in_line.value
        self.facts.disposition = self.facts.disposition or disposition
        if hangup_by and not self.facts.hangup_by:
            self.facts.hangup_by = hangup_by

    async def let_go(self, call: CallControl) -> None:
        """Hang up a counselor leg still held and make the counselor free again."""
        leg, self.leg = self.leg, None
        if leg is None:
            return
        try:
            await call.release(leg)
        finally:
            if leg.counselor_id in self.acd:
                self.acd.call_ended(leg.counselor_id)
