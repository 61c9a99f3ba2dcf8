"""The standby lease's rules: one table for every role and event, and a holder that always
stops before the other service can take the lease (fake clock, fake store)."""

from __future__ import annotations

import itertools

import pytest

from ivr import config
from ivr.errors import ConfigError, StoreError
from ivr.runtime.lease import (
    TRANSITIONS,
    IllegalLeaseTransition,
    Lease,
    LeaseEvent,
    LeaseTimes,
    Role,
    next_role,
)
from ivr.runtime.standby import Holder, LeaseKeeper

TIMES = LeaseTimes(3.0)


@pytest.mark.parametrize(("role", "event"), list(itertools.product(Role, LeaseEvent)))
def test_every_role_and_event_goes_where_the_table_says_or_is_refused(role: Role, event: LeaseEvent) -> None:
    if (role, event) in TRANSITIONS:
        assert next_role(role, event) is TRANSITIONS[(role, event)]
    else:
        with pytest.raises(IllegalLeaseTransition, match=f"from {role} on {event}"):
            next_role(role, event)


def test_a_standby_may_only_take_and_an_active_only_renew_or_step_down() -> None:
    assert {e for (r, e) in TRANSITIONS if r is Role.STANDBY} == {LeaseEvent.TAKEN}
    assert {e for (r, e) in TRANSITIONS if r is Role.ACTIVE} == {
        LeaseEvent.RENEWED,
        LeaseEvent.LAPSED,
        LeaseEvent.LOST,
    }
    assert {e for (r, e) in TRANSITIONS if r is Role.STEPPING_DOWN} == {LeaseEvent.STOPPED}


@pytest.mark.parametrize("seconds", [1.0, 3.0, 10.0, 60.0])
def test_the_holder_gives_up_before_the_lease_lapses_after_trying_to_renew_twice(seconds: float) -> None:
    times = LeaseTimes(seconds)
    assert times.step_down_after < seconds
    assert 2 * times.renew_every < times.step_down_after
    assert times.poll_every <= times.renew_every


