"""/admin/users: new users default to counselor; admins reset passwords, unlock, change roles (audited)."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, Desk, csrf_of, login

NEW_PASSWORD = "brand-new-pass-1"


async def test_given_the_add_form_then_the_role_offered_first_is_counselor(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    text = await (await admin.get("/admin/users")).text()
    add = text[text.index('action="/admin/users" class="grid"') :]
    [selected] = re.findall(r'<option value="(\w+)" selected>', add[: add.index("</select>")])
    assert selected == "counselor"


async def test_given_a_reset_password_then_the_old_one_fails_the_new_one_works_and_it_is_audited(
    desk: Desk,
) -> None:
    admin = await desk.logged_in("admin")
    qa = await desk.logged_in("qa")
    form = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "csrf_token": await csrf_of(admin)}
    response = await admin.post("/admin/users/qa1/password", data=form)
    assert response.status == 200 and "비밀번호를 새로 정했습니다" in await response.text()
    assert (await qa.get("/", allow_redirects=False)).status == 303  # the old session ended
    assert (await login(await desk.client(), "qa1", PASSWORD)).status == 401
    assert (await login(await desk.client(), "qa1", NEW_PASSWORD)).status == 303
    [entry] = [e for e in desk.audit("password_set") if e["actor"] == "admin1"]
    assert entry["target"] == "qa1" and entry["detail"] == "via=desk" and entry["ip"] == "127.0.0.1"


async def test_given_a_weak_reset_password_then_400_and_nothing_changes(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    form = {"password": "short", "password_again": "short", "csrf_token": await csrf_of(admin)}
    assert (await admin.post("/admin/users/qa1/password", data=form)).status == 400
    assert (await login(await desk.client(), "qa1", PASSWORD)).status == 303


async def test_given_a_locked_account_then_the_list_says_until_when_and_unlock_opens_it(desk: Desk) -> None:
    client = await desk.client()
    for _ in range(5):
        await login(client, "qa1", "wrong-password")
    assert (await login(client, "qa1")).status == 429
    admin = await desk.logged_in("admin")
    text = await (await admin.get("/admin/users")).text()
    assert 'data-locked="qa1"' in text and "에 풀림" in text
    response = await admin.post("/admin/users/qa1/unlock", data={"csrf_token": await csrf_of(admin)})
    assert response.status == 200 and "잠금을 풀었습니다" in await response.text()
    assert (await login(client, "qa1")).status == 303
    [entry] = desk.audit("account_unlocked")
    assert (entry["actor"], entry["target"], entry["detail"]) == ("admin1", "qa1", "locks=1")


async def test_given_a_role_change_then_the_user_has_the_new_rights_at_once_and_it_is_audited(
    desk: Desk,
) -> None:
    admin = await desk.logged_in("admin")
    qa = await desk.logged_in("qa")
    form = {"role": "supervisor", "csrf_token": await csrf_of(admin)}
    assert (await admin.post("/admin/users/qa1/role", data=form)).status == 200
    assert desk.rows("users", "username = ?", ["qa1"])[0]["role"] == "supervisor"
    assert (await qa.get("/", allow_redirects=False)).status == 303  # logged out: new rights, new session
    [entry] = desk.audit("role_changed")
    assert (entry["actor"], entry["target"], entry["detail"]) == ("admin1", "qa1", "qa->supervisor")


async def test_given_a_bad_role_or_an_admin_demoting_themself_then_400_and_no_change(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    token = await csrf_of(admin)
    assert (
        await admin.post("/admin/users/qa1/role", data={"role": "root", "csrf_token": token})
    ).status == 400
    mine = await admin.post("/admin/users/admin1/role", data={"role": "qa", "csrf_token": token})
    assert mine.status == 400
    assert desk.audit("role_changed") == []


async def test_given_a_non_admin_then_no_account_action(desk: Desk) -> None:
    supervisor = await desk.logged_in("supervisor")
    token = await csrf_of(supervisor)
    for action in ("password", "unlock", "role"):
        response = await supervisor.post(
            f"/admin/users/qa1/{action}", data={"csrf_token": token, "role": "admin"}
        )
        assert response.status == 403, action
    assert desk.audit("role_changed") == [] and desk.audit("account_unlocked") == []
