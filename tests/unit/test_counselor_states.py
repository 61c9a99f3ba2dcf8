"""Counselor states: the table is the law, wrap-up is respected, pause reasons never vanish."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable

import pytest

from ivr.acd.counselor_states import (
    LEGAL,
    Counselor,
    CounselorRules,
    CounselorState,
    Event,
    EventKind,
    IllegalCounselorTransition,
    PauseReason,
    StateRecord,
    Transition,
    due_event,
    transition,
)

S = CounselorState
R = PauseReason
RULES = CounselorRules(
    wrap_up_seconds=30,
    wrap_up_extension_seconds=60,
    max_wrap_up_seconds=300,
    max_missed_offers=3,
    cooldown_seconds=300,
    ring_timeout_seconds=15,
)
REFUSED = "refused"

# How a counselor reaches each state, event by event, at these times.
SETUP: dict[CounselorState, list[tuple[Event, float]]] = {
    S.LOGGED_OUT: [],
    S.AVAILABLE: [(Event.login(), 0)],
    S.RESERVED: [(Event.login(), 0), (Event.offer("call-1"), 10)],
    S.ON_CALL: [(Event.login(), 0), (Event.offer("call-1"), 10), (Event.answer("call-1"), 12)],
    S.WRAP_UP: [(Event.login(), 0), (Event.offer("call-1"), 10), (Event.answer(), 12), (Event.hangup(), 100)],
    S.PAUSED: [(Event.login(), 0), (Event.pause(R.BREAK), 5)],
}

EXAMPLE: dict[EventKind, Event] = {
    EventKind.LOGIN: Event.login(),
    EventKind.LOGOUT: Event.logout(),
    EventKind.OFFER: Event.offer("call-2"),
    EventKind.ANSWER: Event.answer(),
    EventKind.REJECT_OR_NO_ANSWER: Event.reject_or_no_answer(),
    EventKind.CANCEL_OFFER: Event.cancel_offer(),
    EventKind.HANGUP: Event.hangup(),
    EventKind.WRAP_UP_DONE: Event.wrap_up_done(),
    EventKind.EXTEND_WRAP_UP: Event.extend_wrap_up(),
    EventKind.PAUSE: Event.pause(R.MEAL),
    EventKind.UNPAUSE: Event.unpause(),
    EventKind.READY: Event.ready(),
}

# The specification, written apart from the code's table: what a counselor with no
# pending request, no missed offers and every deadline passed ends up in.
EXPECTED: dict[tuple[CounselorState, EventKind], CounselorState | str] = {
    (S.LOGGED_OUT, EventKind.LOGIN): S.AVAILABLE,
    (S.AVAILABLE, EventKind.LOGOUT): S.LOGGED_OUT,
    (S.AVAILABLE, EventKind.OFFER): S.RESERVED,
    (S.AVAILABLE, EventKind.PAUSE): S.PAUSED,
    (S.RESERVED, EventKind.ANSWER): S.ON_CALL,
    (S.RESERVED, EventKind.REJECT_OR_NO_ANSWER): S.AVAILABLE,
    (S.RESERVED, EventKind.CANCEL_OFFER): S.AVAILABLE,
    (S.RESERVED, EventKind.PAUSE): S.RESERVED,
    (S.RESERVED, EventKind.LOGOUT): S.RESERVED,
    (S.RESERVED, EventKind.UNPAUSE): REFUSED,  # nothing pending to cancel
    (S.ON_CALL, EventKind.HANGUP): S.WRAP_UP,
    (S.ON_CALL, EventKind.PAUSE): S.ON_CALL,
    (S.ON_CALL, EventKind.LOGOUT): S.ON_CALL,
    (S.ON_CALL, EventKind.UNPAUSE): REFUSED,
    (S.WRAP_UP, EventKind.WRAP_UP_DONE): S.AVAILABLE,
    (S.WRAP_UP, EventKind.EXTEND_WRAP_UP): S.WRAP_UP,
    (S.WRAP_UP, EventKind.PAUSE): S.WRAP_UP,
    (S.WRAP_UP, EventKind.LOGOUT): S.WRAP_UP,
    (S.WRAP_UP, EventKind.UNPAUSE): REFUSED,
    (S.WRAP_UP, EventKind.READY): S.AVAILABLE,
    (S.PAUSED, EventKind.PAUSE): S.PAUSED,
    (S.PAUSED, EventKind.UNPAUSE): S.AVAILABLE,
    (S.PAUSED, EventKind.LOGOUT): S.LOGGED_OUT,
}

ALL_PAIRS = list(itertools.product(CounselorState, EventKind))
LATE = 1000.0  # every deadline of SETUP has passed


def counselor() -> Counselor:
    return Counselor("c1", skills={"general": 1})


def run(
    steps: list[tuple[Event, float]], start: Counselor | None = None, rules: CounselorRules = RULES
) -> tuple[Counselor, list[StateRecord], list[str]]:
    """Apply steps in order; return the counselor, every record and every refusal."""
    c = start or counselor()
    records: list[StateRecord] = []
    refusals: list[str] = []
    for event, at in steps:
        t = transition(c, event, at, rules)
        c = t.counselor
        records.extend(t.records)
        if t.refused:
            refusals.append(t.refused)
    return c, records, refusals


def in_state(state: CounselorState) -> Counselor:
    c, _, refusals = run(SETUP[state])
    assert c.state is state and refusals == []
    return c


def test_given_the_spec_then_the_code_table_has_exactly_the_same_legal_pairs() -> None:
    assert set(EXPECTED) == set(LEGAL)
    for pair, expected in EXPECTED.items():
        assert expected == REFUSED or expected in LEGAL[pair], pair


@pytest.mark.parametrize(("state", "kind"), ALL_PAIRS, ids=lambda v: v.value)
def test_given_every_state_when_every_event_then_as_the_table_says(
    state: CounselorState, kind: EventKind
) -> None:
    c = in_state(state)
    event = EXAMPLE[kind]
    if (state, kind) not in LEGAL:
        with pytest.raises(IllegalCounselorTransition) as err:
            transition(c, event, LATE, RULES)
        assert (err.value.counselor_id, err.value.from_state, err.value.event) == ("c1", state, event)
        assert f"counselor c1: {state.value} -> {err.value.to_state.value} on {event}" in str(err.value)
        return
    t = transition(c, event, LATE, RULES)
    if EXPECTED[(state, kind)] == REFUSED:
        assert t.refused and t.records == () and t.counselor == c
        return
    assert t.refused is None
    assert [(r.counselor_id, r.from_state, r.to_state, r.event, r.at) for r in t.records] == [
        ("c1", state, EXPECTED[(state, kind)], str(event), LATE)
    ]
    assert t.counselor.state is EXPECTED[(state, kind)]


@pytest.mark.parametrize(
    ("state", "event", "to"),
    [
        (S.LOGGED_OUT, Event.offer("x"), S.RESERVED),
        (S.AVAILABLE, Event.login(), S.AVAILABLE),
        (S.PAUSED, Event.offer("x"), S.RESERVED),
        (S.ON_CALL, Event.answer(), S.ON_CALL),
        (S.WRAP_UP, Event.offer("x"), S.RESERVED),
        (S.AVAILABLE, Event.wrap_up_done(), S.AVAILABLE),
    ],
    ids=str,
)
def test_given_an_illegal_event_then_the_error_names_counselor_from_to_and_event(
    state: CounselorState, event: Event, to: CounselorState
) -> None:
    message = f"counselor c1: {state.value} -> {to.value} on {event} is not allowed"
    with pytest.raises(IllegalCounselorTransition, match=re.escape(message)):
        transition(in_state(state), event, LATE, RULES)


def test_given_a_pause_then_the_record_carries_the_reason_and_time() -> None:
    t = transition(in_state(S.AVAILABLE), Event.pause(R.TRAINING), 42.0, RULES)
    assert t.records == (StateRecord("c1", S.AVAILABLE, S.PAUSED, "pause(training)", R.TRAINING, 42.0),)
    assert (t.counselor.since, t.counselor.pause_reason) == (42.0, R.TRAINING)


@pytest.mark.parametrize(
    ("steps", "state", "refused"),
    [
        ([(Event.wrap_up_done(), 100)], S.WRAP_UP, "lasts 30s more"),
        ([(Event.wrap_up_done(), 129.9)], S.WRAP_UP, "lasts 0.1s more"),
        ([(Event.wrap_up_done(), 130)], S.AVAILABLE, None),
        ([(Event.extend_wrap_up(), 110), (Event.wrap_up_done(), 150)], S.WRAP_UP, "lasts 40s more"),
        ([(Event.extend_wrap_up(), 110), (Event.wrap_up_done(), 190)], S.AVAILABLE, None),
        ([(Event.extend_wrap_up(20), 110), (Event.wrap_up_done(), 150)], S.AVAILABLE, None),
        ([(Event.extend_wrap_up(), 200), (Event.wrap_up_done(), 220)], S.WRAP_UP, "lasts 40s more"),
        (
            [(Event.extend_wrap_up(1000), 110), (Event.extend_wrap_up(), 120)],
            S.WRAP_UP,
            "at its limit of 300s",
        ),
    ],
    ids=[
        "at-hangup",
        "a-moment-early",
        "on-time",
        "extended-early",
        "extended-on-time",
        "short-extension",
        "extended-after-deadline",
        "extension-capped",
    ],
)
def test_given_wrap_up_when_done_is_asked_then_it_never_ends_early(
    steps: list[tuple[Event, float]], state: CounselorState, refused: str | None
) -> None:
    c, _, refusals = run(steps, in_state(S.WRAP_UP))
    assert c.state is state
    if refused is None:
        assert refusals == []
    else:
        assert len(refusals) == 1 and refused in refusals[0]


def test_given_wrap_up_when_the_counselor_says_ready_then_it_ends_now_but_a_pause_asked_for_comes_first() -> (
    None
):
    c, records, refusals = run([(Event.ready(), 101)], in_state(S.WRAP_UP))  # 29 s before its timer
    assert (c.state, refusals, records[-1].event) == (S.AVAILABLE, [], "ready")
    on_call = in_state(S.ON_CALL)
    c, _, refusals = run([(Event.pause(R.MEAL), 50), (Event.hangup(), 60), (Event.ready(), 61)], on_call)
    assert (c.state, c.pause_reason, refusals) == (S.PAUSED, R.MEAL, [])


def test_given_wrap_up_extended_past_the_limit_then_it_stops_at_the_limit() -> None:
    c, records, _ = run([(Event.extend_wrap_up(1000), 110)], in_state(S.WRAP_UP))
    assert c.wrap_up_until == 100 + RULES.max_wrap_up_seconds
    assert records[-1].note == "wrap-up until 400"


P = Event.pause
H, D = Event.hangup(), Event.wrap_up_done()


@pytest.mark.parametrize(
    ("start", "events", "state", "reason"),
    [
        pytest.param(S.ON_CALL, [P(R.MEAL), H, D], S.PAUSED, R.MEAL, id="pause-on-call"),
        pytest.param(S.ON_CALL, [P(R.MEAL), P(R.BREAK), H, D], S.PAUSED, R.BREAK, id="latest-pause-wins"),
        pytest.param(S.WRAP_UP, [P(R.TRAINING), D], S.PAUSED, R.TRAINING, id="pause-in-wrap-up"),
        pytest.param(
            S.RESERVED, [P(R.ADMIN), Event.answer(), H, D], S.PAUSED, R.ADMIN, id="ringing-answered"
        ),
        pytest.param(
            S.RESERVED, [P(R.BREAK), Event.reject_or_no_answer()], S.PAUSED, R.BREAK, id="ringing-missed"
        ),
        pytest.param(
            S.RESERVED, [P(R.BREAK), Event.cancel_offer()], S.PAUSED, R.BREAK, id="ringing-cancelled"
        ),
        pytest.param(S.ON_CALL, [Event.logout(), H, D], S.LOGGED_OUT, None, id="logout-on-call"),
        pytest.param(
            S.ON_CALL, [P(R.MEAL), Event.logout(), H, D], S.LOGGED_OUT, None, id="logout-beats-pause"
        ),
        pytest.param(
            S.ON_CALL, [Event.logout(), P(R.MEAL), H, D], S.LOGGED_OUT, None, id="pause-after-logout"
        ),
        pytest.param(
            S.RESERVED, [Event.logout(), Event.cancel_offer()], S.LOGGED_OUT, None, id="logout-ringing"
        ),
        pytest.param(
            S.ON_CALL, [P(R.MEAL), Event.unpause(), H, D], S.AVAILABLE, None, id="unpause-cancels-pause"
        ),
        pytest.param(
            S.WRAP_UP, [Event.logout(), Event.unpause(), D], S.AVAILABLE, None, id="unpause-cancels-logout"
        ),
        pytest.param(
            S.ON_CALL, [P(R.COOLDOWN), Event.unpause(), H, D], S.PAUSED, R.COOLDOWN, id="cooldown-stays"
        ),
        pytest.param(
            S.ON_CALL, [P(R.COOLDOWN), P(R.MEAL), H, D], S.PAUSED, R.COOLDOWN, id="cooldown-beats-meal"
        ),
    ],
)
def test_given_busy_when_pause_or_logout_asked_then_applied_when_work_ends(
    start: CounselorState, events: list[Event], state: CounselorState, reason: PauseReason | None
) -> None:
    c, records, _ = run([(e, 200.0 + 100 * i) for i, e in enumerate(events)], in_state(start))
    assert (c.state, c.pause_reason, c.pending) == (state, reason, None)
    assert records[-1].to_state is state and records[-1].reason is reason


def test_given_a_pause_asked_on_a_call_then_every_record_until_it_applies_says_it_is_pending() -> None:
    c, records, _ = run(
        [(P(R.MEAL), 50), (Event.hangup(), 100), (Event.wrap_up_done(), 130)], in_state(S.ON_CALL)
    )
    assert [(r.from_state, r.to_state, r.pending, r.reason) for r in records] == [
        (S.ON_CALL, S.ON_CALL, "pause(meal)", None),
        (S.ON_CALL, S.WRAP_UP, "pause(meal)", None),
        (S.WRAP_UP, S.PAUSED, None, R.MEAL),
    ]
    assert records[0].note == "pause(meal) waits for the call and its wrap-up to end"
    assert records[-1].note == "pause(meal) asked for earlier"
    assert c.since == 130


def test_given_a_pause_while_ringing_when_it_rings_out_then_it_is_not_a_miss() -> None:
    c, _, _ = run([(P(R.BREAK), 11), (Event.reject_or_no_answer(), 25)], in_state(S.RESERVED))
    assert (c.state, c.misses) == (S.PAUSED, 0)


def missed(k: int, answer_after: int | None = None) -> list[tuple[Event, float]]:
    steps: list[tuple[Event, float]] = [(Event.login(), 0)]
    for i in range(k):
        t = 10.0 * (i + 1)
        steps.append((Event.offer(f"call-{i}"), t))
        if answer_after is not None and i == answer_after:
            steps += [(Event.answer(), t + 1), (Event.hangup(), t + 2), (Event.wrap_up_done(), t + 9)]
        else:
            steps.append((Event.reject_or_no_answer(), t + 5))
    return steps


@pytest.mark.parametrize(
    ("k", "offers", "answer_after", "state", "misses"),
    [
        (3, 2, None, S.AVAILABLE, 2),
        (3, 3, None, S.PAUSED, 3),
        (1, 1, None, S.PAUSED, 1),
        (3, 4, 1, S.AVAILABLE, 2),  # miss, answer (resets), miss, miss
        (2, 3, 0, S.PAUSED, 2),
    ],
)
def test_given_k_missed_offers_in_a_row_then_paused_for_missed_calls_and_the_supervisor_is_told(
    k: int, offers: int, answer_after: int | None, state: CounselorState, misses: int
) -> None:
    rules = CounselorRules(wrap_up_seconds=5, max_missed_offers=k)
    c, records, _ = run(missed(offers, answer_after), rules=rules)
    assert (c.state, c.misses) == (state, misses)
    alerts = [r for r in records if r.alert]
    if state is S.PAUSED:
        assert c.pause_reason is R.MISSED_CALLS
        assert [(a.to_state, a.reason, a.note) for a in alerts] == [
            (S.PAUSED, R.MISSED_CALLS, f"{k} missed offers in a row")
        ]
    else:
        assert alerts == []


def test_given_paused_for_missed_calls_when_unpaused_then_the_count_starts_again() -> None:
    c, _, _ = run(missed(3))
    c, _, _ = run([(Event.unpause(), 100), (Event.offer("x"), 110), (Event.reject_or_no_answer(), 125)], c)
    assert (c.state, c.misses) == (S.AVAILABLE, 1)


def test_given_offers_cancelled_then_they_are_not_misses() -> None:
    steps = [(Event.login(), 0)] + [
        step
        for i in range(5)
        for step in ((Event.offer(f"c{i}"), 10.0 * i + 1), (Event.cancel_offer(), 10.0 * i + 2))
    ]
    c, _, _ = run(steps)
    assert (c.state, c.misses) == (S.AVAILABLE, 0)


@pytest.mark.parametrize(
    ("seconds", "unpause_at", "state"),
    [(None, 200, S.PAUSED), (None, 310, S.AVAILABLE), (60, 50, S.PAUSED), (60, 70, S.AVAILABLE)],
)
def test_given_a_cooldown_pause_then_unpause_waits_for_its_end(
    seconds: float | None, unpause_at: float, state: CounselorState
) -> None:
    c, _, refusals = run([(P(R.COOLDOWN, seconds), 10), (Event.unpause(), unpause_at)], in_state(S.AVAILABLE))
    assert c.state is state
    assert bool(refusals) is (state is S.PAUSED)


def test_given_a_cooldown_asked_on_a_call_then_it_runs_from_the_end_of_wrap_up() -> None:
    c, _, _ = run(
        [(P(R.COOLDOWN), 50), (Event.hangup(), 100), (Event.wrap_up_done(), 130)], in_state(S.ON_CALL)
    )
    assert (c.state, c.paused_until) == (S.PAUSED, 430)
    assert due_event(c, 429) is None
    assert due_event(c, 430) == Event.unpause()


def test_given_an_active_cooldown_when_switching_reason_then_refused() -> None:
    c, _, refusals = run([(P(R.COOLDOWN), 10), (P(R.MEAL), 20), (Event.logout(), 30)], in_state(S.AVAILABLE))
    assert c.state is S.LOGGED_OUT and len(refusals) == 1 and "cooldown" in refusals[0]


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (S.RESERVED, 24.9, None),
        (S.RESERVED, 25, Event.reject_or_no_answer("call-1")),
        (S.WRAP_UP, 129, None),
        (S.WRAP_UP, 130, Event.wrap_up_done()),
        (S.PAUSED, 10_000, None),  # a break lasts until the counselor comes back
        (S.ON_CALL, 10_000, None),
        (S.AVAILABLE, 10_000, None),
    ],
)
def test_given_a_deadline_when_swept_then_the_due_event_is_named(
    state: CounselorState, now: float, expected: Event | None
) -> None:
    assert due_event(in_state(state), now) == expected


def test_given_a_stale_event_for_another_call_then_refused() -> None:
    t = transition(in_state(S.RESERVED), Event.answer("call-9"), 11, RULES)
    assert t == Transition(
        in_state(S.RESERVED), (), "answer(call-9) is stale: counselor c1 is on call call-1"
    )


def test_given_an_unreachable_phone_then_not_offerable_and_an_offer_is_refused() -> None:
    c = in_state(S.AVAILABLE)
    down = dataclasses.replace(c, reachable=False)
    assert c.is_offerable(1) and not down.is_offerable(1)
    assert transition(down, Event.offer("x"), 1, RULES).refused == "counselor c1's phone is unreachable"


@pytest.mark.parametrize("state", list(CounselorState), ids=lambda s: s.value)
def test_given_a_state_then_only_available_is_offerable(state: CounselorState) -> None:
    assert in_state(state).is_offerable(LATE) is (state is S.AVAILABLE)


def test_given_a_missed_ring_then_idle_time_keeps_its_place_and_a_call_resets_it() -> None:
    c, _, _ = run([(Event.login(), 5), (Event.offer("a"), 10), (Event.reject_or_no_answer(), 25)])
    assert c.idle_since == 5
    c, _, _ = run([(Event.offer("b"), 30), (Event.answer(), 31), (Event.hangup(), 90)], c)
    assert (c.idle_since, c.calls_taken) == (90, 1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Event(EventKind.PAUSE),
        lambda: Event(EventKind.LOGIN, reason=R.MEAL),
        lambda: Event.pause(R.MEAL, 60),
        lambda: Event.extend_wrap_up(0),
        lambda: Event(EventKind.OFFER),
        lambda: Event(EventKind.HANGUP, seconds=3),
        lambda: Counselor("c1", skills={"tax": 4}),
        lambda: Counselor(""),
        lambda: Counselor("c1", state=S.PAUSED),  # a pause always has its reason
        lambda: Counselor("c1", state=S.AVAILABLE, pause_reason=R.MEAL),
        lambda: Counselor("c1", state=S.RESERVED),  # reserved for which call?
        lambda: Counselor("c1", state=S.WRAP_UP, call_id="k"),  # until when?
        lambda: Counselor("c1", state=S.AVAILABLE, pending=Event.logout()),
        lambda: CounselorRules(max_missed_offers=0),
        lambda: CounselorRules(wrap_up_seconds=100, max_wrap_up_seconds=50),
    ],
)
def test_given_malformed_values_then_they_refuse_to_exist(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()
