"""Routing: every strategy, fair order across queues, priority, ring_all, skills, callbacks."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from ivr.acd.counselor_states import Counselor, CounselorState, PauseReason
from ivr.acd.routing import (
    WEIGHT_SECONDS,
    Admission,
    Assignment,
    QueueConfig,
    Strategy,
    WaitingCaller,
    accepts_callback,
    admit,
    callback_capacity,
    fair_order,
    next_assignment,
    overflowing,
    position,
)

S = CounselorState
GENERAL = QueueConfig("general")
NOW = 1000.0


def counselor(cid: str, idle: float = 0.0, skills: dict[str, int] | None = None, **kw: Any) -> Counselor:
    """An available counselor (unless kw says otherwise) whose last call ended at `idle`."""
    fields: dict[str, Any] = {"state": S.AVAILABLE, "since": 0.0, "logged_in_at": 0.0, **kw}
    if fields["state"] in (S.RESERVED, S.ON_CALL, S.WRAP_UP):
        fields.setdefault("call_id", f"call-of-{cid}")
    if fields["state"] is S.WRAP_UP:
        fields.setdefault("wrap_up_until", NOW + 30)
    if fields["state"] is S.PAUSED:
        fields.setdefault("pause_reason", PauseReason.BREAK)
    return Counselor(cid, skills=skills or {"general": 1}, last_call_ended_at=idle, **fields)


def caller(cid: str, at: float = 0.0, queue: str = "general", **kw: Any) -> WaitingCaller:
    return WaitingCaller(cid, queue, at, **kw)


def pairs(assignments: list[Assignment]) -> list[tuple[str, str]]:
    return [(a.caller.call_id, a.counselor.id) for a in assignments]


STRATEGY_COUNSELORS = [
    counselor("a", idle=50, calls_taken=5, last_offered_at=30, skills={"general": 1}),
    counselor("b", idle=10, calls_taken=7, last_offered_at=40, skills={"general": 2}),
    counselor("c", idle=30, calls_taken=1, last_offered_at=20, skills={"general": 3}),
]


@pytest.mark.parametrize(
    ("strategy", "waited", "expected"),
    [
        (Strategy.LONGEST_IDLE, 0, [("k1", "b"), ("k2", "c"), ("k3", "a")]),
        (Strategy.ROUND_ROBIN, 0, [("k1", "c"), ("k2", "a"), ("k3", "b")]),
        (Strategy.FEWEST_CALLS, 0, [("k1", "c"), ("k2", "a"), ("k3", "b")]),
        (Strategy.RING_ALL, 0, [("k1", "b"), ("k1", "c"), ("k1", "a")]),
        (Strategy.SKILLS, 0, [("k1", "a")]),  # only level 1 before widening
        (Strategy.SKILLS, 30, [("k1", "a"), ("k2", "b"), ("k3", "c")]),  # then by level
    ],
)
def test_given_a_strategy_when_three_callers_wait_then_counselors_are_taken_in_its_order(
    strategy: Strategy, waited: float, expected: list[tuple[str, str]]
) -> None:
    queue = QueueConfig("general", strategy=strategy, widen_after_seconds=30)
    callers = [caller(f"k{i}", at=NOW - waited - 10 + i) for i in (1, 2, 3)]  # waited 7..9 s more
    got = next_assignment([queue], callers, STRATEGY_COUNSELORS, NOW)
    assert pairs(got) == expected


def test_given_round_robin_when_never_offered_then_config_order_first() -> None:
    queue = QueueConfig("general", strategy=Strategy.ROUND_ROBIN)
    crew = [counselor("x", last_offered_at=5), counselor("y"), counselor("z")]
    assert pairs(next_assignment([queue], [caller("k1")], crew, NOW)) == [("k1", "y")]


@pytest.mark.parametrize(
    ("waited", "expected"),
    [(0, []), (29.9, []), (30, [("k1", "lv2")]), (500, [("k1", "lv2")])],
)
def test_given_skills_when_level_one_is_busy_then_others_only_after_widening(
    waited: float, expected: list[tuple[str, str]]
) -> None:
    queue = QueueConfig("tax", strategy=Strategy.SKILLS, widen_after_seconds=30)
    crew = [
        counselor("lv1", skills={"tax": 1}, state=S.ON_CALL),
        counselor("lv3", idle=0, skills={"tax": 3}),
        counselor("lv2", idle=900, skills={"tax": 2}),
        counselor("other", skills={"general": 1}),
    ]
    got = next_assignment([queue], [caller("k1", at=NOW - waited, queue="tax")], crew, NOW)
    assert pairs(got) == expected


@pytest.mark.parametrize(
    ("weight_a", "weight_b", "b_at", "first"),
    [
        (0, 0, 10, "a1"),  # same weight: who came first
        (0, 0, -1, "b1"),
        (0, 2, 100, "b1"),  # 2 points = 120 s head start: 100 - 120 < 0
        (0, 2, 120, "a1"),  # 120 - 120 == 0: a tie, earlier entered_at wins
        (0, 2, 150, "a1"),  # 150 - 120 > 0
        (3, 1, -100, "a1"),  # 0 - 180 < -100 - 60
        (3, 1, -121, "b1"),
    ],
)
def test_given_two_queues_and_one_shared_counselor_then_the_weighted_longest_wait_is_served(
    weight_a: int, weight_b: int, b_at: float, first: str
) -> None:
    queues = [QueueConfig("a", weight=weight_a), QueueConfig("b", weight=weight_b)]
    waiting = [caller("a1", at=0, queue="a"), caller("b1", at=b_at, queue="b")]
    crew = [counselor("x", skills={"a": 1, "b": 1})]
    assert pairs(next_assignment(queues, waiting, crew, NOW)) == [(first, "x")]
    assert fair_order(waiting, queues, crew)[0].call_id == first


def test_given_the_weight_formula_then_one_point_is_one_minute() -> None:
    assert WEIGHT_SECONDS == 60.0


@pytest.mark.parametrize(
    ("waiting", "first"),
    [
        ([caller("old", at=0), caller("vip", at=900, priority=True)], "vip"),
        ([caller("old", at=0, queue="b"), caller("vip", at=900, priority=True)], "vip"),  # b weighs 10
        ([caller("v2", at=50, priority=True), caller("v1", at=40, priority=True)], "v1"),
    ],
)
def test_given_a_priority_caller_then_they_go_first(waiting: list[WaitingCaller], first: str) -> None:
    queues = [GENERAL, QueueConfig("b", weight=10)]
    crew = [counselor("x", skills={"general": 1, "b": 1})]
    assert pairs(next_assignment(queues, waiting, crew, NOW)) == [(first, "x")]


def test_given_equal_entry_times_then_call_id_breaks_the_tie_whatever_the_input_order() -> None:
    waiting = [caller("k3", at=5), caller("k1", at=5), caller("k2", at=5)]
    crew = [counselor("y", idle=7), counselor("x", idle=7)]  # equal idle: config order
    for seed in range(5):
        shuffled = random.Random(seed).sample(waiting, len(waiting))
        assert pairs(next_assignment([GENERAL], shuffled, crew, NOW)) == [("k1", "y"), ("k2", "x")]


@pytest.mark.parametrize(
    "busy",
    [
        {"state": S.PAUSED, "pause_reason": PauseReason.MEAL},
        {"state": S.LOGGED_OUT},
        {"state": S.ON_CALL, "call_id": "other"},
        {"state": S.WRAP_UP, "wrap_up_until": 2000.0},
        {"state": S.RESERVED, "call_id": "other"},
        {"reachable": False},
    ],
    ids=lambda b: "-".join(str(v) for v in b.values()),
)
def test_given_a_counselor_who_is_not_offerable_then_never_offered(busy: dict[str, object]) -> None:
    crew = [counselor("busy", idle=0, **busy), counselor("free", idle=500)]
    assert pairs(next_assignment([GENERAL], [caller("k1"), caller("k2", at=1)], crew, NOW)) == [
        ("k1", "free")
    ]


def test_given_more_callers_than_counselors_then_each_counselor_once_and_each_caller_once() -> None:
    crew = [counselor(f"c{i}", idle=i) for i in range(3)]
    got = next_assignment([GENERAL], [caller(f"k{i}", at=i) for i in range(5)], crew, NOW)
    assert pairs(got) == [("k0", "c0"), ("k1", "c1"), ("k2", "c2")]


def test_given_a_caller_already_ringing_a_counselor_then_not_offered_again() -> None:
    crew = [counselor("ringing", state=S.RESERVED, call_id="k1"), counselor("free")]
    got = next_assignment([GENERAL], [caller("k1", at=0), caller("k2", at=5)], crew, NOW)
    assert pairs(got) == [("k2", "free")]


def test_given_a_shared_counselor_longer_idle_then_an_earlier_caller_moves_so_both_are_served() -> None:
    queues = [QueueConfig("a"), QueueConfig("b")]
    crew = [
        counselor("shared", idle=0, skills={"a": 1, "b": 1}),
        counselor("a-only", idle=500, skills={"a": 1}),
    ]
    waiting = [caller("a1", at=0, queue="a"), caller("b1", at=10, queue="b")]
    assert pairs(next_assignment(queues, waiting, crew, NOW)) == [("a1", "a-only"), ("b1", "shared")]


def test_given_a_counselor_who_missed_this_caller_then_others_are_tried_first() -> None:
    crew = [counselor("missed", idle=0), counselor("next", idle=100)]
    declined = caller("k1", declined_by=frozenset({"missed"}))
    assert pairs(next_assignment([GENERAL], [declined], crew, NOW)) == [("k1", "next")]
    assert pairs(next_assignment([GENERAL], [declined], crew[:1], NOW)) == [("k1", "missed")]


def test_given_a_caller_needing_a_language_then_only_counselors_speaking_it() -> None:
    crew = [counselor("ko", idle=0), counselor("vi", idle=50, languages=frozenset({"ko", "vi"}))]
    waiting = [caller("k1", at=0, language="vi"), caller("k2", at=1)]
    assert pairs(next_assignment([GENERAL], waiting, crew, NOW)) == [("k1", "vi"), ("k2", "ko")]


RING = QueueConfig("ring", strategy=Strategy.RING_ALL)


def test_given_ring_all_then_one_caller_rings_every_free_member_and_only_that_caller() -> None:
    crew = [counselor(f"c{i}", idle=i, skills={"ring": 1}) for i in range(3)]
    got = next_assignment([RING], [caller("k1", queue="ring"), caller("k2", at=1, queue="ring")], crew, NOW)
    assert pairs(got) == [("k1", "c0"), ("k1", "c1"), ("k1", "c2")]


def test_given_ring_all_already_ringing_then_no_second_caller_of_that_queue_rings() -> None:
    crew = [
        counselor("c0", skills={"ring": 1}, state=S.RESERVED, call_id="k1"),
        counselor("c1", skills={"ring": 1}),
    ]
    waiting = [caller("k1", queue="ring"), caller("k2", at=1, queue="ring")]
    assert next_assignment([RING], waiting, crew, NOW) == []


def test_given_ring_all_after_an_earlier_caller_of_another_queue_then_only_the_rest_ring() -> None:
    crew = [
        counselor("both", idle=0, skills={"ring": 1, "general": 1}),
        counselor("r", idle=9, skills={"ring": 1}),
    ]
    waiting = [caller("g1", at=0), caller("r1", at=5, queue="ring")]
    assert pairs(next_assignment([GENERAL, RING], waiting, crew, NOW)) == [("g1", "both"), ("r1", "r")]


@pytest.mark.parametrize(
    ("working", "paused", "callbacks", "live", "order", "accepts"),
    [
        (2, 0, [0], [5], ["cb0", "live5"], True),  # a callback keeps its place ahead of a later caller
        (2, 0, [10], [5], ["live5", "cb10"], True),  # and does not jump ahead of an earlier one
        (2, 0, [0, 1], [5], ["cb0", "cb1", "live5"], False),
        (2, 0, [0, 1, 2], [5], ["cb0", "cb1", "live5", "cb2"], False),  # the third waits behind live callers
        (1, 1, [0, 1], [5], ["cb0", "live5", "cb1"], False),  # a counselor went on break: capacity 1
        (0, 2, [0], [5], ["live5", "cb0"], False),
        (3, 0, [0, 1, 2], [5, 6], ["cb0", "cb1", "cb2", "live5", "live6"], False),
    ],
)
def test_given_callbacks_then_they_keep_their_place_but_never_outnumber_the_working_counselors(
    working: int, paused: int, callbacks: list[float], live: list[float], order: list[str], accepts: bool
) -> None:
    crew = [counselor(f"w{i}", state=S.ON_CALL) for i in range(working)]
    crew += [counselor(f"p{i}", state=S.PAUSED, pause_reason=PauseReason.BREAK) for i in range(paused)]
    waiting = [caller(f"cb{t:g}", at=t, callback=True) for t in callbacks]
    waiting += [caller(f"live{t:g}", at=t) for t in live]
    assert [w.call_id for w in fair_order(waiting, [GENERAL], crew)] == order
    assert [position(w, waiting, [GENERAL], crew) for w in waiting] == [
        order.index(w.call_id) + 1 for w in waiting
    ]
    assert callback_capacity(GENERAL, crew) == working
    assert accepts_callback(GENERAL, waiting, crew) is accepts
    ahead_of_first_live = order.index(f"live{live[0]:g}")
    assert ahead_of_first_live <= working  # the rule itself


def test_given_a_callback_whose_turn_comes_then_it_is_offered_like_any_caller() -> None:
    waiting = [caller("cb", at=0, callback=True), caller("live", at=5)]
    assert pairs(next_assignment([GENERAL], waiting, [counselor("x")], NOW)) == [("cb", "x")]


def test_given_two_queues_then_position_counts_only_the_callers_own_queue() -> None:
    queues = [QueueConfig("a"), QueueConfig("b", weight=5)]
    waiting = [caller("b1", at=0, queue="b"), caller("a1", at=1, queue="a"), caller("a2", at=2, queue="a")]
    crew = [counselor("x", skills={"a": 1, "b": 1})]
    assert [position(w, waiting, queues, crew) for w in waiting] == [1, 1, 2]
    with pytest.raises(ValueError, match="not waiting"):
        position(caller("gone", queue="a"), waiting, queues, crew)


@pytest.mark.parametrize(
    ("crew", "waiting", "expected"),
    [
        ([], [], Admission.CLOSED),
        ([counselor("x", state=S.LOGGED_OUT)], [], Admission.CLOSED),
        ([counselor("x", skills={"tax": 1})], [], Admission.CLOSED),  # not a member
        ([counselor("x", state=S.PAUSED, pause_reason=PauseReason.MEAL)], [], Admission.ADMITTED),
        ([counselor("x")], [caller("k1"), caller("k2")], Admission.FULL),
        ([counselor("x")], [caller("k1"), caller("k2", callback=True)], Admission.ADMITTED),
    ],
)
def test_given_a_new_caller_then_admitted_full_or_closed(
    crew: list[Counselor], waiting: list[WaitingCaller], expected: Admission
) -> None:
    assert admit(QueueConfig("general", max_waiting=2), waiting, crew) is expected


def test_given_max_wait_then_live_callers_overflow_and_callbacks_keep_waiting() -> None:
    queues = [QueueConfig("general", max_wait_seconds=60), QueueConfig("open")]
    waiting = [
        caller("late", at=NOW - 60),
        caller("early", at=NOW - 59),
        caller("cb", at=NOW - 600, callback=True),
        caller("free", at=NOW - 600, queue="open"),
    ]
    assert [w.call_id for w in overflowing(queues, waiting, NOW)] == ["late"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: QueueConfig(""),
        lambda: QueueConfig("q", weight=-1),
        lambda: QueueConfig("q", max_wait_seconds=0),
        lambda: QueueConfig("q", max_waiting=0),
        lambda: next_assignment([GENERAL], [caller("k", queue="nope")], [], NOW),
        lambda: next_assignment([GENERAL], [caller("k"), caller("k")], [], NOW),
        lambda: next_assignment([GENERAL], [], [counselor("x"), counselor("x")], NOW),
        lambda: next_assignment([GENERAL, GENERAL], [], [], NOW),
    ],
)
def test_given_inconsistent_input_then_a_value_error_says_what(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()


def random_world(rng: random.Random) -> tuple[list[QueueConfig], list[WaitingCaller], list[Counselor]]:
    queues = [QueueConfig(n, strategy=rng.choice(list(Strategy)), weight=rng.randint(0, 3)) for n in "abc"]
    crew = []
    for i in range(rng.randint(1, 11)):
        state = rng.choice([S.AVAILABLE, S.AVAILABLE, S.AVAILABLE, S.ON_CALL, S.RESERVED, S.PAUSED])
        skills = {q: rng.randint(1, 3) for q in rng.sample("abc", rng.randint(1, 3))}
        call_id = f"k{i}" if state in (S.RESERVED, S.ON_CALL) else None
        crew.append(counselor(f"c{i}", idle=rng.uniform(0, 900), skills=skills, state=state, call_id=call_id))
    waiting = [
        caller(f"k{i}", at=rng.uniform(0, 999), queue=rng.choice("abc"), priority=rng.random() < 0.1)
        for i in range(rng.randint(0, 30))
    ]
    return queues, waiting, crew


@pytest.mark.parametrize("seed", range(300))
def test_given_any_world_then_no_double_offers_and_no_idle_counselor_beside_a_caller_they_could_take(
    seed: int,
) -> None:
    queues, waiting, crew = random_world(random.Random(seed))
    got = next_assignment(queues, waiting, crew, NOW)
    by_queue = {q.name: q for q in queues}
    ringing = {c.call_id for c in crew if c.state is S.RESERVED}
    offered = [a.counselor.id for a in got]
    assert len(offered) == len(set(offered))
    for a in got:
        queue = by_queue[a.caller.queue]
        assert a.counselor.is_offerable(NOW) and queue.name in a.counselor.skills
        assert a.caller.call_id not in ringing
        if queue.strategy is not Strategy.RING_ALL:
            assert [b.caller.call_id for b in got].count(a.caller.call_id) == 1
    ring_callers = {
        (a.caller.queue, a.caller.call_id)
        for a in got
        if by_queue[a.caller.queue].strategy is Strategy.RING_ALL
    }
    assert len(ring_callers) == len({q for q, _ in ring_callers})
    assert next_assignment(queues, list(reversed(waiting)), crew, NOW) == got  # input order does not matter
    # Work-conserving: a free counselor left over cannot take any caller left over.
    used = {a.counselor.id for a in got}
    served = {a.caller.call_id for a in got}
    for c in crew:
        if c.is_offerable(NOW) and c.id not in used:
            for w in waiting:
                queue = by_queue[w.queue]
                if w.call_id in served or w.call_id in ringing or queue.strategy is Strategy.RING_ALL:
                    continue
                level = c.skills.get(queue.name)
                widened = (
                    queue.strategy is not Strategy.SKILLS or NOW - w.entered_at >= queue.widen_after_seconds
                )
                assert level is None or (level > 1 and not widened), (c.id, w.call_id)


def can_all_be_served(callers: list[str], options: dict[str, set[str]]) -> bool:
    """Independent check (Kuhn's matching): can every one of `callers` get a counselor?"""
    match: dict[str, str] = {}

    def take(cid: str, seen: set[str]) -> bool:
        for k in sorted(options[cid] - seen):
            seen.add(k)
            if k not in match or take(match[k], seen):
                match[k] = cid
                return True
        return False

    return all(take(cid, set()) for cid in callers)


@pytest.mark.parametrize("seed", range(200))
def test_given_any_world_without_ring_all_then_the_earliest_callers_who_can_be_served_together_are(
    seed: int,
) -> None:
    rng = random.Random(seed)
    strategies = [s for s in Strategy if s is not Strategy.RING_ALL]
    queues = [QueueConfig(n, strategy=rng.choice(strategies), weight=rng.randint(0, 3)) for n in "abc"]
    crew = [
        counselor(
            f"c{i}", idle=rng.uniform(0, 900), skills={q: 1 for q in rng.sample("abc", rng.randint(1, 3))}
        )
        for i in range(rng.randint(1, 6))
    ]
    waiting = [
        caller(f"k{i}", at=rng.uniform(0, 999), queue=rng.choice("abc")) for i in range(rng.randint(0, 8))
    ]
    options = {w.call_id: {c.id for c in crew if w.queue in c.skills} for w in waiting}
    expected: list[str] = []  # walk the fair order; keep whoever can still be served with those kept
    for w in fair_order(waiting, queues, crew):
        if can_all_be_served([*expected, w.call_id], options):
            expected.append(w.call_id)
    assert [a.caller.call_id for a in next_assignment(queues, waiting, crew, NOW)] == expected
