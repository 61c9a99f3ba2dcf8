"""QA scores edited and withdrawn, each change audited; the form warns a reviewer who already scored."""

from __future__ import annotations

from tests.web.conftest import Desk, csrf_of
from tests.web.test_qa import GOOD, _score, seed


async def test_given_a_score_when_its_reviewer_edits_it_then_the_new_total_and_an_audit_row(
    desk: Desk,
) -> None:
    seed(desk)
    qa = await desk.logged_in("qa")
    page = await (await qa.get("/qa/calls/call-1")).text()
    assert 'id="already-scored"' not in page
    score_id = (await (await _score(qa, {"scorecard": "standard", "points": GOOD})).json())["id"]
    page = await (await qa.get("/qa/calls/call-1")).text()
    assert 'id="already-scored"' in page and "88.0점" in page  # the warning says which score is theirs

    token = await csrf_of(qa)
    edited = await qa.put(
        f"/api/scores/{score_id}",
        json={"points": GOOD | {"accuracy": 4}, "feedback": "다시 들었습니다."},
        headers={"X-CSRF-Token": token},
    )
    assert edited.status == 200, await edited.text()
    assert (await edited.json())["total"] == 82.0
    [row] = desk.rows("qa_scores")
    assert (row["total"], row["feedback"], row["edited_at"] is not None) == (82.0, "다시 들었습니다.", True)
    [entry] = desk.audit("score_edited")
    assert (entry["actor"], entry["target"]) == ("qa1", "call-1")
    assert entry["detail"] == f"score={score_id} total=88.0->82.0"


async def test_given_an_empty_criterion_in_an_edit_then_400_naming_it_and_nothing_changes(desk: Desk) -> None:
    seed(desk)
    qa = await desk.logged_in("qa")
    score_id = (await (await _score(qa, {"scorecard": "standard", "points": GOOD})).json())["id"]
    points = {k: v for k, v in GOOD.items() if k != "greeting"}
    token = await csrf_of(qa)
    response = await qa.put(
        f"/api/scores/{score_id}", json={"points": points}, headers={"X-CSRF-Token": token}
    )
    assert response.status == 400 and "not scored" in await response.text()
    assert desk.rows("qa_scores")[0]["total"] == 88.0 and desk.audit("score_edited") == []


async def test_given_a_withdrawn_score_then_it_stays_struck_through_counts_nowhere_and_is_audited(
    desk: Desk,
) -> None:
    seed(desk)
    qa = await desk.logged_in("qa")
    score_id = (await (await _score(qa, {"scorecard": "standard", "points": GOOD})).json())["id"]
    listing = await (await qa.get("/qa?from=2026-03-01&to=2026-03-02")).text()
    assert "88.0" in listing
    supervisor = await desk.logged_in("supervisor")  # a supervisor may withdraw anyone's score
    token = await csrf_of(supervisor)
    response = await supervisor.post(f"/api/scores/{score_id}/withdraw", headers={"X-CSRF-Token": token})
    assert response.status == 200
    page = await (await qa.get("/qa/calls/call-1")).text()
    assert 'class="score withdrawn"' in page and "철회됨" in page and 'id="already-scored"' not in page
    listing = await (await qa.get("/qa?from=2026-03-01&to=2026-03-02")).text()
    assert "88.0" not in listing
    [entry] = desk.audit("score_withdrawn")
    assert (entry["actor"], entry["target"], entry["detail"]) == (
        "super1",
        "call-1",
        f"score={score_id} total=88.0",
    )
    again = await supervisor.post(f"/api/scores/{score_id}/withdraw", headers={"X-CSRF-Token": token})
    assert again.status == 404  # once withdrawn, neither withdrawn again nor edited


async def test_given_someone_elses_score_then_a_reviewer_neither_edits_nor_withdraws_it(desk: Desk) -> None:
    seed(desk)
    supervisor = await desk.logged_in("supervisor")
    score_id = (await (await _score(supervisor, {"scorecard": "standard", "points": GOOD})).json())["id"]
    qa = await desk.logged_in("qa")
    token = await csrf_of(qa)
    edit = await qa.put(f"/api/scores/{score_id}", json={"points": GOOD}, headers={"X-CSRF-Token": token})
    withdraw = await qa.post(f"/api/scores/{score_id}/withdraw", headers={"X-CSRF-Token": token})
    assert (edit.status, withdraw.status) == (403, 403)
    counselor = await desk.logged_in("counselor")
    token = await csrf_of(counselor)
    assert (
        await counselor.post(f"/api/scores/{score_id}/withdraw", headers={"X-CSRF-Token": token})
    ).status == 403
    assert desk.audit("score_edited") == [] and desk.audit("score_withdrawn") == []
