"""Counselor protection end to end on the real Asterisk: the four endings keyed
from counselors' phones, and a queue's call-length limit (in seconds here),
all at once on the session's phones."""

from __future__ import annotations

import time
import wave
from datetime import datetime
from typing import Any

from ivr import config as config_mod
from ivr.admin import users
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.desk_client import DeskClient
from tests.integration.sipp import SippLab
from tests.integration.test_service_lifecycle import prompt_seconds

PASSWORD = "jeonju-2221000!"
# Counselors c1-c4 (the general line) each key one ending, twice: the first
# press warns, the second (queued behind the warning) ends the call.
ENDINGS = {"c1": "*9", "c2": "*81", "c3": "*82", "c4": "*83"}
SITUATIONS = {"*9": "abuse", "*81": "harassment", "*82": "superior", "*83": "repeated"}
LIMITED, EXTENDED = "01070000001", "01070000002"  # callers of the timed line (c5, c6)


def keyed(code: str, at_ms: int) -> list[tuple[int, str]]:
    return [(at_ms + 300 * i, key) for i, key in enumerate(code)]


def wait_rows(
    hotline: Service, sql: str, args: tuple[Any, ...], count: int, timeout: float = 60
) -> list[Any]:
    deadline = time.monotonic() + timeout
    rows: list[Any] = []
    while time.monotonic() < deadline:
        rows = hotline.query(sql, args)
        if len(rows) >= count:
            return rows
        time.sleep(0.1)
    raise AssertionError(f"{sql} {args}: {rows}\n{hotline.log()[-3000:]}")


def test_the_four_endings_and_the_call_length_limit(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    for cid in ("c5", "c6"):
        users.add_user(hotline.database, cid, cid, "counselor", PASSWORD, counselor_id=cid, actor="pytest")
    # c7 keys an ending with no call on its line: the hotline answers that it works only during one.
    off_call = lab.desk_call(COUNSELOR_PORTS[6], "*81")
    # The timed line first: c5 and c6 take its two callers before the general line rings anyone.
    timed_phones = [lab.counselor(COUNSELOR_PORTS[i], "answer") for i in (4, 5)]
    limited = lab.citizen(digits=[(800, "6")], caller=LIMITED, expect_bye_within_ms=90000)
    extended = lab.citizen(digits=[(800, "6")], caller=EXTENDED, hangup_after_ms=32000)
    connected = wait_rows(
        hotline,
        "SELECT * FROM calls WHERE caller IN (?, ?) AND counselor_id IS NOT NULL",
        (LIMITED, EXTENDED),
        2,
    )
    phones = {
        cid: lab.counselor(
            COUNSELOR_PORTS[int(cid[1:]) - 1], "answer", keys=keyed(code, 2000) + keyed(code, 4000)
        )
        for cid, code in ENDINGS.items()
    }
    citizens = [
        lab.citizen(digits=[(800, "0")], caller=f"0106666000{n}", expect_bye_within_ms=90000)
        for n in range(4)
    ]

    # The desk extends the second timed call once the citizen has heard the notice.
    [extended_call] = [c for c in connected if c["caller"] == EXTENDED]
    wait_rows(
        hotline,
        "SELECT * FROM call_events WHERE call_id = ? AND kind = 'length_warning'",
        (extended_call["id"],),
        1,
    )
    desk = DeskClient(extended_call["counselor_id"], PASSWORD)
    status, body = desk.post(
        f"/api/counselor/{extended_call['counselor_id']}/extend", {"reason": "주소 확인 중"}
    )
    assert status == 200 and body["limit"]["extended"], body
    assert desk.post(f"/api/counselor/{extended_call['counselor_id']}/extend", {"reason": "또"})[0] == 409

    assert off_call.wait(30) == 0, off_call.errors()
    assert "feature code '*81'" in hotline.log()
    for phone in [limited, extended, *citizens]:
        assert phone.wait(120) == 0, phone.errors()
    for phone in [*timed_phones, *phones.values()]:
        assert phone.wait(30) == 0, phone.errors()

    calls = {c["caller"]: c for c in hotline.closed_calls(6)}
    # Each ending: its warning, then its end, the situation stored, a strike of that situation.
    for n in range(4):
        call = calls[f"0106666000{n}"]
        situation = SITUATIONS[ENDINGS[call["counselor_id"]]]
        assert (call["disposition"], call["hangup_by"], call["flagged"]) == (
            "answered",
            "counselor",
            situation,
        )
        events = hotline.query(
            "SELECT kind, at FROM call_events WHERE call_id = ? ORDER BY id", (call["id"],)
        )
        kinds = [e["kind"] for e in events]
        assert kinds.index(f"{situation}_warning") < kinds.index(f"{situation}_warning_played")
        assert kinds.index(f"{situation}_warning_played") < kinds.index(f"{situation}_ended")
        # The caller heard the whole warning, and the recording keeps it and the closing.
        at = {e["kind"]: datetime.fromisoformat(e["at"]) for e in events}
        heard = (at[f"{situation}_warning_played"] - at[f"{situation}_warning"]).total_seconds()
        warning, closing = (
            prompt_seconds(pbx, f"{situation}-warning"),
            prompt_seconds(pbx, f"{situation}-closing"),
        )
        assert heard >= warning - 0.5
        with wave.open(str(hotline.stored_recording(call["recording"]))) as w:
            assert w.getnframes() / w.getframerate() >= warning + closing - 1
        strikes = hotline.query("SELECT reason FROM caller_strikes WHERE number = ?", (call["caller"],))
        assert [s["reason"] for s in strikes] == [situation]
    # The limit: a notice, then the end with the closing; the extended call went on until the citizen hung up.
    limited_kinds = [k for k, _ in hotline.timeline(calls[LIMITED]["id"])]
    assert limited_kinds.index("length_warning") < limited_kinds.index("length_ended")
    assert calls[LIMITED]["hangup_by"] == "time_limit"
    extended_kinds = [k for k, _ in hotline.timeline(calls[EXTENDED]["id"])]
    assert "length_extended" in extended_kinds and "length_ended" not in extended_kinds
    assert calls[EXTENDED]["hangup_by"] == "caller"
    audit = hotline.query("SELECT detail FROM audit WHERE action = 'call_extended'")
    assert [a["detail"] for a in audit] == [
        "+60s reason=주소 확인 중",
        "refused: A call can be extended only once.",
    ]
    # The four counselors cool down after their calls and wrap-up.
    paused = wait_rows(
        hotline,
        "SELECT DISTINCT counselor_id FROM counselor_events WHERE to_state = 'paused' "
        "AND reason = 'cooldown'",
        (),
        4,
        timeout=15,
    )
    assert sorted(p["counselor_id"] for p in paused) == ["c1", "c2", "c3", "c4"]
