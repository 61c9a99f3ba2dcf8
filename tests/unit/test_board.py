"""The wallboard's view of the live queue, and being told when it changes."""

from __future__ import annotations

from ivr.acd.counselor_model import Counselor, CounselorRules, Event, PauseReason
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.routing import QueueConfig


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def make() -> tuple[Dispatcher, Clock, list[int]]:
    clock = Clock()
    acd = Dispatcher(
        [Counselor("c1", skills={"general": 1}), Counselor("c2", skills={"general": 1, "tax": 1})],
        [QueueConfig("general"), QueueConfig("tax")],
        CounselorRules(wrap_up_seconds=0, ring_timeout_seconds=60),
        clock,
    )
    seen: list[int] = []
    acd.subscribe(lambda: seen.append(1))
    return acd, clock, seen


def test_board_shows_time_in_state_and_pause_reasons() -> None:
    acd, clock, _ = make()
    acd.apply("c1", Event.login())
    clock.t += 42
    acd.apply("c2", Event.login())
    acd.apply("c2", Event.pause(PauseReason.MEAL))
    clock.t += 8

    board = acd.board()
    c1, c2 = board.counselors
    assert (c1.state, c1.seconds_in_state, c1.pause_reason) == ("available", 50.0, None)
    assert (c2.state, c2.seconds_in_state, c2.pause_reason) == ("paused", 8.0, "meal")
    assert [(q.name, q.working) for q in board.queues] == [("general", 1), ("tax", 0)]


def test_missed_calls_and_unreachable_phones_raise_alerts() -> None:
    acd, _, _ = make()
    acd.login_all()
    acd.apply("c1", Event.pause(PauseReason.MISSED_CALLS))
    acd.set_reachable("c2", False)
    alerts = {c.id: c.alert for c in acd.board().counselors}
    assert alerts == {"c1": "missed_calls", "c2": "unreachable"}


def test_waiting_callers_and_longest_wait_per_queue() -> None:
    acd, clock, _ = make()
    acd.apply("c2", Event.login())  # tax has a worker; general has c2 too
    acd.apply("c2", Event.pause(PauseReason.BREAK))
    acd.apply("c1", Event.login())
    acd.apply("c1", Event.pause(PauseReason.BREAK))
    acd.apply("c1", Event.unpause())
    acd.apply("c1", Event.offer("x"))  # c1 busy ringing someone else: nobody free
    acd.enter("call-1", "general")
    clock.t += 30
    acd.enter("call-2", "general")
    clock.t += 5
    board = acd.board()
    general = board.queues[0]
    assert (general.waiting, general.longest_wait_seconds) == (2, 35.0)
    assert (board.waiting, board.longest_wait_seconds) == (2, 35.0)
    acd.leave("call-1")
    assert acd.board().queues[0].longest_wait_seconds == 5.0


def test_listeners_hear_every_change_and_a_broken_one_stops_nothing() -> None:
    acd, _, seen = make()

    def broken() -> None:
        raise RuntimeError("socket closed")

    acd.subscribe(broken)
    acd.apply("c1", Event.login())
    acd.apply("c1", Event.pause(PauseReason.BREAK))
    assert len(seen) == 2
    unsubscribe = acd.subscribe(lambda: seen.append(2))
    unsubscribe()
    acd.apply("c1", Event.unpause())
    assert seen == [1, 1, 1]
