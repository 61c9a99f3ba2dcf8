"""A case changes status only as the one table says: every (status, event) pair tried."""

from __future__ import annotations

import itertools

import pytest

from ivr.cases.states import (
    CENTER_EVENTS,
    DEPARTMENT_EVENTS,
    LEGAL,
    CaseEvent,
    CaseStatus,
    IllegalCaseTransition,
    advance,
    may,
)

S, E = CaseStatus, CaseEvent

# Written out pair by pair, as a department and the call center expect it, not derived from the table.
EXPECTED = {
    (S.RECEIVED, E.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, E.START): S.IN_PROGRESS,
    (S.ASSIGNED, E.ASK_CITIZEN): S.IN_PROGRESS,
    (S.ASSIGNED, E.ANSWER): S.ANSWERED,
    (S.ASSIGNED, E.RETURN): S.RETURNED,
    (S.IN_PROGRESS, E.ASK_CITIZEN): S.IN_PROGRESS,
    (S.IN_PROGRESS, E.ANSWER): S.ANSWERED,
    (S.IN_PROGRESS, E.RETURN): S.RETURNED,
    (S.RETURNED, E.REASSIGN): S.REASSIGNED,
    (S.REASSIGNED, E.START): S.IN_PROGRESS,
    (S.REASSIGNED, E.ASK_CITIZEN): S.IN_PROGRESS,
    (S.REASSIGNED, E.ANSWER): S.ANSWERED,
    (S.REASSIGNED, E.RETURN): S.RETURNED,
    (S.ANSWERED, E.CLOSE): S.CLOSED,
}


def test_the_table_is_exactly_the_expected_one() -> None:
    assert LEGAL == EXPECTED


@pytest.mark.parametrize(("status", "event"), list(itertools.product(S, E)))
def test_given_any_pair_when_advanced_then_the_expected_status_or_a_refusal(
    status: CaseStatus, event: CaseEvent
) -> None:
    expected = EXPECTED.get((status, event))
    if expected is None:
        with pytest.raises(IllegalCaseTransition) as refused:
            advance("2026-000001", status, event)
        assert "2026-000001" in str(refused.value)
        assert "할 수 없습니다" in str(refused.value)
    else:
        assert advance("2026-000001", status.value, event) is expected


def test_given_a_closed_case_when_answered_then_the_refusal_says_it_is_closed() -> None:
    with pytest.raises(IllegalCaseTransition, match="'종결' 상태여서 '답변'할 수 없습니다"):
        advance("2026-000123", "closed", E.ANSWER)


def test_every_event_belongs_to_exactly_one_side() -> None:
    assert DEPARTMENT_EVENTS | CENTER_EVENTS == set(E)
    assert not DEPARTMENT_EVENTS & CENTER_EVENTS
    assert may("department", E.ANSWER) and not may("department", E.CLOSE)
    assert may("center", E.REASSIGN) and not may("center", E.RETURN)


def test_a_closed_case_is_a_dead_end() -> None:
    assert not [pair for pair in LEGAL if pair[0] is S.CLOSED]
