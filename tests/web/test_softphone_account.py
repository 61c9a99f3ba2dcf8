"""/api/softphone/account: the browser phone's password goes to its own counselor only,
audited; the counselor page carries the softphone (and lets it reach the WebSocket) only
on their own desk; the local CA certificate is public."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ivr import config
from ivr.admin.softphone import Softphones
from ivr.pbx import tls
from ivr.pbx.embedded import load_secrets
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema
from ivr.web.context import DeskDeps
from ivr.web.desk import build_desk
from tests.web.conftest import COUNSELORS, Desk, FakeClock, Monotonic, dispatcher

CONFIG = """
asterisk: {embedded: false, ari_password: test-only, wss_address: 10.20.0.5, wss_port: 8443}
counselors:
  - {id: c1, name: 김상담, endpoint: counselor01, phones: [desk, browser]}
  - {id: c2, name: 이상담, endpoint: counselor02}
supervisors:
  - {id: s1, name: 박감독, endpoint: desk-s1, user: super1, phones: [desk, browser]}
storage: {database: DATABASE, state_dir: var}
"""
QUEUES = {"general": "일반 상담", "foreign": "외국어 상담"}


@pytest.fixture
async def phone_desk(db_path: Path, clock: FakeClock, tmp_path: Path) -> AsyncIterator[tuple[Desk, Path]]:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.replace("DATABASE", str(db_path)), encoding="utf-8")
    cfg = config.load(path)
    db = Database(db_path, create_schema)
    db.start()
    acd = dispatcher(Monotonic())
    sent: list[tuple[str, str]] = []  # the commands the desk passed on to the calls

    def call_command(call_id: str, command: str) -> bool:
        sent.append((call_id, command))
        return True

    deps = DeskDeps(
        db,
        counselors=COUNSELORS,
        clock=clock,
        acd=acd,
        softphone=Softphones(cfg),
        call_command=call_command,
        queues=QUEUES,
    )
    server = TestServer(build_desk(deps))
    harness = Desk(server, db_path, clock, acd)
    harness.sent = sent
    try:
        yield harness, tmp_path / "var"
    finally:
        await harness.close()
        await server.close()
        db.close()


async def test_given_the_counselor_when_asking_for_their_account_then_it_comes_once_audited(
    phone_desk: tuple[Desk, Path],
) -> None:
    desk, state = phone_desk
    client = await desk.logged_in("counselor")  # linked to c1
    response = await client.get("/api/softphone/account")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    account = await response.json()
    assert account["ws_url"] == "wss://10.20.0.5:8443/ws"
    assert account["uri"] == "sip:counselor01-web@10.20.0.5"
    assert (
        account["password"]
        == load_secrets(config.load(state.parent / "config.yaml")).phones["counselor01-web"]
    )
    [row] = desk.audit("softphone_account")
    assert (row["actor"], row["target"]) == ("couns1", "counselor01-web")


@pytest.mark.parametrize("role", ["admin", "qa"])
async def test_given_another_role_when_asking_for_an_account_then_refused(
    phone_desk: tuple[Desk, Path], role: str
) -> None:
    desk, _ = phone_desk
    client = await desk.logged_in(role)
    response = await client.get("/api/softphone/account")
    assert response.status == 403
    assert "password" not in await response.text()
    assert desk.audit("softphone_account") == []


async def test_the_softphone_is_on_the_counselors_own_desk_only(phone_desk: tuple[Desk, Path]) -> None:
    desk, _ = phone_desk
    own = await (await desk.logged_in("counselor")).get("/counselor/c1")
    assert 'id="softphone"' in await own.text() and "/static/jssip.min.js" in await own.text()
    assert "connect-src 'self' wss://10.20.0.5:8443" in own.headers["Content-Security-Policy"]
    looked_at = await (await desk.logged_in("supervisor")).get("/counselor/c1")
    assert 'id="softphone"' not in await looked_at.text()
    assert "wss:" not in looked_at.headers["Content-Security-Policy"]


async def test_the_local_ca_is_offered_to_anyone_once_made(phone_desk: tuple[Desk, Path]) -> None:
    desk, state = phone_desk
    client = await desk.client()
    assert 'href="/softphone/ca.pem"' in await (await client.get("/login")).text()
    assert (await client.get("/softphone/ca.pem")).status == 404
    made = tls.ensure(state, ["10.20.0.5"])
    response = await client.get("/softphone/ca.pem")
    assert response.status == 200 and await response.read() == made.ca_cert.read_bytes()
    assert b"PRIVATE KEY" not in await response.read()


async def test_given_a_call_when_the_counselor_transfers_then_only_available_colleagues_are_listed_and_taken(
    phone_desk: tuple[Desk, Path],
) -> None:
    from ivr.acd.counselor_model import Event, PauseReason
    from tests.web.conftest import csrf_of

    desk, _ = phone_desk
    for cid in ("c1", "c2"):
        desk.acd.apply(cid, Event.login())
    desk.acd.apply("c1", Event.offer("call-7"))
    desk.acd.apply("c1", Event.answer("call-7"))
    client = await desk.logged_in("counselor")  # c1
    token = await csrf_of(client)
    assert await (await client.get("/api/counselor/c1/colleagues")).json() == [{"id": "c2", "name": "이상담"}]
    assert (await client.get("/api/counselor/c2/colleagues")).status == 403  # not their desk
    sent = await client.post(
        "/api/counselor/c1/call", json={"command": "colleague:c2"}, headers={"X-CSRF-Token": token}
    )
    assert sent.status == 202, await sent.text()
    assert desk.sent == [("call-7", "colleague:c2")]

    desk.acd.apply("c2", Event.pause(PauseReason.MEAL))  # no longer available
    assert await (await client.get("/api/counselor/c1/colleagues")).json() == []
    refused = await client.post(
        "/api/counselor/c1/call", json={"command": "colleague:c2"}, headers={"X-CSRF-Token": token}
    )
    assert refused.status == 400 and len(desk.sent) == 1
    [first, *_] = desk.audit("call_command")
    assert first["detail"] == "colleague:c2 sent"


async def test_given_a_call_when_the_counselor_sends_the_caller_to_a_queue_then_only_a_known_queue_goes(
    phone_desk: tuple[Desk, Path],
) -> None:
    from ivr.acd.counselor_model import Event
    from tests.web.conftest import csrf_of

    desk, _ = phone_desk
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.offer("call-7"))
    desk.acd.apply("c1", Event.answer("call-7"))
    client = await desk.logged_in("counselor")  # c1
    page = await (await client.get("/counselor/c1")).text()
    assert 'id="sp-queue"' in page and '<option value="foreign">외국어 상담</option>' in page
    token = await csrf_of(client)
    sent = await client.post(
        "/api/counselor/c1/call", json={"command": "queue:foreign"}, headers={"X-CSRF-Token": token}
    )
    assert sent.status == 202 and desk.sent == [("call-7", "queue:foreign")]
    refused = await client.post(
        "/api/counselor/c1/call", json={"command": "queue:nowhere"}, headers={"X-CSRF-Token": token}
    )
    assert refused.status == 400 and "그런 상담 줄이 없습니다" in (await refused.json())["message"]
    assert len(desk.sent) == 1
    assert [a["detail"] for a in desk.audit("call_command")] == ["queue:foreign sent"]


async def test_given_a_supervisor_with_a_browser_phone_then_their_wallboard_registers_it(
    phone_desk: tuple[Desk, Path],
) -> None:
    desk, state = phone_desk
    client = await desk.logged_in("supervisor")  # super1: supervisors[].user
    response = await client.get("/api/softphone/account")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    account = await response.json()
    assert account["uri"] == "sip:desk-s1-web@10.20.0.5" and account["display_name"] == "박감독"
    secrets = load_secrets(config.load(state.parent / "config.yaml"))
    assert account["password"] == secrets.phones["desk-s1-web"]
    [row] = desk.audit("softphone_account")
    assert (row["actor"], row["target"]) == ("super1", "desk-s1-web")
    board = await client.get("/wallboard")
    page = await board.text()
    assert 'id="softphone"' in page and "/static/softphone.js" in page
    assert "connect-src 'self' wss://10.20.0.5:8443" in board.headers["Content-Security-Policy"]
    assert 'id="sp-colleague"' not in page and 'id="sp-queue"' not in page  # no transfers here
    kiosk = await (await client.get("/wallboard/kiosk")).text()
    assert 'id="softphone"' not in kiosk  # the TV registers nothing
