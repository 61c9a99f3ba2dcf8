"""An admin records a prompt on their desk phone (*5 and its number): after the beep,
they speak, press #, hear it back, press 1; the next call hears the recording."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.dtmf import event_packets, rtp_event, tone_end_ms, write_pcap
from ivr import config as config_mod
from ivr.admin.flows import load_flows
from ivr.admin.prompt_studio import entries
from tests.integration.conftest import SUPERVISOR_PORT, Service
from tests.integration.sipp import SippLab

SSRC = 0x2221005
SPEAK_MS = (9000, 12000)  # after the 7 s prompt and the beep
KEYS = [(12800, "#"), (15500, "1")]  # end the recording; keep it while it is played back


def phone_line(path: Path) -> Path:
    """A phone's RTP: A-law silence, three seconds of a voice-like tone, then # and 1."""
    tone = subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-e", "a-law", "-t", "raw", "-",
         "synth", "3", "sine", "300-900", "tremolo", "5", "60", "gain", "-10"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    keyed = [(at, tone_end_ms(at)) for at, _ in KEYS]
    timed: list[tuple[int, int, bytes | None]] = []
    for n in range(24000 // 20):
        at = n * 20
        if any(start <= at <= end for start, end in keyed):
            continue
        inside = SPEAK_MS[0] <= at < SPEAK_MS[1]
        offset = (at - SPEAK_MS[0]) * 8
        timed.append((at, 8 * at, tone[offset : offset + 160] if inside else b"\xd5" * 160))
    packets: list[tuple[int, bytes]] = []
    seq = 0
    events = [(at, ts, (mark, event, end, dur)) for at, ts, mark, event, end, dur in event_packets(KEYS)]
    for at, ts, item in sorted([*timed, *events], key=lambda x: x[0]):  # type: ignore[list-item]
        seq += 1
        if isinstance(item, bytes):
            header = (
                bytes([0x80, 8]) + seq.to_bytes(2, "big") + ts.to_bytes(4, "big") + SSRC.to_bytes(4, "big")
            )
            packets.append((at, header + item))
        else:
            mark, event, end, dur = item
            packets.append((at, rtp_event(seq, ts, mark, event, end, dur, SSRC)))
    return write_pcap(path, packets)


def test_a_prompt_recorded_on_the_admins_phone_is_what_the_next_call_hears(
    hotline: Service, lab: SippLab, tmp_path: Path
) -> None:
    cfg = config_mod.load(hotline.config_path)
    number = next(e.number for e in entries(load_flows(cfg), "itest") if e.key == "flow/itest/greeting/ko")
    admin = lab.desk_call_sending(SUPERVISOR_PORT, f"*5{number}", phone_line(tmp_path / "line.pcap"))
    assert admin.wait(60) == 0, admin.errors()
    hotline.wait_log(f"s1 recorded prompt {number} by phone; published")
    citizen = lab.citizen(hangup_after_ms=2500)
    assert citizen.wait(30) == 0, citizen.errors()
    log = hotline.log()
    after = log[log.index("by phone; published") :]
    assert "playing sound:jeonju-studio/flow.itest.greeting.ko." in after
