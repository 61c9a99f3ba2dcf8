"""/admin/phones: admins only; a password shown once, in the answer to a POST with the CSRF
token, audited, and never in any GET; a new password after a confirmation, audited."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ivr import config
from ivr.admin import phones
from ivr.config import LoadedConfig
from ivr.errors import PbxError
from ivr.pbx.embedded import load_secrets
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema
from ivr.web.context import DeskDeps, PhonesSetup
from ivr.web.desk import build_desk
from tests.web.conftest import COUNSELORS, USERS, Desk, FakeClock, Monotonic, csrf_of, dispatcher

PHONES_CONFIG = """
asterisk: {root: ROOT, sip_address: 10.20.0.5}
counselors:
  - {id: c1, name: 김상담, endpoint: counselor01}
  - {id: c2, name: 이상담, endpoint: counselor02, contact: "sip:10.20.0.12:5060"}
supervisors:
  - {id: s1, name: 박감독, endpoint: supervisor01}
storage: {database: DATABASE, state_dir: var}
"""
PAGES = ["/admin/phones", "/admin/phones/counselor01/rotate"]
ACTIONS = ["/admin/phones/counselor01/account", "/admin/phones/counselor01/rotate"]


class FakeAsterisk:
    """ARI's endpoint states, and the PBX a new password is handed to (or that refuses it)."""

    def __init__(self) -> None:
        self.states: dict[str, str] | None = {"counselor01": "online", "supervisor01": "offline"}
        self.refusal: str | None = None
        self.handed: list[str] = []

    async def read(self) -> Mapping[str, str]:
        if self.states is None:
            raise PbxError(phones.NOT_RUNNING)
        return self.states

    def apply(self, cfg: LoadedConfig) -> bool:
        if self.refusal:
            raise PbxError(self.refusal)
        self.handed.append(password(cfg, "counselor01"))
        return True


class PhonesDesk(Desk):
    def __init__(self, server: TestServer, db_path: Path, clock: FakeClock, cfg: LoadedConfig) -> None:
        super().__init__(server, db_path, clock, dispatcher(Monotonic()))
        self.cfg = cfg
        self.asterisk = FakeAsterisk()

    def password(self, endpoint: str = "counselor01") -> str:
        return password(self.cfg, endpoint)

    def untouched(self, before: str) -> bool:
        """Nothing shown or changed: the same password saved, none handed to Asterisk, no audit row."""
        shown_or_rotated = self.audit(phones.SHOWN) + self.audit(phones.ROTATED)
        return self.password() == before and self.asterisk.handed == [] and shown_or_rotated == []


def password(cfg: LoadedConfig, endpoint: str) -> str:
    """The phone's password in secrets.json (made as the service's start makes it, if missing)."""
    return load_secrets(cfg).phones[endpoint]


@pytest.fixture
async def phones_desk(db_path: Path, clock: FakeClock, tmp_path: Path) -> AsyncIterator[PhonesDesk]:
    path = tmp_path / "config.yaml"
    text = PHONES_CONFIG.replace("DATABASE", str(db_path)).replace("ROOT", str(tmp_path / "root"))
    path.write_text(text, encoding="utf-8")
    cfg = config.load(path)
    db = Database(db_path, create_schema)
    db.start()
    harness: PhonesDesk | None = None

    async def states() -> Mapping[str, str]:
        assert harness is not None
        return await harness.asterisk.read()

    def apply(cfg: LoadedConfig) -> bool:
        assert harness is not None
        return harness.asterisk.apply(cfg)

    setup = PhonesSetup(cfg, states, apply)
    server = TestServer(build_desk(DeskDeps(db, counselors=COUNSELORS, clock=clock, phones=setup)))
    harness = PhonesDesk(server, db_path, clock, cfg)
    try:
        yield harness
    finally:
        await harness.close()
        await server.close()
        db.close()


async def test_these_tests_cover_every_phone_route(phones_desk: PhonesDesk) -> None:
    app = phones_desk.server.app
    assert app is not None
    routes = {
        (r.method, r.resource.canonical)
        for r in app.router.routes()
        if r.method != "HEAD" and r.resource and r.resource.canonical.startswith("/admin/phones")
    }
    template = "/admin/phones/{endpoint}"
    assert routes == {
        ("GET", "/admin/phones"),
        ("GET", f"{template}/rotate"),
        ("POST", f"{template}/account"),
        ("POST", f"{template}/rotate"),
    }


