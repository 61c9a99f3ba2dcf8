"""A real desk on a real SQLite file, a clock the tests move, and logged-in clients."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from ivr import config
from ivr.acd.counselor_model import Counselor, CounselorRules
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.routing import QueueConfig
from ivr.admin import users
from ivr.admin.flows import load_flows
from ivr.config import LoadedConfig
from ivr.flows.registry import FlowRegistry
from ivr.protection.call_length import CallLengthTimer, LengthLimit, LimitRefused
from ivr.store import engine
from ivr.store.call_tables import create_schema as create_call_schema
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema
from ivr.web.context import DeskDeps, FlowsSetup
from ivr.web.desk import build_desk

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "jeonju-2221000!"
# role -> the username seeded with that role
USERS = {"admin": "admin1", "supervisor": "super1", "qa": "qa1", "counselor": "couns1", "editor": "editor1"}
EDITOR_DEPARTMENT = "tax"  # editor1 edits the tax department's articles
COUNSELORS = {"c1": "김상담", "c2": "이상담"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class FakeClock:
    """now() in UTC; tests move it forward."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Monotonic:
    """The dispatcher's clock; tests move it."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


_ROOTS: dict[str, Path] = {}  # a PostgreSQL schema's URL -> the test's folder


def site_root(db_path: Path | str) -> Path:
    """The test's folder (recordings, var/): beside a SQLite file, or the test's own for PostgreSQL."""
    return db_path.parent if isinstance(db_path, Path) else _ROOTS[db_path]


class Desk:
    """The running desk: make clients, log them in, read the database, drive the queue."""

    def __init__(self, server: TestServer, db_path: Path, clock: FakeClock, acd: Dispatcher) -> None:
        self.server = server
        self.db_path = db_path
        self.root = site_root(db_path)
        self.clock = clock
        self.acd = acd
        self.sent: list[tuple[str, str]] = []
        self._clients: list[TestClient[Any, Any]] = []

    async def client(self) -> TestClient[Any, Any]:
        """A new browser: its own cookie jar, nobody logged in."""
        client: TestClient[Any, Any] = TestClient(self.server)
        await client.start_server()
        self._clients.append(client)
        return client

    async def logged_in(self, role: str) -> TestClient[Any, Any]:
        client = await self.client()
        response = await login(client, USERS[role])
        assert response.status == 303, await response.text()
        return client

    def rows(
        self, table: str, where: str | None = None, args: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        db = engine.connect(self.db_path)
        try:
            return list(db.table(table).rows_where(where, args or []))
        finally:
            db.close()

    def audit(self, action: str) -> list[dict[str, Any]]:
        return self.rows("audit", "action = ?", [action])

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """A row as the service writes it (call records before the desk's first request too)."""
        db = engine.connect(self.db_path)
        try:
            create_call_schema(db)
            db.table(table).insert(row, alter=False)
        finally:
            db.close()

    async def close(self) -> None:
        for client in self._clients:
            await client.close()


def csrf_in(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no csrf-token meta tag"
    return found.group(1)


async def csrf_of(client: TestClient[Any, Any], path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    response = await client.get(path)
    return csrf_in(await response.text())


async def login(
    client: TestClient[Any, Any], username: str, password: str = PASSWORD, next_: str | None = None
) -> ClientResponse:
    """Open the log-in page, then submit it (without following the redirect)."""
    page = await client.get("/login")
    form = {"csrf_token": csrf_in(await page.text()), "username": username, "password": password}
    if next_ is not None:
        form["next"] = next_
    return await client.post("/login", data=form, allow_redirects=False)


def session_cookie(client: TestClient[Any, Any]) -> str | None:
    for cookie in client.session.cookie_jar:
        if cookie.key == "hotline_session":
            return cookie.value
    return None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The desk's records: a SQLite file, or with HOTLINE_TEST_STORE=postgresql a new schema on
    the session's PostgreSQL (the desk's whole suite on that engine: docs/scaling.md)."""
    path = tmp_path / "hotline.sqlite3"
    if os.environ.get("HOTLINE_TEST_STORE") == "postgresql":
        path = request.getfixturevalue("pg_cluster").fresh()
        _ROOTS[path] = tmp_path
    for role, username in USERS.items():
        counselor_id = "c1" if role == "counselor" else None
        department = EDITOR_DEPARTMENT if role == "editor" else None
        users.add_user(
            path,
            username,
            f"{role} 담당",
            role,
            PASSWORD,
            counselor_id=counselor_id,
            actor="pytest",
            department=department,
        )
    return path


def dispatcher(monotonic: Monotonic) -> Dispatcher:
    """The live queue of COUNSELORS, everybody logged out, one queue."""
    return Dispatcher(
        [Counselor(cid, skills={"general": 1}) for cid in COUNSELORS],
        [QueueConfig("general")],
        CounselorRules(wrap_up_seconds=30, ring_timeout_seconds=60),
        monotonic,
    )


@pytest.fixture
async def desk(db_path: Path, clock: FakeClock) -> AsyncIterator[Desk]:
    db = Database(db_path, create_schema)
    db.start()
    acd = dispatcher(Monotonic())
    sent: list[tuple[str, str]] = []  # call commands the desk passed on to the calls

    def call_command(call_id: str, command: str) -> bool:
        sent.append((call_id, command))
        return True

    # Conversations' call-length limits, as the call service keeps them (15 and 20 minutes).
    limits = {"call-7": CallLengthTimer(LengthLimit(900, 1200, 600), started=0.0)}

    def extend_call(call_id: str, reason: str, by: str) -> float:
        if call_id not in limits:
            raise LimitRefused("통화 중이 아닙니다.", "That call is not in a conversation here.")
        return limits[call_id].extend(reason)

    app = build_desk(
        DeskDeps(
            db,
            counselors=COUNSELORS,
            clock=clock,
            acd=acd,
            call_command=call_command,
            call_length=lambda call_id: limits[call_id].view(60.0) if call_id in limits else None,
            extend_call=extend_call,
            departments=["세무과", "복지과"],
            recordings_root=site_root(db_path) / "recordings",
            queues={"general": "일반 상담", "tax": "세금 상담"},
            evidence_dir=site_root(db_path) / "var" / "evidence",
            cases=config.case_rules(config.CaseSettings()),
        )
    )
    server = TestServer(app)
    harness = Desk(server, db_path, clock, acd)
    harness.sent = sent
    try:
        yield harness
    finally:
        await harness.close()
        await server.close()
        db.close()


FLOWS_CONFIG = """
hotline: {number: "2221000", flow: hotline, flows_dir: callflows}
asterisk: {embedded: false, ari_password: test-only}
counselors:
  - {id: c1, name: 김상담, endpoint: counselor01}
  - {id: c2, name: 이상담, endpoint: counselor02}
queues:
  general: {name: 일반 상담}
  foreign: {name: 외국어 상담, counselors: [c2]}
storage: {database: DATABASE, state_dir: var}
"""


class FlowsDesk(Desk):
    """The desk with its flow pages over a copy of callflows/, and the flows the "service" took."""

    def __init__(self, server: TestServer, db_path: Path, clock: FakeClock, cfg: LoadedConfig) -> None:
        super().__init__(server, db_path, clock, dispatcher(Monotonic()))
        self.cfg = cfg
        self.flows_dir = cfg.path.parent / "callflows"
        self.running = FlowRegistry(cfg.settings.hotline.flow)
        self.reloads = 0

    def text(self, name: str = "hotline") -> str:
        return (self.flows_dir / f"{name}.yaml").read_text(encoding="utf-8")

    def live_text(self, name: str = "hotline") -> str:
        """The flow as the running registry serves it to new calls."""
        return self.running.get(name)[0].source


@pytest.fixture
async def flows_desk(db_path: Path, clock: FakeClock, tmp_path: Path) -> AsyncIterator[FlowsDesk]:
    """A desk with /flows over its own copy of the project's callflows/ (tests edit it freely),
    and a reload that swaps the folder into a real FlowRegistry, as the service does."""
    shutil.copytree(ROOT / "callflows", tmp_path / "callflows")
    path = tmp_path / "config.yaml"
    path.write_text(FLOWS_CONFIG.replace("DATABASE", str(db_path)), encoding="utf-8")
    cfg = config.load(path)
    db = Database(db_path, create_schema)
    db.start()
    harness: FlowsDesk | None = None

    async def reload() -> None:
        assert harness is not None
        harness.running.swap(await asyncio.to_thread(load_flows, cfg))
        harness.reloads += 1

    app = build_desk(DeskDeps(db, counselors=COUNSELORS, clock=clock, flows=FlowsSetup(cfg, reload=reload)))
    server = TestServer(app)
    harness = FlowsDesk(server, db_path, clock, cfg)
    harness.running.swap(load_flows(cfg))
    try:
        yield harness
    finally:
        await harness.close()
        await server.close()
        db.close()
