"""The lease kept over time: a standby waits for it, an active renews it until it cannot.

The store (ivr/store/lease.py on PostgreSQL) decides who holds the lease by
the server's clock; this side only counts, on its own monotonic clock, how
long it may go on driving calls without a confirmed renewal (runtime/lease.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from ivr.errors import HotlineError
from ivr.runtime.lease import Lease, LeaseTimes, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Who holds the lease, as the store says: its name, epoch, and the desk it serves."""

    name: str
    epoch: int
    desk: str
    live: bool  # False: the lease has lapsed, and the next to ask takes it


class LeaseStore(Protocol):
    """The lease's row; every answer by the store's (the server's) clock."""

    async def take(self, holder: str, desk: str, seconds: float) -> int | None:
        """Take the lease if it is free or lapsed: the new epoch, or None if another holds it."""
        ...

    async def renew(self, holder: str, epoch: int, seconds: float) -> bool:
        """Extend our lease by `seconds` from now; False if another epoch holds it."""
        ...

    async def release(self, holder: str, epoch: int) -> None:
        """Let the lease lapse now (a stop by SIGTERM): the standby takes over at its next poll."""
        ...

    async def holder(self) -> Holder | None: ...


Sleep = Callable[[float], Awaitable[None]]


class LeaseKeeper:
    """Takes the lease when it is free, then renews it until a renewal is refused or overdue."""

    def __init__(
        self,
        store: LeaseStore,
        name: str,
        desk: str,
        times: LeaseTimes,
        monotonic: Callable[[], float],
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.store, self.name, self.desk = store, name, desk
        self.lease = Lease(times)
        self._monotonic, self._sleep = monotonic, sleep

    @property
    def role(self) -> Role:
        return self.lease.role

    @property
    def epoch(self) -> int | None:
        return self.lease.epoch

    async def wait_active(self) -> int:
        """Poll until the lease is ours; its epoch. A store that fails is asked again at the next poll."""
        times = self.lease.times
        while True:
            sent = self._monotonic()
            try:
                epoch = await self.store.take(self.name, self.desk, times.lease_seconds)
            except HotlineError as exc:
                log.warning("the lease could not be asked for (%s); asking again", exc)
                epoch = None
            if epoch is not None:
                self.lease.taken(epoch, sent)
                return epoch
            await self._sleep(times.poll_every)

    async def keep(self) -> None:
        """Renew while active; return as soon as the service must step down (lapsed or lost)."""
        lease, times = self.lease, self.lease.times
        assert lease.epoch is not None, "keep() after wait_active()"
        while lease.role is Role.ACTIVE:
            now = self._monotonic()
            if lease.overdue(now):
                log.critical("the lease (epoch %s) was not renewed in time: stepping down", lease.epoch)
                lease.lapsed()
                return
            assert lease.deadline is not None
            try:
                async with asyncio.timeout(lease.deadline - now):
                    kept = await self.store.renew(self.name, lease.epoch, times.lease_seconds)
            except (TimeoutError, HotlineError) as exc:
                log.warning(
                    "the lease's renewal failed (%s); trying again until its deadline", exc or "timeout"
                )
                kept = None
            if kept is False:
                log.critical("the lease (epoch %s) is held by another service: stepping down", lease.epoch)
                lease.lost()
                return
            if kept:
                lease.renewed(now)
            left = lease.deadline - self._monotonic()
            await self._sleep(max(0.0, min(times.renew_every, left)))

    def stopped(self) -> None:
        self.lease.stopped()