async def test_given_nobody_logged_in_then_sent_to_log_in(phones_desk: PhonesDesk) -> None:
    client = await phones_desk.client()
    for path in PAGES:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login?next="), path
    for path in ACTIONS:
        response = await client.post(path, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/login"), path


@pytest.mark.parametrize("role", sorted(set(USERS) - {"admin"}))
async def test_given_a_role_other_than_admin_then_403_and_no_password_shown_or_changed(
    phones_desk: PhonesDesk, role: str
) -> None:
    before = phones_desk.password()
    client = await phones_desk.logged_in(role)
    for path in PAGES:
        response = await client.get(path)
        assert response.status == 403, path
        assert "권한" in await response.text()
    token = await csrf_of(client)
    for path in ACTIONS:
        response = await client.post(path, data={"csrf_token": token})
        assert response.status == 403, path
        assert before not in await response.text()
    assert phones_desk.untouched(before)


async def test_the_list_shows_each_phone_its_kind_and_registration_but_no_password(
    phones_desk: PhonesDesk,
) -> None:
    client = await phones_desk.logged_in("admin")
    response = await client.get("/admin/phones")
    assert response.status == 200
    text = await response.text()
    assert '<td data-state="registered">등록됨' in text
    assert '<td data-state="not_registered">등록 안 됨' in text
    assert '고정 주소<span class="en"> · fixed address</span> <code>sip:10.20.0.12:5060</code>' in text
    assert "감독자 · Supervisor" in text
    assert "비밀번호 보기" in text and "비밀번호 바꾸기" in text
    assert phones_desk.password() not in text
    assert phones_desk.password("supervisor01") not in text


async def test_given_asterisk_not_running_then_the_list_says_so(phones_desk: PhonesDesk) -> None:
    phones_desk.asterisk.states = None
    client = await phones_desk.logged_in("admin")
    text = await (await client.get("/admin/phones")).text()
    assert "Asterisk가 실행 중이 아닙니다" in text
    assert '<td data-state="not_read">' in text


@pytest.mark.parametrize("path", ACTIONS)
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
async def test_given_no_valid_csrf_token_then_403_nothing_shown_and_nothing_changed(
    phones_desk: PhonesDesk, path: str, token: str | None
) -> None:
    client = await phones_desk.logged_in("admin")
    before = phones_desk.password()
    response = await client.post(path, data={} if token is None else {"csrf_token": token})
    assert response.status == 403
    text = await response.text()
    assert "CSRF" in text and before not in text
    assert phones_desk.untouched(before)


async def test_show_password_answers_the_post_only_audited_and_no_get_ever_has_it(
    phones_desk: PhonesDesk,
) -> None:
    client = await phones_desk.logged_in("admin")
    token = await csrf_of(client, "/admin/phones")
    response = await client.post("/admin/phones/counselor01/account", data={"csrf_token": token})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = await response.text()
    secret = phones_desk.password()
    assert f"<code>{secret}</code>" in text
    assert "<code>10.20.0.5</code>" in text and "<code>5060</code>" in text
    assert f"<code>&lt;sip:counselor01@10.20.0.5:5060;transport=udp&gt;;auth_pass={secret}</code>" in text
    [row] = phones_desk.audit(phones.SHOWN)
    assert (row["actor"], row["target"], row["detail"]) == ("admin1", "c1", "endpoint=counselor01 via=web")
    assert row["ip"] == "127.0.0.1" and row["at"]
    assert secret not in json.dumps(phones_desk.rows("audit"))
    for path in [*PAGES, "/", "/api/me", "/admin/users", "/admin/phones?rotated=counselor01"]:
        got = await client.get(path)
        assert got.status == 200, path
        assert secret not in await got.text(), path


async def test_a_phone_on_a_fixed_address_has_no_password_and_a_phone_not_in_the_config_is_404(
    phones_desk: PhonesDesk,
) -> None:
    client = await phones_desk.logged_in("admin")
    token = await csrf_of(client, "/admin/phones")
    response = await client.post("/admin/phones/counselor02/account", data={"csrf_token": token})
    assert response.status == 409
    assert "비밀번호가 없습니다" in await response.text()
    assert (await client.get("/admin/phones/counselor02/rotate")).status == 409
    for path in ("/admin/phones/nobody/account", "/admin/phones/..%2Fsecrets/rotate"):
        response = await client.post(path, data={"csrf_token": token})
        assert response.status == 404, path
        assert "전화기가 없습니다" in await response.text()
    assert phones_desk.audit(phones.SHOWN) == []


async def test_rotate_asks_first_then_makes_a_new_password_hands_it_to_asterisk_and_audits_it(
    phones_desk: PhonesDesk,
) -> None:
    client = await phones_desk.logged_in("admin")
    old = phones_desk.password()
    confirm = await client.get("/admin/phones/counselor01/rotate")
    assert confirm.status == 200
    text = await confirm.text()
    assert "진행 중인 통화는 끊기지 않습니다" in text
    assert 'action="/admin/phones/counselor01/rotate"' in text
    assert phones_desk.password() == old  # asking changes nothing
    response = await client.post(
        "/admin/phones/counselor01/rotate", data={"csrf_token": await csrf_of(client)}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == "/admin/phones?rotated=counselor01"
    new = phones_desk.password()
    assert new != old and phones_desk.asterisk.handed == [new]
    [row] = phones_desk.audit(phones.ROTATED)
    assert (row["actor"], row["target"]) == ("admin1", "c1")
    assert row["detail"] == "endpoint=counselor01 reloaded via=web"
    page = await (await client.get(response.headers["Location"])).text()
    assert "counselor01 전화기의 비밀번호를 바꾸었습니다" in page
    assert new not in page and old not in page


async def test_given_asterisk_refuses_the_new_password_then_the_admin_is_told_and_it_is_audited(
    phones_desk: PhonesDesk,
) -> None:
    phones_desk.asterisk.refusal = "Asterisk did not reload PJSIP"
    client = await phones_desk.logged_in("admin")
    token = await csrf_of(client, "/admin/phones")
    response = await client.post("/admin/phones/counselor01/rotate", data={"csrf_token": token})
    assert response.status == 500
    text = await response.text()
    assert "적용하지 못했습니다" in text and "Asterisk did not reload PJSIP" in text
    assert phones_desk.password() not in text
    [row] = phones_desk.audit(phones.ROTATED)
    assert row["detail"] == "endpoint=counselor01 reload failed: Asterisk did not reload PJSIP via=web"


async def test_the_home_page_links_the_phones_for_admins_only(phones_desk: PhonesDesk) -> None:
    admin = await phones_desk.logged_in("admin")
    assert 'href="/admin/phones"' in await (await admin.get("/")).text()
    supervisor = await phones_desk.logged_in("supervisor")
    assert "/admin/phones" not in await (await supervisor.get("/")).text()
