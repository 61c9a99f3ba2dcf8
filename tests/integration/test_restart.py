"""The service killed (SIGKILL) while callers wait in line and one is in the menu:
nobody is dropped, waiting callers keep their places, the menu caller hears the menu again."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from ivr.config import LoadedConfig
from tests.integration.conftest import COUNSELOR_PORTS, WEB_PORT, Service, wait_pbx_idle
from tests.integration.sipp import SippLab


def test_killed_while_callers_wait_they_keep_their_places_and_the_menu_caller_hears_the_menu_again(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    # The `tax` line has one counselor (c1): A talks to them, B then C wait behind.
    phone = lab.counselor(COUNSELOR_PORTS[0], "answer", calls=3)
    a = lab.citizen(digits=[(800, "2")], hangup_after_ms=22000, caller="01011110001")
    hotline.wait_for_event("connected", timeout=30)
    b = lab.citizen(digits=[(800, "2")], hangup_after_ms=32000, caller="01011110002")
    hotline.wait_for_event_count("queue_entered", 2, timeout=15)
    c = lab.citizen(digits=[(800, "2")], hangup_after_ms=42000, caller="01011110003")
    hotline.wait_for_event_count("queue_entered", 3, timeout=15)
    # D is in the menu when the service dies, and presses 1 (office hours) after it is back.
    d = lab.citizen(digits=[(11000, "1")], expect_bye_within_ms=60000, caller="01011110004")
    hotline.wait_for_event_count("call_started", 4, timeout=15)
    deadline = time.monotonic() + 15
    while not hotline.query(
        "SELECT id FROM call_events WHERE kind = 'ivr' AND detail LIKE '%\"menu\"%' "
        "AND call_id = (SELECT id FROM calls WHERE caller = '01011110004')"
    ):
        assert time.monotonic() < deadline, "D never reached the menu"
        time.sleep(0.05)

    hotline.kill()
    restarted = datetime.now().astimezone()
    hotline.start()

    for phone_ in (a, b, c, d):
        assert phone_.wait(90) == 0, phone_.errors()
    calls = {row["caller"][-1]: row for row in hotline.closed_calls(4, timeout=30)}
    assert len(hotline.query("SELECT id FROM calls")) == 4  # nobody recorded twice
    # A's conversation went on; B and C were served by c1 in the order they arrived.
    assert [calls[k]["disposition"] for k in "123"] == ["answered"] * 3
    assert {calls[k]["counselor_id"] for k in "123"} == {"c1"}
    assert calls["1"]["connected_at"] < calls["2"]["connected_at"] < calls["3"]["connected_at"]
    for k in "23":
        kinds = [kind for kind, _ in hotline.timeline(calls[k]["id"])]
        assert "queue_resumed" in kinds, kinds
        log = [
            r["event"]
            for r in hotline.query(
                "SELECT event FROM queue_log WHERE call_id = ? ORDER BY id", (calls[k]["id"],)
            )
        ]
        assert log.count("entered") == 1 and log[-2:] == ["connected", "completed_caller"], log
    # D heard the menu again and went on from there.
    timeline_d = hotline.timeline(calls["4"]["id"])
    resumed = next(detail for kind, detail in timeline_d if kind == "resumed")
    assert resumed["at"] == "menu"
    assert calls["4"]["ivr_path"].endswith("menu > topic_info > info > after_info > goodbye"), calls["4"]
    resumed_at = hotline.query(
        "SELECT at FROM call_events WHERE kind = 'resumed' AND call_id = ?", (calls["4"]["id"],)
    )[0]["at"]
    print(
        f"menu caller resumed {(datetime.fromisoformat(resumed_at) - restarted).total_seconds():.2f} s "
        "after the restart began"
    )
    assert phone.wait(30) == 0, phone.errors()
    assert "Traceback" not in hotline.log()
    wait_pbx_idle(pbx)


def test_a_second_service_on_the_same_app_is_refused_and_the_first_keeps_serving(
    hotline: Service, lab: SippLab
) -> None:
    # Another copy, its own web port and records, pointed at the same Asterisk and app.
    second = hotline.config_path.parent / "second.yaml"
    text = hotline.config_path.read_text()
    text = text.replace(f"port: {WEB_PORT}", f"port: {WEB_PORT + 1}")
    second.write_text(text.replace(str(hotline.database), str(hotline.database.parent / "second.sqlite3")))
    refused = subprocess.run(
        [sys.executable, "-m", "ivr.cli", "-c", str(second), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert refused.returncode == 1, refused.stderr
    assert f"pid {hotline.proc.pid}) already serves the Stasis app" in refused.stderr  # type: ignore[union-attr]
    assert not (hotline.database.parent / "second.sqlite3").exists()  # it touched nothing

    citizen = lab.citizen(digits=[(800, "1")], expect_bye_within_ms=60000)
    assert citizen.wait(60) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert call["ivr_path"].startswith("greeting > menu > topic_info > info")


def test_stopped_for_thirty_seconds_then_continued_nothing_is_lost(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    phone = lab.counselor(COUNSELOR_PORTS[0], "answer")
    talking = lab.citizen(digits=[(800, "2")], hangup_after_ms=45000, caller="01055550001")
    hotline.wait_for_event("connected", timeout=30)
    # In the menu when the service freezes; presses 1 while it is frozen.
    menu = lab.citizen(digits=[(8000, "1")], expect_bye_within_ms=90000, caller="01055550002")
    hotline.wait_for_event_count("call_started", 2, timeout=15)
    assert hotline.proc is not None
    hotline.proc.send_signal(signal.SIGSTOP)
    time.sleep(30)  # the fault itself: a service frozen for thirty seconds
    hotline.proc.send_signal(signal.SIGCONT)
    continued = time.monotonic()
    hotline.wait_healthy(30)
    print(f"healthy again {time.monotonic() - continued:.1f} s after SIGCONT")

    assert talking.wait(60) == 0, talking.errors()  # the conversation went on, ended by the citizen
    assert menu.wait(60) == 0, menu.errors()  # the menu caller was not left in silence
    assert phone.wait(30) == 0, phone.errors()
    calls = {c["caller"]: c for c in hotline.closed_calls(2, timeout=30)}
    assert len(hotline.query("SELECT id FROM calls")) == 2
    assert (calls["01055550001"]["disposition"], calls["01055550001"]["counselor_id"]) == ("answered", "c1")
    assert calls["01055550001"]["talk_seconds"] > 30
    assert calls["01055550002"]["ended_at"] is not None
    assert "Traceback" not in hotline.log()
    wait_pbx_idle(pbx)
