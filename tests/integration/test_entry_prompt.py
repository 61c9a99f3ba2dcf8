"""No wasted second, on the real Asterisk: a free counselor's phone rings
while the queue's entry prompt plays, and their answer cuts the prompt."""

from __future__ import annotations

import wave
from datetime import datetime

from ivr.pbx import tts
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab

ENTRY_PROMPT = "상담사를 연결해 드리겠습니다. 잠시만 기다려 주십시오."  # itest.yaml's connecting_long


def _seconds(text: str) -> float:
    """The entry prompt's length, from the very WAV the PBX plays."""
    with wave.open(str(tts.render(text, "ko")), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_a_free_counselor_rings_during_the_entry_prompt_and_the_answer_cuts_it(
    hotline: Service, lab: SippLab
) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(800, "8")], hangup_after_ms=6000)
    assert citizen.wait(60) == 0, citizen.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    [call] = hotline.closed_calls(1)
    rows = hotline.query("SELECT kind, at FROM call_events WHERE call_id = ? ORDER BY id", (call["id"],))
    assert call["disposition"] == "answered" and call["counselor_id"] == "c1", [
        (r["kind"], r["at"][11:23]) for r in rows
    ]
    kinds = [r["kind"] for r in rows]
    at = {r["kind"]: datetime.fromisoformat(r["at"]) for r in reversed(rows)}  # each kind's first
    # The phone rang, was answered and the prompt cut, in that order.
    assert kinds.index("menu_choice") < kinds.index("queue_entered") < kinds.index("offer")
    assert kinds.index("offer") < kinds.index("queue_prompt_cut") < kinds.index("queue_connected")
    prompt = _seconds(ENTRY_PROMPT)
    rang_after = (at["offer"] - at["menu_choice"]).total_seconds()
    cut_after = (at["queue_prompt_cut"] - at["queue_entered"]).total_seconds()
    assert rang_after < prompt and cut_after < prompt, (rang_after, cut_after, prompt)
