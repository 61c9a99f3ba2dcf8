"""Which of two services is active: the lease's states, one transition table, and its times.

Two `ivr serve` share one PostgreSQL and one Asterisk set; one holds the
lease (a row in PostgreSQL with a holder, an epoch and an expiry kept by
the server's clock) and drives calls, the other waits. Asterisk gives a
Stasis app to whichever WebSocket connected last, so two actives would
each drive the other's calls: the holder must stop before the lease can
be taken. It counts from the moment it *sent* its last successful renewal;
the server's expiry counts from when it committed it, later. So stepping
down at `sent + step_down_after` (less than the lease) is always before
the other can take the lease at `committed + lease_seconds`, whatever the
renewal's round trip was, as long as both machines' clocks tick at the
same rate (they need not agree on the time).

    standby ──taken──▶ active ──renewed──▶ active
                         │ lapsed (no renewal in time) / lost (another epoch holds it)
                         ▼
                   stepping_down ──stopped──▶ standby

Pure: the clock is whatever the caller passes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from ivr.errors import HotlineError

log = logging.getLogger(__name__)


class Role(StrEnum):
    STANDBY = "standby"
    ACTIVE = "active"
    STEPPING_DOWN = "stepping_down"


class LeaseEvent(StrEnum):
    TAKEN = "taken"  # the lease was free or lapsed, and is ours under a new epoch
    RENEWED = "renewed"  # the holder renewed it in time
    LAPSED = "lapsed"  # the holder could not renew before its step-down deadline
    LOST = "lost"  # the store says another epoch holds it (renewal refused, a fenced write)
    STOPPED = "stopped"  # the holder let go of Asterisk and stopped dispatching


TRANSITIONS: dict[tuple[Role, LeaseEvent], Role] = {
    (Role.STANDBY, LeaseEvent.TAKEN): Role.ACTIVE,
    (Role.ACTIVE, LeaseEvent.RENEWED): Role.ACTIVE,
    (Role.ACTIVE, LeaseEvent.LAPSED): Role.STEPPING_DOWN,
    (Role.ACTIVE, LeaseEvent.LOST): Role.STEPPING_DOWN,
    (Role.STEPPING_DOWN, LeaseEvent.STOPPED): Role.STANDBY,
}


class IllegalLeaseTransition(HotlineError):
    """A change of role the lease's table forbids (a standby cannot renew, an active cannot take)."""


def next_role(role: Role, event: LeaseEvent) -> Role:
    try:
        return TRANSITIONS[(role, event)]
    except KeyError:
        raise IllegalLeaseTransition(f"the lease cannot go from {role} on {event}") from None


class FencedOut(HotlineError):
    """A write carried an epoch the lease no longer has: another service took over."""

    def __init__(self, epoch: int, current: int | None, holder: str | None) -> None:
        self.epoch, self.current, self.holder = epoch, current, holder
        now = f"epoch {current}, held by {holder}" if current is not None else "no lease at all"
        super().__init__(
            f"write refused: this service's lease (epoch {epoch}) is over ({now}); "
            "another service took over and this one must not change calls any more"
        )


@dataclass(frozen=True)
class LeaseTimes:
    """How often the lease is renewed and polled, and when a holder gives up: all from its length."""

    lease_seconds: float

    @property
    def renew_every(self) -> float:
        return self.lease_seconds / 4

    @property
    def step_down_after(self) -> float:
        """Since the last successful renewal was sent: 60% of the lease, leaving 40% (1.2 s of the
        default 3) for the ARI connection to close before the other may take the lease."""
        return self.lease_seconds * 0.6

    @property
    def poll_every(self) -> float:
        return min(0.5, self.lease_seconds / 4)


@dataclass
class Lease:
    """One service's view of the lease: its role, epoch, and the time it must step down by."""

    times: LeaseTimes
    role: Role = Role.STANDBY
    epoch: int | None = None
    deadline: float | None = None  # on the caller's monotonic clock; set while active

    def _change(self, event: LeaseEvent) -> None:
        new = next_role(self.role, event)
        if new is not self.role:
            log.info("lease: %s -> %s -> %s (epoch %s)", self.role, event, new, self.epoch)
        self.role = new

    def taken(self, epoch: int, sent_at: float) -> None:
        self._change(LeaseEvent.TAKEN)
        self.epoch = epoch
        self.deadline = sent_at + self.times.step_down_after

    def renewed(self, sent_at: float) -> None:
        self._change(LeaseEvent.RENEWED)
        self.deadline = max(self.deadline or sent_at, sent_at + self.times.step_down_after)

    def overdue(self, now: float) -> bool:
        """True once an active holder's deadline has passed: it must step down now."""
        return self.role is Role.ACTIVE and self.deadline is not None and now >= self.deadline

    def lapsed(self) -> None:
        self._change(LeaseEvent.LAPSED)

    def lost(self) -> None:
        self._change(LeaseEvent.LOST)

    def stopped(self) -> None:
        self._change(LeaseEvent.STOPPED)
        self.epoch = self.deadline = None
