"""The 민원 tab of /reports shows the 해피콜 results per department and topic."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ivr.calls.callback_plan import CallbackRules
from ivr.calls.case_call_plan import CallResult
from ivr.store import case_out
from ivr.store.case_out import OutRules
from ivr.store.desk_schema import transaction
from tests.web.conftest import Desk
from tests.web.test_cases_desk import _act, _as, _register
from tests.web.test_cases_desk import departments as departments

SEOUL = ZoneInfo("Asia/Seoul")
ALL_DAY = CallbackRules(start=datetime.min.time(), weekdays_only=False)


async def test_given_a_closed_case_and_its_happy_call_then_the_tab_shows_solved_and_score(
    departments: Desk,
) -> None:
    desk = departments
    counselor = await desk.logged_in("counselor")
    number = (await (await _register(counselor, topic="parking")).json())["number"]
    road = await _as(desk, "road1")
    assert (await _act(desk, road, number, "answer", text="단속했습니다.")).status == 303
    supervisor = await desk.logged_in("supervisor")
    assert (await _act(desk, supervisor, number, "close")).status == 303
    rules = OutRules(ALL_DAY, ALL_DAY, 0, SEOUL)
    now = datetime.now(UTC)
    with transaction(desk.db_path) as db:  # what the service's runner does: plan, call, store
        case_out.sort(db, now, True, OutRules(ALL_DAY, ALL_DAY, 3, SEOUL))
        [task] = [t for t in case_out.tasks(db, number) if t["kind"] == "happy"]
        db.execute(
            "UPDATE case_out_tasks SET created_at = ? WHERE id = ?", ["2026-03-10T00:00:00+00:00", task["id"]]
        )
        for question, answer in (("case_solved", 1), ("case_satisfaction", 4)):
            db.table("survey_answers").insert(
                {"call_id": "hc-1", "question": question, "answer": answer, "at": "x"}
            )
        [due] = [t for t in case_out.due(db, datetime.max.replace(tzinfo=UTC)) if t.number == number]
        case_out.attempted(
            db, due, now, call_id="hc-1", result=CallResult.REACHED, retry_at=None, rules=rules
        )
    page = await (await supervisor.get("/reports/cases?from=2026-03-01&to=2026-03-31")).text()
    row = re.search(r'data-happy="도로과/parking">(.*?)</tr>', page, re.S)
    assert row, page
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert cells[:3] == ["도로과", "parking", "1"] and "100%" in cells and "4.0" in cells
