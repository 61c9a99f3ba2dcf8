"""/case-followups: a supervisor sees the 민원 left for a person and the 문자 outbox (masked,
the viewing audited), assigns and closes follow-ups (each a line of the case's history);
a second "done" is told plainly, an unknown id is 404, other roles get 403, no CSRF no change."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ivr.store import case_out, case_outbox
from ivr.store.desk_schema import transaction
from tests.web.conftest import Desk, csrf_of
from tests.web.test_cases_desk import _register
from tests.web.test_cases_desk import departments as departments

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def _seeded(desk: Desk) -> tuple[str, int]:
    counselor = await desk.logged_in("counselor")
    number = (await (await _register(counselor)).json())["number"]
    with transaction(desk.db_path) as db:  # what the runner leaves: a follow-up and a queued 문자
        follow_id = case_out.follow_up(db, number, "해피콜: 해결되지 않음, 만족도 1점", AT)
        case_outbox.queue(db, number, "01055556666", "불법 주정차 단속을 마쳤습니다.", AT)
    return number, follow_id


async def _post(client, follow_id: int, **form: str):  # type: ignore[no-untyped-def]
    token = await csrf_of(client, "/case-followups")
    return await client.post(
        f"/case-followups/{follow_id}", data={"csrf_token": token, **form}, allow_redirects=False
    )


async def test_a_supervisor_sees_follow_ups_and_the_outbox_masked_and_the_viewing_is_audited(
    departments: Desk,
) -> None:
    desk = departments
    number, follow_id = await _seeded(desk)
    supervisor = await desk.logged_in("supervisor")
    page = await (await supervisor.get("/case-followups")).text()
    row = re.search(rf'data-followup="{follow_id}" data-status="new">(.*?)</tr>', page, re.S)
    assert row and number in row.group(1) and "해피콜: 해결되지 않음, 만족도 1점" in row.group(1)
    assert "발송되지 않았습니다" in page and "불법 주정차 단속을 마쳤습니다." in page
    assert "01055556666" not in page and re.search(r'class="to">010-\*{4}-6666<', page)
    [seen] = desk.audit("case_outbox_viewed")
    assert (seen["actor"], seen["target"], seen["detail"]) == ("super1", "case_outbox", "1 queued message(s)")


async def test_assign_then_done_moves_the_follow_up_and_writes_the_case_history(departments: Desk) -> None:
    desk = departments
    number, follow_id = await _seeded(desk)
    supervisor = await desk.logged_in("supervisor")
    response = await _post(supervisor, follow_id, action="assign", who="couns1")
    assert response.status == 303
    [f] = desk.rows("case_followups")
    assert (f["status"], f["by"]) == ("assigned", "couns1")
    open_page = await (await supervisor.get("/case-followups")).text()
    assert f'data-followup="{follow_id}" data-status="assigned"' in open_page
    assert (await _post(supervisor, follow_id, action="done")).status == 303
    [f] = desk.rows("case_followups")
    assert f["status"] == "done"
    assert f'data-followup="{follow_id}"' not in await (await supervisor.get("/case-followups")).text()
    assert (
        f'data-followup="{follow_id}"' in await (await supervisor.get("/case-followups?status=done")).text()
    )
    events = [e["event"] for e in desk.rows("case_events") if e["number"] == number]
    assert events[-3:] == ["follow_up", "follow_up_assigned", "follow_up_done"]
    again = await _post(supervisor, follow_id, action="done")
    assert again.status == 409 and "이미 처리되었습니다" in await again.text()


async def test_an_unknown_follow_up_a_bad_action_and_a_missing_csrf_change_nothing(departments: Desk) -> None:
    desk = departments
    _, follow_id = await _seeded(desk)
    supervisor = await desk.logged_in("supervisor")
    missing = await _post(supervisor, 999, action="done")
    assert missing.status == 404 and "999" in await missing.text()
    assert (await _post(supervisor, follow_id, action="drop")).status == 400
    nobody = await _post(supervisor, follow_id, action="assign", who="nobody9")
    assert nobody.status == 400 and "nobody9&#39; 사용자가 없습니다" in await nobody.text()
    forged = await supervisor.post(
        f"/case-followups/{follow_id}", data={"action": "done"}, allow_redirects=False
    )
    assert forged.status == 403
    assert [f["status"] for f in desk.rows("case_followups")] == ["new"]


async def test_counselors_and_department_users_cannot_see_or_change_follow_ups(departments: Desk) -> None:
    desk = departments
    _, follow_id = await _seeded(desk)
    for client in (await desk.logged_in("counselor"),):
        assert (await client.get("/case-followups", allow_redirects=False)).status == 403
        token = await csrf_of(client)
        response = await client.post(
            f"/case-followups/{follow_id}",
            data={"csrf_token": token, "action": "done"},
            allow_redirects=False,
        )
        assert response.status == 403
    assert [f["status"] for f in desk.rows("case_followups")] == ["new"]
