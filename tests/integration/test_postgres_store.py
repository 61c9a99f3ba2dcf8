"""The hotline on PostgreSQL (storage.database: postgresql://...): the same call, the same
record, and a service killed mid-conversation picks the call up again from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr import config as config_mod
from tests.integration.conftest import Service, serving
from tests.integration.sipp import SippLab
from tests.integration.test_first_call import a_conversation_outlives_the_service_killed
from tests.pg_cluster import Cluster


@pytest.fixture
def hotline_pg(pbx: config_mod.LoadedConfig, tmp_path: Path, pg_cluster: Cluster) -> Iterator[Service]:
    service = serving(pbx, tmp_path, pg_cluster.fresh())
    yield service
    service.stop()


def test_on_postgresql_a_call_killed_mid_conversation_is_recorded_once_as_on_sqlite(
    hotline_pg: Service, lab: SippLab
) -> None:
    call = a_conversation_outlives_the_service_killed(hotline_pg, lab)
    assert call["caller"] == "01012345678"
    events = [r["event"] for r in hotline_pg.query("SELECT event FROM queue_log ORDER BY id")]
    assert events[:3] == ["entered", "offered", "connected"]
    assert "Traceback" not in hotline_pg.log()
