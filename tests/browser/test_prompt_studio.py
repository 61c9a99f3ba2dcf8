"""The prompt studio in real Chromium: record a prompt through the fake microphone
(a known WAV), accept it, and a SIPp call hears that recording, not the voice:
checked on the audio the call received (its level and length match the accepted file)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import threading
import time
import wave
from pathlib import Path

import numpy as np
from playwright.sync_api import expect, sync_playwright

from ivr import config as config_mod
from ivr.admin import users
from ivr.admin.prompt_studio import studio_paths
from ivr.pbx import tts
from tests.browser.conftest import BASE, CHROMIUM, PASSWORD, fake_microphone
from tests.integration.conftest import Service
from tests.integration.sipp import SippLab

KEY = "flow/itest/greeting/ko"
RECORD_MS = 3600


def microphone(path: Path) -> Path:
    """What the fake microphone says, looped: 0.5 s quiet, 2.5 s of a voice-like sweep, 1 s quiet."""
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(path),
         "synth", "2.5", "sine", "200-1200", "tremolo", "4", "70", "gain", "-9", "pad", "0.5", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


def samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768


def alaw(payload: bytes) -> np.ndarray:
    """G.711 A-law to linear (ITU-T G.711's expansion)."""
    a = np.frombuffer(payload, dtype=np.uint8) ^ 0x55
    sign = np.where(a & 0x80, 1.0, -1.0)
    exponent = (a >> 4) & 0x07
    mantissa = (a & 0x0F).astype(np.int32)
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return sign * magnitude / 32768


class Ear:
    """A UDP socket that keeps the PCMA audio the hotline sends to it, in sequence order.

    Asterisk starts a stream's 16-bit sequence number anywhere, so it may wrap from 65535
    to 0 in the middle of a prompt: packets are ordered by the sequence extended past the
    wrap (RFC 3550, A.1), never by the raw number, which would put the wrapped tail first."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.packets: dict[int, bytes] = {}
        self.arrivals: dict[int, float] = {}  # sequence number -> when it came (monotonic)
        self.source: tuple[str, int] | None = None  # where the hotline sends from
        self._last: int | None = None  # the last raw sequence number seen
        self._cycles = 0  # how many times it wrapped
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                data, source = self.sock.recvfrom(2048)
            except TimeoutError:
                continue
            self.source = self.source or source
            if len(data) > 12 and data[1] & 0x7F == 8:
                seq = self._extended(int.from_bytes(data[2:4], "big"))
                self.packets[seq] = data[12:]
                self.arrivals[seq] = time.monotonic()

    def _extended(self, seq: int) -> int:
        if self._last is not None:
            if seq < self._last - 0x8000:  # wrapped forwards
                self._cycles += 1
            elif seq > self._last + 0x8000:  # a late packet from before the wrap
                return seq + (self._cycles - 1) * 0x10000
        self._last = seq
        return seq + self._cycles * 0x10000

    def heard(self) -> np.ndarray:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()
        return alaw(b"".join(self.packets[k] for k in sorted(self.packets)))


def best_match(heard: np.ndarray, file: np.ndarray) -> tuple[float, int]:
    """(normalised correlation, offset) of `file` at its best place in `heard`."""
    n = len(file)
    corr = np.correlate(heard, file, mode="valid")
    energy = np.sqrt(np.convolve(heard**2, np.ones(n), mode="valid")) * np.sqrt(np.sum(file**2))
    score = corr / np.maximum(energy, 1e-12)
    at = int(np.argmax(score))
    return float(score[at]), at


def rms_db(x: np.ndarray) -> float:
    return 20 * float(np.log10(max(float(np.sqrt(np.mean(x**2))), 1e-10)))


def test_a_prompt_recorded_in_the_browser_is_what_the_next_call_hears(
    hotline: Service, lab: SippLab, tmp_path: Path
) -> None:
    users.add_user(hotline.database, "voice1", "음성 담당", "voice", PASSWORD, actor="pytest")
    fake = microphone(tmp_path / "microphone.wav")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=fake_microphone(fake),
        )
        context = browser.new_context(base_url=BASE, permissions=["microphone"])
        page = context.new_page()
        page.goto("/prompts")
        page.fill('input[name="username"]', "voice1")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        row = page.locator(f'tr[data-key="{KEY}"]')
        expect(row.locator(".kind")).to_contain_text("합성")
        row.locator("button.choose").click()
        page.click("#record-start")
        expect(page.locator("#studio-status")).to_contain_text("녹음 중")
        page.wait_for_timeout(RECORD_MS)  # the admin speaks for this long
        page.click("#record-stop")
        expect(page.locator("#take")).to_be_visible(timeout=20000)
        expect(page.locator("#after-seconds")).to_contain_text("LUFS")
        page.click("#accept")
        expect(page.locator("#studio-status")).to_contain_text("게시했습니다")
        expect(page.locator(f'tr[data-key="{KEY}"] .kind')).to_contain_text("녹음", timeout=10000)
        context.close()
        browser.close()

    con = sqlite3.connect(hotline.database)
    stem, kind = con.execute(
        "SELECT stem, kind FROM prompt_versions WHERE prompt = ? ORDER BY version DESC", [KEY]
    ).fetchone()
    con.close()
    assert kind == "recorded"
    accepted = samples(studio_paths(config_mod.load(hotline.config_path)).takes / f"{stem}.wav")

    ear = Ear()
    citizen = lab.citizen_heard_on(ear.port, hangup_after_ms=int(len(accepted) / 8) + 2500)
    assert citizen.wait(30) == 0, citizen.errors()
    heard = ear.heard()
    assert len(heard) > len(accepted), f"heard {len(heard) / 8000:.1f} s"

    score, at = best_match(heard, accepted)
    assert score > 0.9, f"the call did not play the accepted file (correlation {score:.2f})"
    segment = heard[at : at + len(accepted)]
    assert len(segment) == len(accepted)  # all of it: the same length
    assert abs(rms_db(segment) - rms_db(accepted)) < 1.0  # at the same level
    synthesized = samples(tts.render("천년전주 콜센터입니다.", "ko"))
    assert best_match(heard, synthesized)[0] < 0.5, "the synthesized greeting was played too"
