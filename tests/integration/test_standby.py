"""Two services on one PostgreSQL and one Asterisk: the active is killed (SIGKILL) while a
citizen talks to a counselor and two wait; the standby takes the lease and serves the next
call, the conversation goes on and the waiting callers are served in their order."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr import config as config_mod
from ivr.store import engine
from tests.integration.conftest import COUNSELOR_PORTS, WEB_PORT, Service, serving, wait_pbx_idle
from tests.integration.sipp import SippLab
from tests.pg_cluster import Cluster

STANDBY_PORT = WEB_PORT + 1  # web ports of other offsets end in 0: this one is ours


@pytest.fixture
def pair(
    pbx: config_mod.LoadedConfig, tmp_path: Path, pg_cluster: Cluster
) -> Iterator[tuple[Service, Service]]:
    url = pg_cluster.fresh()
    (tmp_path / "a").mkdir()
    active = serving(pbx, tmp_path / "a", url)
    # The same config on "the other machine": its own web port and name, the same records.
    other = tmp_path / "b"
    other.mkdir()
    text = active.config_path.read_text().replace(
        f"web: {{port: {WEB_PORT}}}", f"web: {{port: {STANDBY_PORT}}}"
    )
    (other / "config.yaml").write_text(text)
    standby = Service(other / "config.yaml", url, other / "service.log", web_port=STANDBY_PORT)
    standby.start(role="standby")
    yield active, standby
    for service in (standby, active):
        service.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _logged_at(log: str, text: str) -> datetime:
    line = next(line for line in log.splitlines() if text in line)
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")


def _wait_role(service: Service, role: str, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, body = service.health()
        except OSError:
            status, body = 0, {}
        if status == 200 and body.get("role") == role and body.get("app_registered", True):
            return body
        time.sleep(0.02)
    raise AssertionError(f"not {role} after {timeout} s:\n{service.log()[-4000:]}")


def test_the_active_killed_the_standby_takes_over_and_nobody_loses_their_place(
    pair: tuple[Service, Service], lab: SippLab, pbx: config_mod.LoadedConfig
) -> None:
    a, b = pair
    assert a.health()[1]["epoch"] == 1
    standing = b.health()[1]
    assert (standing["role"], standing["epoch"], standing["active_desk"]) == (
        "standby",
        1,
        f"http://127.0.0.1:{WEB_PORT}",
    )
    # The standby's desk sends browsers to the active's.
    request = urllib.request.Request(f"http://127.0.0.1:{STANDBY_PORT}/wallboard")
    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=5)
    assert (moved.value.code, moved.value.headers["Location"]) == (
        307,
        f"http://127.0.0.1:{WEB_PORT}/wallboard",
    )
    # The `tax` line has one counselor (c1): X talks to them, Y then Z wait behind.
    c1 = lab.counselor(COUNSELOR_PORTS[0], "answer", calls=3)
    c2 = lab.counselor(COUNSELOR_PORTS[1], "answer")
    x = lab.citizen(digits=[(800, "2")], hangup_after_ms=18000, caller="01022220001")
    a.wait_for_event("connected", timeout=30)
    y = lab.citizen(digits=[(800, "2")], hangup_after_ms=24000, caller="01022220002")
    a.wait_for_event_count("queue_entered", 2, timeout=15)
    z = lab.citizen(digits=[(800, "2")], hangup_after_ms=30000, caller="01022220003")
    a.wait_for_event_count("queue_entered", 3, timeout=15)

    killed = time.monotonic()
    killed_at = datetime.now(UTC)
    a.kill()
    _wait_role(b, "active", timeout=30)
    took_over = time.monotonic() - killed
    assert b.health()[1]["epoch"] == 2
    # The next call: the `welfare` line (c1, c2); c1 is still talking to X, so c2 answers.
    w = lab.citizen(digits=[(800, "3")], hangup_after_ms=6000, caller="01022220004")
    deadline = time.monotonic() + 30
    while not b.query("SELECT id FROM calls WHERE caller = '01022220004' AND connected_at IS NOT NULL"):
        assert time.monotonic() < deadline, b.log()[-4000:]
        time.sleep(0.05)
    served = time.monotonic() - killed
    [row] = b.query("SELECT answered_at FROM calls WHERE caller = '01022220004'")
    answered = (datetime.fromisoformat(row["answered_at"]) - killed_at).total_seconds()
    starting = (_logged_at(b.log(), "is up: web on") - _logged_at(b.log(), "is now active")).total_seconds()
    print(f"standby: from the lease taken to the service up: {starting:.2f} s")
    print(
        f"standby: active after {took_over:.2f} s from kill -9; the next call answered by the IVR"
        f" {answered:.2f} s after, connected to a counselor {served:.2f} s after (its menu included)"
    )

    for phone in (x, y, z, w):
        assert phone.wait(90) == 0, phone.errors()
    calls = {row["caller"][-1]: row for row in b.closed_calls(4, timeout=30)}
    assert len(b.query("SELECT id FROM calls")) == 4  # nobody recorded twice
    assert [calls[k]["disposition"] for k in "1234"] == ["answered"] * 4
    assert [calls[k]["counselor_id"] for k in "1234"] == ["c1", "c1", "c1", "c2"]
    assert calls["1"]["connected_at"] < calls["2"]["connected_at"] < calls["3"]["connected_at"]
    for k in "23":
        log = [
            r["event"]
            for r in b.query("SELECT event FROM queue_log WHERE call_id = ? ORDER BY id", (calls[k]["id"],))
        ]
        assert log.count("entered") == 1 and log[-2:] == ["connected", "completed_caller"], log
    assert c1.wait(30) == 0, c1.errors()
    assert c2.wait(30) == 0, c2.errors()
    wait_pbx_idle(pbx)
    assert "Traceback" not in a.log() + b.log()
    # Another takes the lease (what a partitioned active finds when it is back): b stops at once.
    db = engine.connect(b.database)
    try:
        db.execute("UPDATE service_lease SET epoch = epoch + 1, holder = 'elsewhere'")
    finally:
        db.close()
    assert b.proc is not None and b.proc.wait(10) == 75
    assert "steps down (lease epoch 2 not kept)" in b.log()
