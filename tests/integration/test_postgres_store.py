"""The hotline on PostgreSQL (storage.database: postgresql://...): the same call, the same
record, and a service killed mid-conversation picks the call up again from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr import config as config_mod
from tests.integration.conftest import COUNSELOR_PORTS, Service, serving
from tests.integration.sipp import SippLab
from tests.pg_cluster import Cluster


@pytest.fixture
def hotline_pg(pbx: config_mod.LoadedConfig, tmp_path: Path, pg_cluster: Cluster) -> Iterator[Service]:
    service = serving(pbx, tmp_path, pg_cluster.fresh())
    yield service
    service.stop()


def test_on_postgresql_a_call_killed_mid_conversation_is_recorded_once_as_on_sqlite(
    hotline_pg: Service, lab: SippLab
) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(1000, "0")], hangup_after_ms=20000)
    hotline_pg.wait_for_event("connected", timeout=40)

    hotline_pg.kill()
    hotline_pg.start()

    assert citizen.wait(60) == 0, citizen.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    [call] = hotline_pg.closed_calls(1)
    assert (call["disposition"], call["hangup_by"], call["counselor_id"]) == ("answered", "caller", "c1")
    assert call["caller"] == "01012345678" and call["billable_seconds"] > 10
    assert len(hotline_pg.query("SELECT id FROM calls")) == 1
    kinds = [k for k, _ in hotline_pg.timeline(call["id"])]
    assert kinds[:2] == ["call_started", "answered"]
    assert kinds.count("connected") == 1 and "resumed" in kinds and kinds[-1] == "call_ended"
    events = [r["event"] for r in hotline_pg.query("SELECT event FROM queue_log ORDER BY id")]
    assert events[:3] == ["entered", "offered", "connected"]
    assert "Traceback" not in hotline_pg.log()
