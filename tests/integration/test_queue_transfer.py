"""A counselor sends the caller back into another queue from the desk (상담 줄로 돌려 드리기),
on the real Asterisk: the counselor is freed, the caller waits at the head of that line ahead
of one who was there first, and the next counselor of that line takes them."""

from __future__ import annotations

from ivr import config as config_mod
from ivr.admin import users
from tests.integration.conftest import COUNSELOR_PORTS, Service, wait_pbx_idle
from tests.integration.desk_client import DeskClient
from tests.integration.sipp import SippLab
from tests.integration.test_protection import wait_rows

PASSWORD = "jeonju-2221000!"
TALK_MS = 12000  # how long 김민지 (c1) talks with each caller
# Talking with c1 first; waiting in 세무 상담 while they do; sent there by c2.
FIRST, EARLIER, SENT = "01055550000", "01055550001", "01055550002"


def test_a_caller_sent_into_another_queue_waits_first_and_the_counselor_is_free(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    for cid in ("c1", "c2"):
        users.add_user(hotline.database, cid, cid, "counselor", PASSWORD, counselor_id=cid, actor="pytest")
    b_desk, a_desk = DeskClient("c1", PASSWORD), DeskClient("c2", PASSWORD)
    # 김민지 (c1, B) is the only counselor of 세무 상담 (solo): busy with a first caller,
    # while another caller waits in that line.
    b_phone = lab.counselor(COUNSELOR_PORTS[0], "answer", calls=2, hangup_after_ms=TALK_MS)
    first = lab.citizen(digits=[(800, "2")], caller=FIRST, expect_bye_within_ms=90000)
    wait_rows(hotline, "SELECT * FROM calls WHERE caller = ? AND counselor_id = 'c1'", (FIRST,), 1)
    earlier = lab.citizen(digits=[(800, "2")], caller=EARLIER, expect_bye_within_ms=90000)
    # 이서준 (c2, A) takes a 복지 상담 (pair: c1, c2) caller, then sends them to 세무 상담.
    a_phone = lab.counselor(COUNSELOR_PORTS[1], "answer")
    sent = lab.citizen(digits=[(800, "3")], caller=SENT, expect_bye_within_ms=90000)
    [waiting] = wait_rows(hotline, "SELECT * FROM calls WHERE caller = ?", (EARLIER,), 1)
    wait_rows(hotline, "SELECT * FROM queue_log WHERE call_id = ? AND event = 'entered'", (waiting["id"],), 1)
    [talking] = wait_rows(hotline, "SELECT * FROM calls WHERE caller = ? AND counselor_id = 'c2'", (SENT,), 1)
    status, answer = a_desk.post("/api/counselor/c2/call", {"command": "queue:solo"})
    assert status == 202, answer

    # A is freed: the hotline hangs up their phone, wrap-up, then 상담 가능 again.
    assert a_phone.wait(30) == 0, a_phone.errors()
    rows = wait_rows(
        hotline,
        "SELECT to_state FROM counselor_events WHERE counselor_id = 'c2' AND to_state = 'available'",
        (),
        2,  # logged in at the start, then free after this call
    )
    states = [
        r["to_state"]
        for r in hotline.query("SELECT to_state FROM counselor_events WHERE counselor_id = 'c2' ORDER BY id")
    ]
    assert states[-3:] == ["on_call", "wrap_up", "available"], (states, rows)
    # The sent caller is first in 세무 상담's line, ahead of the one who was waiting.
    entered = [d for k, d in hotline.timeline(talking["id"]) if k == "queue_entered" and d["queue"] == "solo"]
    assert entered == [{"queue": "solo", "priority": True, "position": 1}]

    # B finishes the first call: their phone rings with the sent caller, not the earlier one.
    wait_rows(hotline, "SELECT * FROM calls WHERE caller = ? AND counselor_id = 'c1'", (SENT,), 1)
    assert (
        hotline.query("SELECT * FROM calls WHERE caller = ? AND connected_at IS NOT NULL", (EARLIER,)) == []
    )
    # B steps away after this call: nobody works 세무 상담 then, the earlier caller is told so.
    status, paused = b_desk.post("/api/counselor/c1/action", {"action": "pause", "reason": "meal"})
    assert status == 200 and paused["pending"] == "pause(meal)", paused
    for phone in (b_phone, first, sent, earlier):
        assert phone.wait(60) == 0, phone.errors()
    calls = {c["caller"]: c for c in hotline.closed_calls(3)}
    assert (calls[SENT]["disposition"], calls[SENT]["counselor_id"]) == ("answered", "c1")
    assert calls[EARLIER]["connected_at"] is None

    # The timeline and the records say it: who sent the caller where, and who took them.
    timeline = hotline.timeline(talking["id"])
    said = [(k, d.get("counselor")) for k, d in timeline if k in ("connected", "transferred")]
    assert said == [("connected", "c2"), ("transferred", "c2"), ("connected", "c1")]
    [moved] = [d for k, d in timeline if k == "transferred"]
    assert moved == {"how": "queue", "counselor": "c2", "queue": "solo"}
    log = hotline.query("SELECT queue, event FROM queue_log WHERE call_id = ? ORDER BY id", (talking["id"],))
    assert [(r["queue"], r["event"]) for r in log] == [
        ("pair", "entered"),
        ("pair", "offered"),
        ("pair", "connected"),
        ("pair", "transferred"),
        ("solo", "entered"),
        ("solo", "offered"),
        ("solo", "connected"),
        ("solo", "completed_counselor"),
    ]
    # The call record (the CDR's ivr_path) names both lines, 복지 상담 then 세무 상담 (node `tax`).
    assert calls[SENT]["ivr_path"] == "greeting > menu > welfare > tax > goodbye"
    wait_pbx_idle(pbx)
    assert "Traceback" not in hotline.log()
