"""The number never goes dead: service down, service stopping."""

from __future__ import annotations

import time
import wave
from pathlib import Path

from ivr import config as config_mod
from ivr.pbx import embedded
from tests.integration.conftest import COUNSELOR_PORTS, INSTANCE, OFFSET, SIP_PORT, Service
from tests.integration.fallback_help import calls_of, fresh_caller, service_with, wait_members
from tests.integration.sipp import SippLab


def prompt_seconds(cfg: config_mod.LoadedConfig, prompt: str) -> float:
    root = embedded.instance_for(cfg).root
    path = root / "usr/share/asterisk/sounds/ko/jeonju" / f"{prompt}.wav"
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_with_the_service_down_callers_hear_the_fallback_prompt(
    pbx: config_mod.LoadedConfig, tmp_path: Path
) -> None:
    # No counselor is logged in, so the fallback queue has nobody to ring: the
    # caller must hear the polite prompt at once, not hold music, not silence.
    caller = fresh_caller()
    service = service_with(pbx, tmp_path, logged_in=set())
    service.start()
    try:
        wait_members(pbx, {})
        assert service.stop() == 0
        lab = SippLab(tmp_path, ("127.0.0.1", SIP_PORT), port_offset=OFFSET * 10)
        try:
            started = time.monotonic()
            citizen = lab.citizen(expect_bye_within_ms=60000, caller=caller)
            assert citizen.wait(90) == 0, citizen.errors()
            held = time.monotonic() - started
        finally:
            lab.close()
        # Asterisk answered and played the "please call again" prompt twice
        # before hanging up: the caller was neither refused nor met with silence,
        # and did not wait out fallback.max_wait_seconds (6 s here) first.
        prompts = 2 * prompt_seconds(pbx, "fallback-sorry")
        assert prompts <= held < prompts + 5
        service.start()  # back: the call is on record like any other
        [call] = calls_of(service, caller)
        assert (call["disposition"], call["hangup_by"]) == ("fallback_no_counselor", "system")
        assert dict(service.timeline(call["id"]))["fallback_prompt"] == {"queue_status": "JOINEMPTY"}
    finally:
        service.stop()


def test_sigterm_drains_new_callers_go_to_the_fallback_and_menu_callers_too(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    in_menu = lab.citizen(expect_bye_within_ms=90000)
    hotline.wait_for_event("answered")
    assert hotline.proc is not None
    assert hotline.health()[0] == 200
    hotline.proc.terminate()  # SIGTERM: drain for service.drain_seconds (5 s here)
    deadline = time.monotonic() + 5
    status, health = hotline.health()
    while not health.get("draining") and time.monotonic() < deadline:
        time.sleep(0.02)
        status, health = hotline.health()
    newcomer = lab.citizen(expect_bye_within_ms=90000, caller="01077776666")

    assert newcomer.wait(120) == 0, newcomer.errors()
    assert in_menu.wait(120) == 0, in_menu.errors()
    assert hotline.proc.wait(30) == 0
    assert (status, health["draining"], health["healthy"]) == (503, True, False)
    calls = hotline.closed_calls(2)
    by_caller = {c["caller"]: c for c in calls}
    assert by_caller["01077776666"]["disposition"] == "fallback"
    assert by_caller["01012345678"]["disposition"] == "fallback"
    assert "diverted" in [k for k, _ in hotline.timeline(by_caller["01012345678"]["id"])]
    assert "Traceback" not in hotline.log()


def test_pbx_status_shows_version_app_and_phones(hotline: Service) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "-c", str(hotline.config_path), "pbx", "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"embedded Asterisk ({INSTANCE}): running" in out
    assert "Asterisk 22.10.1" in out
    assert f"Stasis app 'hotline-{INSTANCE}': registered" in out
    for cid in ("c1", "c2", "c3"):
        assert f"  {cid} " in out
    assert f"fixed contact sip:127.0.0.2:{COUNSELOR_PORTS[0]}" in out


def test_metrics_show_counselors_callers_and_ari_for_monitoring(hotline: Service) -> None:
    import urllib.request

    from tests.integration.conftest import WEB_PORT

    def scrape() -> set[str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{WEB_PORT}/metrics", timeout=5) as r:
            assert r.headers["Content-Type"].startswith("text/plain")
            return set(r.read().decode().splitlines())

    lines = scrape()
    assert 'hotline_counselors{state="available"} 11' in lines
    assert 'hotline_callers_waiting{queue="general"} 0' in lines
    assert "hotline_calls_in_progress 0" in lines
    assert "hotline_ari_reconnects_total 0" in lines
    assert any(line.startswith("hotline_ari_event_seconds_count ") for line in lines)
    values = {k: float(v) for k, _, v in (line.partition(" ") for line in lines if not line.startswith("#"))}
    # The service has asked Asterisk things (the app's registration, the phones).
    assert values["hotline_ari_request_seconds_count"] > 0
    assert values["hotline_ari_requests_in_flight_max"] >= 1
    # ... and each request's parts apart: the pool, the sending, Asterisk's answer.
    for part in ("pool_wait", "send", "answer"):
        assert (
            values[f"hotline_ari_{part}_seconds_count"]
            == values[f'hotline_ari_{part}_seconds_bucket{{le="+Inf"}}']
            > 0
        )
    # It times its own event loop from the start, a probe every 0.1 s.
    deadline = time.monotonic() + 5
    while "hotline_event_loop_lag_seconds_count 0" in lines and time.monotonic() < deadline:
        time.sleep(0.05)
        lines = scrape()
    assert "hotline_event_loop_lag_seconds_count 0" not in lines
    assert any(line.startswith("hotline_event_loop_lag_seconds_max ") for line in lines)
    # This Asterisk (22.10.1) takes requests on the events socket: a new call's
    # answer goes there with its first prompt (ivr/ari/call_rest.py), timed apart.
    hotline.wait_log("ARI requests over the events socket: taken", timeout=5)
    assert any(line.startswith("hotline_ari_socket_request_seconds_count ") for line in lines)
