"""The standby's web: /healthz says standby and who is active; the desk goes to the active."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ivr.errors import StoreError
from ivr.runtime.standby import Holder
from ivr.web import standby

ACTIVE = Holder("jeonju-a:8080", 7, "http://10.0.0.1:8080", live=True)


class LeaseRow:
    """What the store answers about the lease's holder; `fails` makes it unreachable."""

    def __init__(self) -> None:
        self.holder: Holder | None = ACTIVE
        self.fails = False

    async def read(self) -> Holder | None:
        if self.fails:
            raise StoreError("the lease on postgresql://hotline@db/hotline: connection refused")
        return self.holder


@pytest.fixture
def row() -> LeaseRow:
    return LeaseRow()


@pytest.fixture
async def client(row: LeaseRow) -> AsyncIterator[TestClient[Any, Any]]:
    app = standby.build(row.read, "jeonju-b:8080", lambda: 12.34)
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_healthz_says_standby_and_names_the_active_service(client: TestClient[Any, Any]) -> None:
    r = await client.get("/healthz")
    assert r.status == 200
    assert await r.json() == {
        "healthy": True,
        "role": "standby",
        "name": "jeonju-b:8080",
        "epoch": 7,
        "active": "jeonju-a:8080",
        "active_desk": "http://10.0.0.1:8080",
        "active_live": True,
        "uptime_seconds": 12.3,
    }
    r = await client.get("/healthz/active")  # for a load balancer: not this one
    assert r.status == 503 and (await r.json())["role"] == "standby"


@pytest.mark.parametrize("path", ["/", "/wallboard?queue=general", "/cases/2026-0001", "/login"])
async def test_every_desk_address_goes_to_the_same_address_on_the_active(
    client: TestClient[Any, Any], path: str
) -> None:
    r = await client.get(path, allow_redirects=False)
    assert r.status == 307
    assert r.headers["Location"] == "http://10.0.0.1:8080" + path


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda row: setattr(row, "holder", None), "no service holds the lease"),
        (lambda row: setattr(row, "holder", Holder("a", 7, "http://a", live=False)), "no service holds"),
        (lambda row: setattr(row, "fails", True), "connection refused"),
    ],
)
async def test_with_no_active_known_the_desk_says_so_in_korean_and_tries_again(
    client: TestClient[Any, Any], row: LeaseRow, change: Callable[[LeaseRow], None], why: str
) -> None:
    change(row)
    r = await client.get("/wallboard", allow_redirects=False)
    assert r.status == 503 and r.headers["Retry-After"] == "3"
    page = await r.text()
    assert "예비 서버입니다" in page and why in page


async def test_a_standby_that_cannot_reach_the_records_is_unhealthy(
    client: TestClient[Any, Any], row: LeaseRow
) -> None:
    row.fails = True
    r = await client.get("/healthz")
    assert r.status == 503
    body = await r.json()
    assert (body["healthy"], body["role"]) == (False, "standby") and "connection refused" in body[
        "store_error"
    ]
