"""/admin/users: admins list, add, disable and enable users; each change is audited."""

from __future__ import annotations

import re

from tests.web.conftest import Desk, csrf_of, login

NEW = {
    "username": "Park.QA",
    "display_name": "박품질",
    "role": "qa",
    "counselor_id": "",
    "password": "park-password-1",
    "password_again": "park-password-1",
}


async def test_given_admin_when_users_page_then_every_user_is_listed(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    text = await (await admin.get("/admin/users")).text()
    for username in ("admin1", "super1", "qa1", "couns1"):
        assert f"<td>{username}</td>" in text
    assert '사용자 추가 <span class="en">· Add a user</span>' in text
    assert "c2 · 이상담" in text  # config.yaml's counselors are offered


async def test_given_admin_when_user_added_then_they_can_log_in_and_it_is_audited(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    response = await admin.post("/admin/users", data={**NEW, "csrf_token": await csrf_of(admin)})
    assert response.status == 200
    assert "&#39;park.qa&#39; 사용자를 추가했습니다" in await response.text()
    [entry] = [e for e in desk.audit("user_added") if e["actor"] == "admin1"]
    assert entry["target"] == "park.qa" and entry["detail"] == "role=qa" and entry["ip"] == "127.0.0.1"
    newcomer = await desk.client()
    assert (await login(newcomer, "park.qa", "park-password-1")).status == 303


async def test_given_bad_fields_when_user_added_then_400_with_problems_and_values_kept(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    form = {**NEW, "password": "short", "password_again": "other", "csrf_token": await csrf_of(admin)}
    response = await admin.post("/admin/users", data=form)
    assert response.status == 400
    text = await response.text()
    assert "10자 이상이어야 합니다" in text and "두 비밀번호가 서로 다릅니다" in text
    assert 'value="박품질"' in text and "short" not in text
    assert desk.rows("users", "username = ?", ["park.qa"]) == []


async def test_given_unknown_counselor_id_when_user_added_then_refused(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    form = {**NEW, "role": "counselor", "counselor_id": "c99", "csrf_token": await csrf_of(admin)}
    response = await admin.post("/admin/users", data=form)
    assert response.status == 400 and "&#39;c99&#39;" in await response.text()


async def test_given_taken_username_when_user_added_then_409(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    form = {**NEW, "username": "QA1", "csrf_token": await csrf_of(admin)}
    response = await admin.post("/admin/users", data=form)
    assert response.status == 409 and "이미 사용 중입니다" in await response.text()


async def test_given_markup_in_display_name_when_listed_then_escaped(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    form = {**NEW, "display_name": "<script>alert(1)</script>", "csrf_token": await csrf_of(admin)}
    text = await (await admin.post("/admin/users", data=form)).text()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


async def test_given_logged_in_user_when_admin_disables_them_then_their_session_ends(desk: Desk) -> None:
    qa = await desk.logged_in("qa")
    admin = await desk.logged_in("admin")
    response = await admin.post("/admin/users/qa1/disable", data={"csrf_token": await csrf_of(admin)})
    assert "&#39;qa1&#39; 사용자의 사용을 중지했습니다" in await response.text()
    assert (await qa.get("/", allow_redirects=False)).status == 303
    assert (await login(await desk.client(), "qa1")).status == 401
    await admin.post("/admin/users/qa1/enable", data={"csrf_token": await csrf_of(admin)})
    assert (await login(await desk.client(), "qa1")).status == 303
    [disabled] = desk.audit("user_disabled")
    [enabled] = desk.audit("user_enabled")
    assert disabled["actor"] == enabled["actor"] == "admin1"
    assert disabled["target"] == enabled["target"] == "qa1"
    assert disabled["ip"] == "127.0.0.1"


async def test_given_admin_when_disabling_themself_then_refused(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    response = await admin.post("/admin/users/admin1/disable", data={"csrf_token": await csrf_of(admin)})
    assert response.status == 400 and "자기 계정은 사용 중지할 수 없습니다" in await response.text()
    assert desk.rows("users", "username = ?", ["admin1"])[0]["disabled"] == 0


async def test_given_unknown_user_when_disabled_then_404(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    token = await csrf_of(admin)
    for name in ("nobody", "..", "bad%20name"):
        response = await admin.post(f"/admin/users/{name}/disable", data={"csrf_token": token})
        assert response.status == 404, name


async def test_given_counselor_when_home_then_only_the_counselor_desk_is_linked(desk: Desk) -> None:
    client = await desk.logged_in("counselor")
    text = await (await client.get("/")).text()
    assert re.search(r'<a href="/counselor">상담 화면', text) and "준비 중<span" not in text
    assert "사용자 관리" not in text and "상황판" not in text and "/admin/users" not in text


async def test_given_admin_when_home_then_every_section_and_a_live_users_link(desk: Desk) -> None:
    client = await desk.logged_in("admin")
    text = await (await client.get("/")).text()
    for name in (
        "상황판",
        "상담 화면",
        "녹취 품질 평가",
        "통계",
        "콜 흐름 관리",
        "사용자 관리",
        "전화기 계정",
        "안내 음성 스튜디오",
    ):
        assert name in text
    for path in ("/admin/users", "/wallboard", "/counselor", "/qa", "/reports"):
        assert re.search(f'<a href="{path}">', text)
    # This desk is built without the flows folder, the phones and the prompt studio
    # (tests/web/test_flows_access.py, test_phones_page.py and test_prompt_studio.py have them).
    assert text.count("준비 중<span") == 3
