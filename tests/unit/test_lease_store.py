"""The standby lease on PostgreSQL: who may take it, renew it, and the fence that refuses a
write carrying an old epoch (the session's throw-away cluster, tests/pg_cluster.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ivr.ports import CallFacts, QueueEvent, QueueLogEntry
from ivr.runtime.lease import FencedOut
from ivr.runtime.standby import Holder
from ivr.store.calls import SqliteCallRecords
from ivr.store.lease import PgLease, fence
from tests.pg_cluster import Cluster

DESK_A, DESK_B = "http://10.0.0.1:8080", "http://10.0.0.2:8080"


@pytest.fixture
def url(pg_cluster: Cluster) -> str:
    return pg_cluster.fresh()


async def test_the_lease_is_taken_once_renewed_by_its_holder_and_taken_again_after_release(url: str) -> None:
    a, b = PgLease(url, 3.0), PgLease(url, 3.0)
    try:
        assert await a.take("a", DESK_A, 3.0) == 1
        assert await b.take("b", DESK_B, 3.0) is None  # live: nobody else takes it
        assert await b.holder() == Holder("a", 1, DESK_A, True)
        assert await a.renew("a", 1, 3.0)
        assert not await b.renew("b", 1, 3.0)  # not b's
        assert not await a.renew("a", 2, 3.0)  # not that epoch
        await a.release("a", 1)
        assert await b.take("b", DESK_B, 3.0) == 2
        assert not await a.renew("a", 1, 3.0)  # the old holder finds out at its next renewal
        assert await a.holder() == Holder("b", 2, DESK_B, True)
    finally:
        a.close()
        b.close()


async def test_a_lapsed_lease_is_taken_under_the_next_epoch_and_cannot_be_renewed(url: str) -> None:
    a, b = PgLease(url, 3.0), PgLease(url, 3.0)
    try:
        # Renewed for -1 s: lapsed by the server's clock, as if a's renewals stopped long ago.
        assert await a.take("a", DESK_A, -1.0) == 1
        assert not await a.renew("a", 1, 3.0)  # too late: a must have stepped down already
        assert (await b.holder()) == Holder("a", 1, DESK_A, False)
        assert await b.take("b", DESK_B, 3.0) == 2
    finally:
        a.close()
        b.close()


def _facts(call_id: str) -> CallFacts:
    return CallFacts(call_id=call_id, caller="01012345678", dialed="2221000", started_at=datetime.now(UTC))


def _entry(call_id: str) -> QueueLogEntry:
    return QueueLogEntry(call_id=call_id, queue="general", event=QueueEvent.ENTERED, position=1)


async def test_a_write_with_an_old_epoch_is_refused_and_nothing_of_it_is_written(url: str) -> None:
    a, b = PgLease(url, 3.0), PgLease(url, 3.0)
    old = SqliteCallRecords(url)
    new = SqliteCallRecords(url)
    try:
        epoch = await a.take("a", DESK_A, -1.0)
        assert epoch == 1
        told: list[FencedOut] = []
        old.db.fence = fence(epoch, told.append)
        old.start()
        await old.queue_log(datetime.now(UTC), _entry("before"))  # a's epoch: written
        await old.db.run(lambda db: None)  # behind it
        assert await b.take("b", DESK_B, 3.0) == 2
        new.db.fence = fence(2)
        new.start()
        await old.queue_log(datetime.now(UTC), _entry("stale"))  # written behind: refused there
        with pytest.raises(FencedOut) as refused:
            await old.opened(_facts("stale"))  # a write waited for: refused to its face
        assert str(refused.value) == (
            "write refused: this service's lease (epoch 1) is over (epoch 2, held by b); "
            "another service took over and this one must not change calls any more"
        )
        # The service is told of both, to step down at once.
        assert [str(t) for t in told] == [str(refused.value)] * 2 and told[1] is refused.value
        await new.queue_log(datetime.now(UTC), _entry("after"))
        rows = await new.db.run(lambda db: [r["call_id"] for r in db.query("SELECT call_id FROM queue_log")])
        assert rows == ["before", "after"]
    finally:
        old.close()
        new.close()
        a.close()
        b.close()


async def test_with_no_lease_row_at_all_a_fenced_write_is_refused(url: str) -> None:
    records = SqliteCallRecords(url)
    records.db.fence = fence(1)
    try:
        PgLease(url, 3.0).close()
        lease = PgLease(url, 3.0)
        await lease.holder()  # makes the table, leaves no row
        lease.close()
        records.start()
        with pytest.raises(FencedOut, match=r"epoch 1.*no lease at all"):
            await records.opened(_facts("x"))
    finally:
        records.close()