def test_the_deadline_counts_from_when_the_renewal_was_sent() -> None:
    lease = Lease(TIMES)
    lease.taken(epoch=4, sent_at=100.0)
    assert (lease.role, lease.epoch, lease.deadline) == (Role.ACTIVE, 4, 101.8)
    lease.renewed(sent_at=100.75)
    assert lease.deadline == pytest.approx(102.55)
    assert not lease.overdue(102.5) and lease.overdue(102.55)
    lease.lapsed()
    assert not lease.overdue(200.0)  # stepping down already
    lease.stopped()
    assert (lease.role, lease.epoch, lease.deadline) == (Role.STANDBY, None, None)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeLeaseRow:
    """The lease's row with the store's expiry rules, on the shared fake clock; a holder's line
    to it can be cut (every request fails), and a request can take time on the way."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.row: tuple[str, int, str, float] | None = None  # holder, epoch, desk, expires at
        self.cut: set[str] = set()
        self.taken_at: list[tuple[str, float]] = []
        self.trip = 0.0

    def _reach(self, holder: str) -> None:
        if holder in self.cut:
            raise StoreError(f"{holder}: the database cannot be reached")
        self.clock.now += self.trip

    async def take(self, holder: str, desk: str, seconds: float) -> int | None:
        self._reach(holder)
        if self.row is not None and self.row[3] >= self.clock.now:
            return None
        epoch = 1 if self.row is None else self.row[1] + 1
        self.row = (holder, epoch, desk, self.clock.now + seconds)
        self.taken_at.append((holder, self.clock.now))
        return epoch

    async def renew(self, holder: str, epoch: int, seconds: float) -> bool:
        self._reach(holder)
        if self.row is None or self.row[:2] != (holder, epoch) or self.row[3] < self.clock.now:
            return False
        self.row = (holder, epoch, self.row[2], self.clock.now + seconds)
        return True

    async def release(self, holder: str, epoch: int) -> None:
        if self.row is not None and self.row[:2] == (holder, epoch):
            self.row = (*self.row[:3], self.clock.now - 1)

    async def holder(self) -> Holder | None:
        if self.row is None:
            return None
        return Holder(self.row[0], self.row[1], self.row[2], self.row[3] >= self.clock.now)


def keeper(store: FakeLeaseRow, name: str) -> LeaseKeeper:
    return LeaseKeeper(store, name, f"http://{name}:8080", TIMES, store.clock, store.clock.sleep)


async def test_the_first_takes_the_free_lease_and_the_second_waits_polling() -> None:
    store = FakeLeaseRow(Clock())
    a, b = keeper(store, "a"), keeper(store, "b")
    assert await a.wait_active() == 1
    assert (a.role, a.epoch) == (Role.ACTIVE, 1)
    store.cut.add("a")  # a is gone without a word: its lease runs out on the store's clock
    assert await b.wait_active() == 2
    [(_, t_a), (_, t_b)] = store.taken_at
    assert 3.0 <= t_b - t_a <= 3.0 + TIMES.poll_every
    assert await store.holder() == Holder("b", 2, "http://b:8080", True)


@pytest.mark.parametrize("trip", [0.0, 0.2, 0.6])
async def test_a_holder_cut_off_steps_down_before_the_other_can_take_over(trip: float) -> None:
    store = FakeLeaseRow(Clock())
    store.trip = trip  # each request's round trip, the store's commit at its end
    a, b = keeper(store, "a"), keeper(store, "b")
    await a.wait_active()
    for _ in range(5):  # a while of renewals
        await store.clock.sleep(TIMES.renew_every)
        assert await store.renew("a", 1, 3.0)
    store.cut.add("a")
    await a.keep()
    assert a.role is Role.STEPPING_DOWN
    stepped_down = store.clock.now
    await b.wait_active()
    taken = store.taken_at[-1][1]
    assert stepped_down < taken, (stepped_down, taken)
    # The margin is the ARI connection's time to close: 40% of the lease, less the round trip.
    assert taken - stepped_down >= 0.4 * TIMES.lease_seconds - trip - 1e-9


async def test_a_renewal_refused_steps_down_at_once() -> None:
    store = FakeLeaseRow(Clock())
    a = keeper(store, "a")
    await a.wait_active()
    store.row = ("b", 2, "http://b:8080", 99.0)  # b took it (a's clock was stopped, say)
    started = store.clock.now
    await a.keep()
    assert a.role is Role.STEPPING_DOWN and store.clock.now == started
    a.stopped()
    assert (a.role, a.epoch) == (Role.STANDBY, None)


async def test_a_failing_renewal_is_tried_again_and_the_lease_kept_when_it_comes_back() -> None:
    store = FakeLeaseRow(Clock())
    a = keeper(store, "a")
    await a.wait_active()
    store.cut.add("a")

    async def heal(seconds: float) -> None:
        store.clock.now += seconds
        if store.clock.now >= 1.0:
            store.cut.discard("a")
        if store.clock.now >= 30.0:
            a.lease.lapsed()  # end of the test: leave keep()

    a._sleep = heal
    await a.keep()
    assert store.row is not None and store.row[:2] == ("a", 1)
    assert store.clock.now >= 30.0  # it kept the lease all along, one failed round aside


async def test_a_standby_asks_again_when_the_store_fails() -> None:
    store = FakeLeaseRow(Clock())
    b = keeper(store, "b")
    store.cut.add("b")

    async def heal(seconds: float) -> None:
        store.clock.now += seconds
        store.cut.discard("b")

    b._sleep = heal
    assert await b.wait_active() == 1
    assert store.clock.now == TIMES.poll_every


def test_the_standby_keys_are_checked_with_their_line() -> None:
    assert config.parse("").standby.lease_seconds == 3.0
    with pytest.raises(ConfigError) as err:
        config.parse("standby:\n  lease_seconds: 0.2\n  desk_url: hotline-a\n", "config.yaml")
    [short, url] = err.value.problems
    assert short.startswith("config.yaml:2: standby.lease_seconds: ") and "1" in short
    assert url.startswith("config.yaml:3: standby.desk_url: ")
