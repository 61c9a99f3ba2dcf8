"""The dispatcher's deadlines: counselors whose wrap-up ends at the same moment are
offered the longest-waiting callers, one each, from one matching of the whole line."""

from __future__ import annotations

import asyncio

from ivr.acd.counselor_model import Counselor, CounselorRules, CounselorState
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.routing import QueueConfig


class Clock:
    t = 1000.0

    def __call__(self) -> float:
        return self.t


def wrapping_up(cid: str, until: float, ended: float) -> Counselor:
    return Counselor(
        cid,
        skills={"general": 1},
        state=CounselorState.WRAP_UP,
        since=ended,
        call_id=f"before-{cid}",
        wrap_up_until=until,
        last_call_ended_at=ended,
        logged_in_at=0.0,
    )


def test_wrap_ups_ending_together_offer_the_longest_waiting_callers_one_each() -> None:
    async def scenario() -> tuple[dict[str, str | None], list[CounselorState]]:
        clock = Clock()
        clock.t = 1030.0  # both wrap-ups end now: the timer fires as soon as the loop runs
        # c2 has been idle longest (its last call ended first): the first caller is its.
        crew = [wrapping_up("c1", 1030.0, 1000.0), wrapping_up("c2", 1030.0, 990.0)]
        acd = Dispatcher(crew, [QueueConfig("general")], CounselorRules(wrap_up_seconds=30), clock)
        callers = [f"k{i}" for i in range(300)]  # a surge's line: far more callers than counselors
        for i, call_id in enumerate(callers):
            acd.enter(call_id, "general", entered_at=900.0 + i)
        asks = {c: asyncio.ensure_future(acd.next_offer(c, 5.0)) for c in callers}
        done, _ = await asyncio.wait([asks["k0"], asks["k1"]], timeout=5.0)
        assert len(done) == 2, "the freed counselors were not offered within 5 s"
        offered = {c: (t.result() if t.done() else None) for c, t in asks.items()}
        for t in asks.values():
            t.cancel()
        return offered, [acd.state(c) for c in ("c1", "c2")]

    offered, states = asyncio.run(scenario())
    assert offered["k0"] == "c2"  # the longest waiter to the longest idle
    assert offered["k1"] == "c1"
    assert [c for c, who in offered.items() if who] == ["k0", "k1"]  # nobody else rings
    assert states == [CounselorState.RESERVED, CounselorState.RESERVED]
