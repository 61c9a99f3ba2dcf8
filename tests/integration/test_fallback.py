"""Never a dead number: with the service down, Asterisk's own queue gives citizens a counselor.

The service keeps app_queue's members in step over the real AMI; when it is
back it imports the fallback calls from queue_log, once.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from ivr import config as config_mod
from ivr.pbx import embedded
from tests.integration.conftest import COUNSELOR_PORTS
from tests.integration.fallback_help import (
    calls_of,
    cursor_stamp,
    fresh_caller,
    queue_members,
    service_with,
    wait_import_pass,
    wait_members,
)
from tests.integration.sipp import SippLab


def test_with_the_service_down_a_counselor_answers_and_the_call_is_recorded_once(
    pbx: config_mod.LoadedConfig, tmp_path: Path, lab: SippLab
) -> None:
    caller = fresh_caller()
    # A counselor taken out of config.yaml left their phone in the queue
    # (app_queue keeps members across restarts): the service takes it out.
    embedded.cli(
        embedded.instance_for(pbx), "queue add member PJSIP/c99 to hotline-fallback penalty 0 as departed"
    )
    assert "departed" in queue_members(pbx)
    service = service_with(pbx, tmp_path, logged_in={"c1"})
    service.start()
    try:
        wait_members(pbx, {"c1": False})  # the log-outs reached app_queue over AMI, and c99 left
        assert service.health()[1]["fallback_queue_in_step"] is True
        assert service.stop() == 0

        phone = lab.counselor(COUNSELOR_PORTS[0], "answer", ring_ms=200)
        started = time.monotonic()
        citizen = lab.citizen(hangup_after_ms=3000, caller=caller)
        assert citizen.wait(60) == 0, citizen.errors()
        assert phone.wait(30) == 0, phone.errors()  # rung, answered, hung up by the citizen's BYE
        call_seconds = time.monotonic() - started

        service.start()
        [call] = calls_of(service, caller)
        assert (call["caller"], call["dialed"], call["counselor_id"]) == (caller, "2221000", "c1")
        assert (call["disposition"], call["hangup_by"], call["hangup_cause"]) == (
            "fallback_answered",
            "caller",
            "normal_clearing",
        )
        assert call["recording"] == f"fallback-{call['id']}"
        waited = datetime.fromisoformat(call["connected_at"]) - datetime.fromisoformat(call["started_at"])
        assert waited.total_seconds() <= 2, call  # queue_log counts whole seconds
        assert 2 <= call["talk_seconds"] <= 5
        kinds = [k for k, _ in service.timeline(call["id"])]
        assert kinds == ["fallback", "queued", "connected", "completed", "call_ended"]
        print(
            f"fallback call: {call_seconds:.2f} s end to end, answered after {waited.total_seconds():.0f} s"
        )

        # Restarted twice: still one record, one timeline.
        stamp = cursor_stamp(service)
        assert service.stop() == 0
        service.start()
        wait_import_pass(service, stamp)
        assert len(service.query("SELECT id FROM calls WHERE caller = ?", (caller,))) == 1
        assert len(service.timeline(call["id"])) == len(kinds)
        assert "Traceback" not in service.log()
    finally:
        service.stop()


def test_with_the_service_down_a_counselor_who_never_answers_leads_to_the_prompt_after_the_wait(
    pbx: config_mod.LoadedConfig, tmp_path: Path, lab: SippLab
) -> None:
    caller = fresh_caller()
    service = service_with(pbx, tmp_path, logged_in={"c1"})
    service.start()
    try:
        wait_members(pbx, {"c1": False})
        assert service.stop() == 0
        phone = lab.counselor(COUNSELOR_PORTS[0], "no_answer", calls=3)
        started = time.monotonic()
        citizen = lab.citizen(expect_bye_within_ms=60000, caller=caller)
        assert citizen.wait(90) == 0, citizen.errors()
        held = time.monotonic() - started
        phone.kill()
        # fallback.max_wait_seconds is 6 here; then the prompt twice and goodbye.
        assert held >= 6
        service.start()
        [call] = calls_of(service, caller)
        assert (call["disposition"], call["hangup_by"], call["counselor_id"]) == (
            "fallback_no_counselor",
            "system",
            None,
        )
        events = dict(service.timeline(call["id"]))
        assert events["ring_no_answer"]["counselor"] == "c1"
        assert events["exit_timeout"]["wait_seconds"] >= 6
        assert events["fallback_prompt"] == {"queue_status": "TIMEOUT"}
    finally:
        service.stop()


def test_a_caller_the_draining_service_sends_away_reaches_a_counselor_and_its_record_is_completed(
    pbx: config_mod.LoadedConfig, tmp_path: Path, lab: SippLab
) -> None:
    caller = fresh_caller()
    service = service_with(pbx, tmp_path, logged_in={"c1"})
    service.start()
    try:
        wait_members(pbx, {"c1": False})
        phone = lab.counselor(COUNSELOR_PORTS[0], "answer", ring_ms=200)
        assert service.proc is not None
        in_menu = lab.citizen(hangup_after_ms=9000, caller=caller)
        service.wait_for_event("answered")
        service.proc.terminate()  # SIGTERM: the caller in the menu goes to the fallback
        assert service.proc.wait(30) == 0
        assert in_menu.wait(60) == 0, in_menu.errors()
        assert phone.wait(30) == 0, phone.errors()

        service.start()
        [call] = calls_of(service, caller, disposition="fallback_answered")
        assert (call["caller"], call["counselor_id"]) == (caller, "c1")
        kinds = [k for k, _ in service.timeline(call["id"])]
        assert kinds.index("diverted") < kinds.index("fallback") < kinds.index("connected")
        assert len(service.query("SELECT id FROM calls WHERE caller = ?", (caller,))) == 1
    finally:
        service.stop()
