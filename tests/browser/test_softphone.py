"""The desk's softphone in real Chromium, on the real Asterisk: counselor c11 logs in,
the browser registers over the secure WebSocket, a SIPp citizen's call comes through
the queue, the counselor answers in the page, and the citizen hears the counselor's
microphone (a known tone, checked on the RTP the citizen received), on hold they hear music,
keys from the page's keypad reach the call, and a transfer from the page hands the citizen
to a colleague who is available; the call is recorded."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import expect, sync_playwright

from bench import dtmf
from ivr.admin import users
from tests.browser.conftest import BASE, CHROMIUM, PASSWORD, fake_microphone, screenshot
from tests.browser.test_prompt_studio import Ear, alaw, rms_db
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab
from tests.integration.test_recordings import wait_recordings

TONE_HZ = 440


def microphone(path: Path) -> Path:
    """The counselor's fake microphone, looped by Chromium: a 440 Hz tone that swells and
    fades three times a second like syllables (a steady tone is taken for noise and
    suppressed by the browser's audio processing, as it should be)."""
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(path), "synth", "3", "sine", str(TONE_HZ),
         "tremolo", "3", "90", "gain", "-6"],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


class Citizen(Ear):
    """The citizen's ear (a UDP socket named in SIPp's SDP) and keypad: digits (RFC 4733)
    go back from the same socket once the hotline's address is known, so symmetric RTP
    keeps sending here."""

    def key(self, digit: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.source is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.source is not None, "the hotline sent the citizen no audio"
        begun = time.monotonic()
        for n, (at_ms, ts, marker, event, end, duration) in enumerate(dtmf.event_packets([(0, digit)])):
            time.sleep(max(0.0, begun + at_ms / 1000 - time.monotonic()))  # one packet each 20 ms
            self.sock.sendto(dtmf.rtp_event(500 + n, ts, marker, event, end, duration, 0x5151), self.source)

    def audio_since(self, since: float) -> np.ndarray:
        kept = sorted(seq for seq, at in self.arrivals.items() if at >= since)
        return alaw(b"".join(self.packets[seq] for seq in kept))


def strongest_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / 8000)[int(np.argmax(spectrum[1:])) + 1])


def tone_share(x: np.ndarray) -> float:
    """How much of the audio's power lies within 25 Hz of the counselor's tone: about 1 for
    the counselor's microphone, at most 0.57 for 1.5 s anywhere in the hold music. The music's
    strongest note alone cannot tell them apart: macroform-robot_dity holds an A (440 Hz)
    from its 0.3rd to its 0.8th second, and a slow re-INVITE put exactly that in the window."""
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    hz = np.fft.rfftfreq(len(x), 1 / 8000)
    return float(power[np.abs(hz - TONE_HZ) < 25].sum() / max(power.sum(), 1e-12))


