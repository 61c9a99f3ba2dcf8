"""/protection: supervisors see callers' strikes by situation and clear them with a reason."""

from __future__ import annotations

from datetime import timedelta

from tests.web.conftest import Desk, csrf_of


def _strike(desk: Desk, number: str, reason: str, days_ago: int) -> None:
    at = (desk.clock() - timedelta(days=days_ago)).isoformat(timespec="milliseconds")
    desk.insert("caller_strikes", {"number": number, "at": at, "call_id": f"c-{days_ago}", "reason": reason})


async def test_given_strikes_when_a_supervisor_clears_one_number_then_only_with_a_reason(desk: Desk) -> None:
    _strike(desk, "01066667777", "abuse", 3)
    _strike(desk, "01066667777", "harassment", 2)
    client = await desk.logged_in("supervisor")
    token = await csrf_of(client)
    page = await (await client.get("/protection")).text()
    assert 'data-number="01066667777"' in page and "성희롱" in page
    refused = await client.post(
        "/protection/strikes/clear", data={"csrf_token": token, "number": "01066667777"}
    )
    assert refused.status == 400 and "해제 사유를 입력해 주십시오" in await refused.text()
    cleared = await client.post(
        "/protection/strikes/clear",
        data={"csrf_token": token, "number": "01066667777", "reason": "사과 후 재발 방지 약속"},
    )
    assert cleared.status == 200 and "해제했습니다" in await cleared.text()  # followed the redirect
    assert 'data-number="01066667777"' not in await (await client.get("/protection")).text()
    details = [row["detail"] for row in desk.audit("strikes_cleared")]
    assert details[0].startswith("refused: ") and details[1] == "2 cleared; reason=사과 후 재발 방지 약속"
    assert len(desk.audit("strikes_viewed")) == 4  # each showing of the numbers is on record


async def test_given_a_month_when_a_supervisor_opens_the_report_then_page_csv_and_an_audited_confirmation(
    desk: Desk,
) -> None:
    desk.insert(
        "calls",
        {
            "id": "call-9",
            "caller": "01066667777",
            "dialed": "2221000",
            "started_at": "2026-03-02T10:00:00.000+09:00",
            "counselor_id": "c1",
            "flagged": "superior",
            "talk_seconds": 95.0,
        },
    )
    client = await desk.logged_in("supervisor")
    token = await csrf_of(client)
    page = await (await client.get("/protection/report?month=2026-03")).text()
    assert 'data-counselor="c1"' in page and "1:35" in page  # 95 s of talk
    csv = await (await client.get("/protection/report.csv?month=2026-03")).text()
    assert csv.splitlines()[1].startswith("c1,")
    form = {"csrf_token": token, "counselor": "c1", "month": "2026-03", "note": "심리 상담 연계"}
    confirmed = await client.post("/protection/report/support", data=form)
    assert confirmed.status == 200 and "지원 제공을 확인했습니다" in await confirmed.text()
    [row] = desk.audit("support_confirmed")
    assert (row["target"], row["detail"]) == ("c1", "month=2026-03 심리 상담 연계")
    bad = await client.get("/protection/report?month=march")
    assert bad.status == 400
    counselor = await desk.logged_in("counselor")
    assert (
        await counselor.get("/protection/report?month=2026-03")
    ).status == 403  # a counselor's personal data
