"""Counselor states: one table of legal moves, longest-idle first."""

from __future__ import annotations

import pytest

from ivr.acd.pool import Counselor, CounselorPool, CounselorState, IllegalTransition


def pool() -> CounselorPool:
    return CounselorPool([Counselor(f"c{i}", f"상담사{i}", f"p{i}") for i in (1, 2, 3)])


def test_given_all_idle_then_config_order() -> None:
    assert [c.id for c in pool().hunt_order()] == ["c1", "c2", "c3"]


def test_given_a_counselor_who_just_talked_then_they_go_last() -> None:
    p = pool()
    p.reserve("c1", "call-a")
    p.on_call("c1", "call-a")
    p.release("c1", now=100.0, talked=True)
    assert [c.id for c in p.hunt_order()] == ["c2", "c3", "c1"]


def test_given_a_missed_ring_then_the_counselor_keeps_their_place() -> None:
    p = pool()
    p.reserve("c1", "call-a")
    p.release("c1", now=100.0, talked=False)
    assert [c.id for c in p.hunt_order()] == ["c1", "c2", "c3"]


def test_given_reserved_or_on_call_then_not_offered() -> None:
    p = pool()
    p.reserve("c1", "call-a")
    p.reserve("c2", "call-b")
    p.on_call("c2", "call-b")
    assert [c.id for c in p.hunt_order()] == ["c3"]
    assert p.state("c2") is CounselorState.ON_CALL
    assert p.call_of("c2") == "call-b"


def test_given_exclusions_then_skipped() -> None:
    assert [c.id for c in pool().hunt_order(exclude={"c1"})] == ["c2", "c3"]


def test_given_on_call_when_reserved_again_then_illegal() -> None:
    p = pool()
    p.reserve("c1", "a")
    p.on_call("c1", "a")
    with pytest.raises(IllegalTransition, match="c1: on_call -> reserved"):
        p.reserve("c1", "b")


def test_given_available_when_released_then_nothing_changes() -> None:
    p = pool()
    p.release("c1", now=5.0, talked=True)
    assert p.state("c1") is CounselorState.AVAILABLE
    assert [c.id for c in p.hunt_order()] == ["c1", "c2", "c3"]