def test_a_counselor_answers_in_the_browser_and_the_citizen_hears_them(
    hotline: Service, lab: SippLab, tmp_path: Path
) -> None:
    started = time.monotonic()
    users.add_user(
        hotline.database, "juwon", "한지우", "counselor", PASSWORD, counselor_id="c11", actor="pytest"
    )
    mic = microphone(tmp_path / "counselor.wav")
    citizen = Citizen()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *fake_microphone(mic),
                # The test's Asterisk carries media on loopback, which WebRTC skips by default.
                "--allow-loopback-in-peer-connection",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        context = chromium.new_context(
            base_url=BASE, ignore_https_errors=True, viewport={"width": 1400, "height": 1000}
        )
        page = context.new_page()
        page.goto("/counselor/c11")
        page.fill('input[name="username"]', "juwon")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        status = page.locator("#sp-status")
        expect(status).to_have_attribute("data-state", "registered", timeout=20000)

        phone = lab.citizen_heard_on(citizen.port, hangup_after_ms=None)
        citizen.key("7")  # the flow's menu: 7 is the browser counselor's queue
        expect(status).to_have_attribute("data-state", "ringing", timeout=20000)
        assert page.title().startswith("☎ 전화가 왔습니다")
        page.click("#sp-answer")
        expect(status).to_have_attribute("data-state", "connected", timeout=15000)
        answered = time.monotonic()
        time.sleep(3)
        screenshot(page, "softphone")  # docs/softphone.png, with HOTLINE_SCREENSHOTS
        talk = citizen.audio_since(answered + 1)

        page.click("#sp-hold")
        expect(status).to_have_attribute("data-state", "held", timeout=10000)
        held = time.monotonic()
        time.sleep(2.5)
        on_hold = citizen.audio_since(held + 1)
        page.click("#sp-hold")
        expect(status).to_have_attribute("data-state", "connected", timeout=10000)
        back = time.monotonic()
        time.sleep(2)
        again = citizen.audio_since(back + 0.8)
        # Keys from the page's keypad reach the call as a desk phone's would: *6 with no
        # consultation going on is heard and ignored (the timeline says so).
        page.click('[data-key="*"]')
        page.wait_for_timeout(600)  # one tone at a time, as a person keys them
        page.click('[data-key="6"]')
        page.wait_for_timeout(600)
        # Transfer to a colleague, by name, from those available now: 김민지 (c1, a desk
        # phone) answers; the hotline takes the counselor's leg down and the citizen talks to her.
        colleague = lab.counselor(COUNSELOR_PORTS[0], "answer", hangup_after_ms=4000)
        expect(page.locator("#sp-colleague option", has_text="김민지")).to_have_count(1)
        page.select_option("#sp-colleague", "c1")
        page.click("#sp-colleague-transfer")
        expect(status).to_have_attribute("data-state", "ended", timeout=15000)
        moved = time.monotonic()
        assert colleague.wait(30) == 0, colleague.errors()
        after = citizen.audio_since(moved + 1)
        context.close()
        chromium.close()
    assert phone.wait(60) == 0, phone.errors()
    citizen.heard()  # stops listening

    # The citizen heard the counselor's microphone: loud, and at its pitch.
    measured = ", ".join(
        f"{name} {rms_db(x):.1f} dBFS at {strongest_hz(x):.0f} Hz, tone share {tone_share(x):.2f}"
        for name, x in (("talk", talk), ("on hold", on_hold), ("back", again))
    )
    print(f"softphone audio: {measured}")
    assert len(talk) >= 8000 * 1.5, len(talk)  # RTP all along (1.5 of the 2 s measured)
    assert rms_db(talk) > -25, measured  # the file's level is about -13 dBFS
    assert abs(strongest_hz(talk) - TONE_HZ) < 15 and tone_share(talk) > 0.85, measured
    # On hold the citizen hears music, not the counselor; taken off hold, the counselor again.
    assert rms_db(on_hold) > -45 and tone_share(on_hold) < 0.7, measured
    assert rms_db(again) > -25 and tone_share(again) > 0.85, measured
    # After the transfer the citizen's line carried the colleague's phone's audio (SIPp
    # sends A-law silence), not the counselor's tone any more.
    assert len(after) >= 8000, len(after)
    assert rms_db(after) < -50 or tone_share(after) < 0.7, (rms_db(after), tone_share(after))
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["counselor_id"]) == ("answered", "c11")
    timeline = hotline.timeline(call["id"])
    assert ("counselor_key", {"command": "complete", "counselor": "c11"}) in timeline
    [transferred] = [d for k, d in timeline if k == "transferred"]
    assert transferred == {"how": "colleague", "colleague": "c1", "counselor": "c11"}
    [recording] = wait_recordings(hotline, 1, "stored")
    assert recording["call_id"] == call["id"] and recording["seconds"] > 3
    print(f"softphone test: {time.monotonic() - started:.1f} s")


def test_a_supervisor_with_a_browser_phone_registers_it_from_the_wallboard(hotline: Service) -> None:
    """s9 (`phones: [browser]`, user super9): the board's listen buttons ring this page's phone."""
    users.add_user(hotline.database, "super9", "윤감독", "supervisor", PASSWORD, actor="pytest")
    with sync_playwright() as playwright:
        # Registering asks for no microphone (the page asks only when a call is answered).
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = chromium.new_context(base_url=BASE, ignore_https_errors=True)
        page = context.new_page()
        page.goto("/wallboard")
        page.fill('input[name="username"]', "super9")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        expect(page.locator("#sp-status")).to_have_attribute("data-state", "registered", timeout=20000)
        expect(page.locator("#supervise-hint")).to_contain_text("itest-s9-web")
        context.close()
        chromium.close()
