"""Asterisk restarted (`core restart now`) or killed (SIGKILL) under calls: the service
reconnects, closes the records of the calls that died, and takes new calls again."""

from __future__ import annotations

import os
import signal
import time
import urllib.error

import pytest

from ivr.config import LoadedConfig
from ivr.errors import PbxError
from ivr.pbx import embedded
from tests.integration.conftest import COUNSELOR_PORTS, Service, ari_get, wait_pbx_idle
from tests.integration.sipp import SippLab


def _ari_back(pbx: LoadedConfig, timeout: float = 60.0) -> float:
    """Wait until Asterisk has booted and answers ARI again; the monotonic time it did.

    Asked through the CLI first: while Asterisk boots its HTTP server may take
    a connection and drop it, and urllib then leaves its socket for the GC."""
    inst = embedded.instance_for(pbx)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            embedded.cli(inst, "core waitfullybooted", timeout=5)
            ari_get(pbx, "asterisk/info")
            return time.monotonic()
        except (PbxError, urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
            time.sleep(0.2)
    raise AssertionError(f"Asterisk did not come back in {timeout} s: {last}")


@pytest.mark.parametrize("how", ["core restart now", "SIGKILL"])
def test_asterisk_goes_away_under_calls_records_close_once_and_new_calls_are_taken(
    hotline: Service, lab: SippLab, pbx: LoadedConfig, how: str
) -> None:
    first = lab.counselor(COUNSELOR_PORTS[0], "answer")
    talking = lab.citizen(digits=[(800, "2")], expect_bye_within_ms=60000, caller="01022220001")
    hotline.wait_for_event("connected", timeout=30)
    in_menu = lab.citizen(expect_bye_within_ms=60000, caller="01022220002")
    hotline.wait_for_event_count("call_started", 2, timeout=15)

    inst = embedded.instance_for(pbx)
    if how == "SIGKILL":
        pid = embedded.pid(inst)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        # Nobody's phone hears a BYE from a killed PBX: stop waiting for one.
        for phone in (first, talking, in_menu):
            phone.kill()
        deadline = time.monotonic() + 10
        while embedded.pid(inst) is not None:  # the kill takes a moment to land
            assert time.monotonic() < deadline, "Asterisk survived SIGKILL"
            time.sleep(0.05)
        embedded.start(pbx, inst)  # what an admin (or systemd) does
    else:
        embedded.cli(inst, "core restart now")
    back = _ari_back(pbx)
    hotline.wait_healthy(30)  # the service's app is registered with Asterisk again
    print(f"{how}: the service took calls again {time.monotonic() - back:.1f} s after ARI was back")

    # The calls that died are closed once each, with why.
    calls = hotline.closed_calls(2, timeout=30)
    assert {c["caller"] for c in calls} == {"01022220001", "01022220002"}
    assert len(hotline.query("SELECT id FROM calls")) == 2
    talked = next(c for c in calls if c["caller"] == "01022220001")
    assert talked["disposition"] == "answered" and talked["counselor_id"] == "c1"
    assert talked["ended_at"] is not None
    hotline.wait_log("Asterisk restarted", timeout=30)

    # A new caller is answered and reaches a counselor on the restarted PBX.
    second = lab.counselor(COUNSELOR_PORTS[1], "answer")
    again = lab.citizen(digits=[(800, "3")], hangup_after_ms=5000, caller="01022220003")
    assert again.wait(60) == 0, again.errors()
    newest = hotline.query("SELECT * FROM calls WHERE caller = '01022220003'")[0]
    assert newest["connected_at"] is not None, newest
    assert second.wait(30) == 0, second.errors()
    assert "Traceback" not in hotline.log()
    wait_pbx_idle(pbx)
