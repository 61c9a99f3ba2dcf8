"""The fake ARI server and a client of it, for the ARI edge's contract tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ivr.ari.rest import AriRest
from tests.contract.fake_ari import FakeAri


@pytest.fixture
async def ari() -> AsyncIterator[FakeAri]:
    server = FakeAri()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def rest(ari: FakeAri) -> AsyncIterator[AriRest]:
    client = AriRest(ari.url, ari.user, ari.password, timeout=5)
    yield client
    await client.close()
