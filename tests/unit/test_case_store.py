"""Cases on both engines: numbers never reused, history of every change, conflicts, scope, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivr.cases.case import CaseConflict, CaseInputError, CaseNotFound, NewCase
from ivr.cases.states import CaseEvent, IllegalCaseTransition
from ivr.config import CaseSettings, case_rules
from ivr.store import case_rows
from ivr.store.case_changes import CaseChange, change
from ivr.store.case_rows import CaseFilter
from ivr.store.desk_schema import transaction
from ivr.store.sql import query

KST = timezone(timedelta(hours=9))
T0 = datetime(2026, 9, 22, 10, 0, tzinfo=KST)
RULES = case_rules(CaseSettings())


def new_case(**over: object) -> NewCase:
    base: dict[str, object] = {
        "caller": "01012345678",
        "description": "덕진동 가로등이 사흘째 꺼져 있습니다.",
        "type": "query",
        "department": "road",
        "by": "kim",
        "topic": "streetlight",
        "call_id": "call-1",
        "articles": ("streetlight-report",),
    }
    return NewCase(**{**base, **over})  # type: ignore[arg-type]


def register(path: Path | str, at: datetime = T0, **over: object) -> str:
    with transaction(path) as db:
        return case_rows.register(db, new_case(**over), RULES, at, KST).number


def audit_actions(path: Path | str) -> list[tuple[str, str, str]]:
    with transaction(path) as db:
        return [(r["actor"], r["action"], r["target"]) for r in query(db, "SELECT * FROM audit ORDER BY id")]


def test_given_registrations_then_numbers_follow_per_year_and_are_never_reused(
    records_at: Path | str,
) -> None:
    path = records_at
    first, second = register(path), register(path)
    with transaction(path) as db:  # a case removed by hand leaves a gap, not a number to hand out again
        db.execute("DELETE FROM cases WHERE number = ?", [second])
    third = register(path)
    next_year = register(path, at=datetime(2027, 1, 4, 9, tzinfo=KST))
    assert [first, second, third, next_year] == ["2026-000001", "2026-000002", "2026-000003", "2027-000001"]


def test_given_a_registration_then_it_is_assigned_with_its_deadline_and_history(
    records_at: Path | str,
) -> None:
    path = records_at
    number = register(path)
    with transaction(path) as db:
        case = case_rows.get(db, number)
        events = case_rows.history(db, number)
    assert case.status == "assigned" and case.department == "road" and case.calls == ("call-1",)
    assert case.deadline == datetime(2026, 10, 2, 18, tzinfo=KST)  # 7 days across 추석
    assert case.articles == ("streetlight-report",)
    assert [(e["event"], e["from_status"], e["to_status"], e["who"]) for e in events] == [
        ("receive", None, "received", "kim"),
        ("assign", "received", "assigned", "kim"),
    ]
    assert audit_actions(path) == [("kim", "case_register", number)]


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"department": "parks"}, "department", "부서 'parks'"),
        ({"description": "   "}, "description", "민원 내용을 적어"),
        ({"type": "petition"}, "type", "민원 유형 'petition'"),
        ({"answer_channel": "fax"}, "answer_channel", "답변 방법"),
    ],
)
def test_given_bad_input_then_a_clear_error_and_nothing_written(
    records_at: Path | str, over: dict[str, object], field: str, words: str
) -> None:
    path = records_at
    with pytest.raises(CaseInputError) as refused, transaction(path) as db:
        case_rows.register(db, new_case(**over), RULES, T0, KST)
    assert refused.value.field == field and words in str(refused.value)
    with transaction(path) as db:
        assert query(db, "SELECT COUNT(*) AS n FROM cases")[0]["n"] == 0
        assert query(db, "SELECT COUNT(*) AS n FROM case_numbers")[0]["n"] == 0


def test_the_whole_way_with_a_return_and_every_change_in_the_history(records_at: Path | str) -> None:
    path = records_at
    number = register(path)
    steps = [
        CaseChange(number, CaseEvent.RETURN, "road1", "가로등은 한전 소관입니다", department="road"),
        CaseChange(number, CaseEvent.REASSIGN, "kim", "재이관", to_department="civil-affairs"),
        CaseChange(number, CaseEvent.START, "civil1", department="civil-affairs"),
        CaseChange(
            number, CaseEvent.ANSWER, "civil1", "9월 30일 교체하였습니다.", department="civil-affairs"
        ),
        CaseChange(number, CaseEvent.CLOSE, "kim", "민원인 통화 완료"),
    ]
    for i, step in enumerate(steps):
        with transaction(path) as db:
            change(db, step, T0 + timedelta(hours=i + 1), RULES)
    with transaction(path) as db:
        case = case_rows.get(db, number)
        events = case_rows.history(db, number)
    assert (case.status, case.department, case.answer, case.answered_by) == (
        "closed",
        "civil-affairs",
        "9월 30일 교체하였습니다.",
        "civil1",
    )
    assert [e["to_status"] for e in events] == [
        "received",
        "assigned",
        "returned",
        "reassigned",
        "in_progress",
        "answered",
        "closed",
    ]
    assert events[2]["why"] == "가로등은 한전 소관입니다" and events[3]["detail"] == "civil-affairs"
    assert case.version == 7


def test_given_two_answers_on_one_version_then_one_wins_and_the_other_is_told(records_at: Path | str) -> None:
    path = records_at
    number = register(path)
    with transaction(path) as db:
        seen = case_rows.get(db, number).version
        change(db, CaseChange(number, CaseEvent.ANSWER, "road1", "먼저 답변", seen, "road"), T0, RULES)
    with pytest.raises(CaseConflict, match="road1 님이 먼저") as lost, transaction(path) as db:
        change(db, CaseChange(number, CaseEvent.ANSWER, "road2", "늦은 답변", seen, "road"), T0, RULES)
    assert "답변 완료" in str(lost.value)
    with transaction(path) as db:
        assert case_rows.get(db, number).answer == "먼저 답변"


def test_given_a_closed_case_when_answered_then_refused_and_unchanged(records_at: Path | str) -> None:
    path = records_at
    number = register(path)
    for step in (
        CaseChange(number, CaseEvent.ANSWER, "road1", "답변", department="road"),
        CaseChange(number, CaseEvent.CLOSE, "kim"),
    ):
        with transaction(path) as db:
            change(db, step, T0, RULES)
    with pytest.raises(IllegalCaseTransition, match="종결"), transaction(path) as db:
        change(db, CaseChange(number, CaseEvent.ANSWER, "road1", "또 답변", department="road"), T0, RULES)
    with transaction(path) as db:
        assert case_rows.get(db, number).answer == "답변"


def test_given_empty_reason_or_unknown_department_then_refused(records_at: Path | str) -> None:
    path = records_at
    number = register(path)
    with pytest.raises(CaseInputError, match="반송 사유"), transaction(path) as db:
        change(db, CaseChange(number, CaseEvent.RETURN, "road1", " ", department="road"), T0, RULES)
    with transaction(path) as db:
        change(db, CaseChange(number, CaseEvent.RETURN, "road1", "소관 아님", department="road"), T0, RULES)
    with pytest.raises(CaseInputError, match="부서 'parks'"), transaction(path) as db:
        change(db, CaseChange(number, CaseEvent.REASSIGN, "kim", to_department="parks"), T0, RULES)
    with transaction(path) as db:
        assert case_rows.get(db, number).status == "returned"


def test_another_departments_case_is_not_found_and_the_refused_opening_is_audited(
    records_at: Path | str,
) -> None:
    path = records_at
    number = register(path)
    with transaction(path) as db:
        assert case_rows.open_case(db, number, "tax1", T0, "10.0.0.9", department="tax") is None
    with pytest.raises(CaseNotFound), transaction(path) as db:
        change(db, CaseChange(number, CaseEvent.ANSWER, "tax1", "x", department="tax"), T0, RULES)
    with transaction(path) as db:
        case_rows.open_case(db, number, "road1", T0, department="road")
    assert audit_actions(path)[1:] == [("tax1", "case_open_refused", number), ("road1", "case_open", number)]


def test_the_filters_find_open_overdue_by_department_and_period(records_at: Path | str) -> None:
    path = records_at
    early = register(path, at=T0, type="other")  # 즉시: due 13:00 that day
    later = register(path, at=T0 + timedelta(days=1), department="tax")
    with transaction(path) as db:
        change(db, CaseChange(later, CaseEvent.ANSWER, "tax1", "답변", department="tax"), T0, RULES)
    now = T0 + timedelta(days=2)
    with transaction(path) as db:

        def numbers(**f: object) -> list[str]:
            return [c.number for c in case_rows.find(db, CaseFilter(**f), now)]  # type: ignore[arg-type]

        assert numbers() == [early, later]
        assert numbers(status="open") == [early]
        assert numbers(overdue=True) == [early]
        assert numbers(department="tax") == [later]
        assert numbers(received_from=T0 + timedelta(hours=1)) == [later]
        assert numbers(received_to=(T0 + timedelta(hours=1)).astimezone(UTC)) == [early]
        assert [c.number for c in case_rows.open_for_caller(db, "01012345678")] == [later, early]
