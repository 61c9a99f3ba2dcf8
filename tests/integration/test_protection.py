"""The counselor's protection key (*9), end to end on the real Asterisk."""

from __future__ import annotations

import time
import wave
from datetime import datetime

from ivr import config as config_mod
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab
from tests.integration.test_service_lifecycle import prompt_seconds

ABUSER = "01066667777"


def test_star_nine_warns_then_ends_the_call_flags_the_recording_strikes_and_cools_the_counselor_down(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    # The counselor keys *9 two seconds into the call, and again six seconds in
    # (while the warning still plays: the second press waits for it).
    counselor = lab.counselor(
        COUNSELOR_PORTS[0], "answer", keys=[(2000, "*"), (2300, "9"), (6000, "*"), (6300, "9")]
    )
    citizen = lab.citizen(digits=[(800, "0")], caller=ABUSER, expect_bye_within_ms=90000)

    # The hotline ends the call on both phones.
    assert citizen.wait(120) == 0, citizen.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["hangup_by"], call["flagged"]) == ("answered", "counselor", "abuse")
    events = hotline.query("SELECT kind, at FROM call_events WHERE call_id = ? ORDER BY id", (call["id"],))
    kinds = [e["kind"] for e in events]
    assert kinds.index("abuse_warning") < kinds.index("abuse_warning_played") < kinds.index("abuse_ended")
    at = {e["kind"]: datetime.fromisoformat(e["at"]) for e in events}
    # The caller heard the whole warning: the playback ran its full length.
    heard = (at["abuse_warning_played"] - at["abuse_warning"]).total_seconds()
    assert heard >= prompt_seconds(pbx, "abuse-warning") - 0.5
    assert [
        r["reason"] for r in hotline.query("SELECT * FROM caller_strikes WHERE number = ?", (ABUSER,))
    ] == ["abuse"]
    # The recording holds the warning and the closing words (both were played to the bridge).
    wav = hotline.stored_recording(call["recording"])
    with wave.open(str(wav)) as w:
        recorded = w.getnframes() / w.getframerate()
    assert recorded >= prompt_seconds(pbx, "abuse-warning") + prompt_seconds(pbx, "abuse-closing") - 1
    # After the call and its one-second wrap-up, the counselor is paused to cool down.
    deadline = time.monotonic() + 15
    paused: list[dict[str, object]] = []
    while time.monotonic() < deadline and not paused:
        paused = hotline.query(
            "SELECT * FROM counselor_events WHERE counselor_id = 'c1' AND to_state = 'paused'"
        )
        time.sleep(0.05)
    assert [p["reason"] for p in paused] == ["cooldown"], hotline.log()[-3000:]
