"""One synthetic citizen: SIPp places the call, this module is its ear and its mouth.

The call's audio comes to a UDP port of ours (the SDP SIPp sends names it).
What arrives between two of the caller's inputs is one "burst": the caller
presses its next key (or, for a timeout, keeps silent) once the hotline has
gone quiet after about as much audio as the simulation says comes first, or
after a longer silence when less came (a prompt missing). The keys go back as
RFC 4733 events to where the audio comes from (Asterisk's symmetric RTP),
within a stream of silence the caller sends all call long, as a phone does.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ivr.errors import HotlineError
from ivr.flows.path_edges import Key
from ivr.rehearsal import sip_text
from ivr.rehearsal.audio import ALAW, SILENCE_RMS, ULAW, alaw_frames

QUIET = 0.6  # the hotline stopped talking: it waits for the caller
LONG_QUIET = 4.0  # quiet this long ends a burst whatever came (menus wait 5 s and more)
TALK_QUIET = 1.0  # a conversation with the (silent) rehearsal counselor
_PCMU, _PCMA, _EVENT = 0, 8, 101
_SILENCE = b"\xd5" * 160  # A-law's zero, 20 ms
_KEYS = "0123456789*#"


class SippMissing(HotlineError):
    """SIPp is not installed."""


def sipp_path() -> str:
    """The SIPp program, or SippMissing naming the package to install."""
    found = shutil.which("sipp")
    if found is None:
        raise SippMissing(
            "sipp is not installed: `ivr rehearse` places its calls with SIPp. "
            "Install Debian's sip-tester package (apt-get install sip-tester)."
        )
    return found


@dataclass
class Heard:
    """What the caller received: audio frames per burst, and when things happened."""

    bursts: list[list[float]] = field(default_factory=list)
    pressed: list[tuple[float, str]] = field(default_factory=list)
    first_audio: float | None = None
    sipp_exit: int | None = None
    sipp_errors: str = ""


class _Ear(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.frames: list[tuple[int, list[float]]] = []  # (sequence, frames) of this burst
        self.last_at = 0.0
        self.last_loud_at = 0.0  # the last frame louder than silence
        self.source: tuple[str, int] | None = None

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < 12 or data[0] >> 6 != 2 or data[1] & 0x7F not in (_PCMA, _PCMU):
            return
        header = 12 + 4 * (data[0] & 0x0F)
        self.source = addr
        self.last_at = time.monotonic()
        table = ALAW if data[1] & 0x7F == _PCMA else ULAW
        frames = alaw_frames(data[header:], table)
        if frames and max(frames) > SILENCE_RMS:
            self.last_loud_at = self.last_at
        self.frames.append((struct.unpack_from("!H", data, 2)[0], frames))


class Mouth:
    """What the caller sends: A-law silence every 20 ms, as a real phone does (a
    voicemail's silence detection, and Asterisk's own pacing, need frames), with
    RFC 4733 key presses in the same stream in place of the audio."""

    def __init__(self) -> None:
        self.seq = random.randrange(1 << 16)
        self.ts = random.randrange(1 << 31)
        self.ssrc = random.randrange(1 << 32)
        self.keys: list[str] = []  # to press, in order

    def _header(self, payload_type: int, marker: bool = False) -> bytes:
        head = struct.pack(
            "!BBHII", 0x80, (0x80 if marker else 0) | payload_type, self.seq, self.ts, self.ssrc
        )
        self.seq = (self.seq + 1) & 0xFFFF
        return head

    def silence(self) -> bytes:
        packet = self._header(_PCMA) + _SILENCE
        self.ts = (self.ts + 160) & 0xFFFFFFFF
        return packet

    def key(self, key: str) -> list[bytes]:
        """One key: 120 ms down, then its end sent three times; the audio clock runs on."""
        event = _KEYS.index(key)
        out = []
        for n in range(1, 10):
            end = n > 6
            duration = min(n, 6) * 160
            out.append(
                self._header(_EVENT, n == 1) + struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
            )
        self.ts = (self.ts + 9 * 160) & 0xFFFFFFFF
        return out


async def _speak(mouth: Mouth, ear: _Ear, transport: asyncio.DatagramTransport) -> None:
    """Send a packet every 20 ms to where the hotline's audio comes from, until cancelled."""
    next_at = time.monotonic()
    pending: list[bytes] = []
    while True:
        if ear.source is not None:
            if not pending and mouth.keys:
                pending = mouth.key(mouth.keys.pop(0))
            transport.sendto(pending.pop(0) if pending else mouth.silence(), ear.source)
        next_at += 0.02
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def place_call(
    *,
    number: str,
    host: str,
    sip_port: int,
    rtp_port: int,
    target: str,
    dialed: str,
    inputs: Sequence[Key],
    expected_audio: Sequence[float],
    at: str | None,
    wait_seconds: float,
    after_talk: Sequence[float | None] = (),
    on_input: Callable[[int], None] | None = None,
) -> Heard:
    """One call: the bursts of audio heard; `inputs[k]` follows burst k (None: silence),
    once about `expected_audio[k]` seconds of audio came. A burst with a
    conversation in it (`after_talk[k]` not None) waits for the talk's silence,
    then for `after_talk[k]` seconds of audio after it (a survey question)."""
    loop = asyncio.get_running_loop()
    ear = _Ear()
    transport, _ = await loop.create_datagram_endpoint(lambda: ear, local_addr=(host, rtp_port))
    heard = Heard()
    mouth = Mouth()
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as tmp:
        scenario = Path(tmp) / "caller.xml"
        scenario.write_text(sip_text.caller(number, rtp_port, wait_seconds, at), encoding="latin-1")
        errors = Path(tmp) / "errors.log"
        proc = await asyncio.create_subprocess_exec(
            sipp_path(),
            *("-sf", str(scenario), "-i", host, "-p", str(sip_port), "-m", "1", "-l", "1", "-s", dialed),
            *("-nostdin", "-trace_err", "-error_file", str(errors), "-timeout", f"{int(wait_seconds) + 30}s"),
            target,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        speaking = asyncio.ensure_future(_speak(mouth, ear, transport))
        try:
            await _listen(proc, ear, mouth, heard, inputs, expected_audio, after_talk, on_input)
        finally:
            speaking.cancel()
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            transport.close()
        heard.sipp_exit = proc.returncode
        if errors.exists():
            heard.sipp_errors = errors.read_text(errors="replace")[-2000:]
    return heard


async def _listen(
    proc: asyncio.subprocess.Process,
    ear: _Ear,
    mouth: Mouth,
    heard: Heard,
    inputs: Sequence[Key],
    expected_audio: Sequence[float],
    after_talk: Sequence[float | None],
    on_input: Callable[[int], None] | None,
) -> None:
    burst = 0
    talked_at: int | None = None  # where in this burst's frames the talk ended
    waiter = asyncio.ensure_future(proc.wait())
    try:
        while not waiter.done():
            await asyncio.wait({waiter}, timeout=0.05)
            if not ear.frames or burst >= len(inputs):
                continue
            if heard.first_audio is None:
                heard.first_audio = ear.last_at
            quiet = time.monotonic() - ear.last_at
            talk = after_talk[burst] if burst < len(after_talk) else None
            if talk is not None and talked_at is None:
                # Music on hold, then the conversation's silence (the counselor's phone
                # may echo the caller's silence: quiet by loudness, not by packets);
                # what follows is the flow's again.
                if time.monotonic() - ear.last_loud_at >= TALK_QUIET:
                    talked_at = len(ear.frames)
                continue
            counted = ear.frames[talked_at:] if talked_at is not None else ear.frames
            got = 0.02 * sum(len(f) for _, f in counted)
            wanted = talk if talk is not None else expected_audio[burst]
            if (quiet >= LONG_QUIET and counted) or (quiet >= QUIET and got >= 0.9 * wanted):
                heard.bursts.append(_in_order(ear.frames))
                ear.frames = []
                key = inputs[burst]
                if key is not None:
                    mouth.keys.append(key)
                    heard.pressed.append((time.monotonic(), key))
                burst += 1
                talked_at = None
                if on_input is not None:
                    on_input(burst)
    finally:
        heard.bursts.append(_in_order(ear.frames))
        if not waiter.done():
            waiter.cancel()


def _in_order(frames: list[tuple[int, list[float]]]) -> list[float]:
    # Sequence numbers wrap at 65536; a burst is far shorter than that.
    if not frames:
        return []
    first = frames[0][0]
    ordered = sorted(frames, key=lambda f: (f[0] - first) & 0xFFFF)
    return [x for _, chunk in ordered for x in chunk]


async def start_counselor(
    host: str, port: int, talk_seconds: float, workdir: Path, calls: int = 1
) -> asyncio.subprocess.Process:
    """The rehearsal counselor's phone for `calls` calls: answers each, is quiet, hangs up."""
    scenario = workdir / f"counselor-{os.getpid()}.xml"
    scenario.write_text(sip_text.counselor(talk_seconds), encoding="latin-1")
    proc = await asyncio.create_subprocess_exec(
        sipp_path(),
        *("-sf", str(scenario), "-i", host, "-p", str(port), "-m", str(calls), "-l", str(calls), "-nostdin"),
        *("-mp", str(port + 2000), "-timeout", "600s"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await _bound(port, proc)
    finally:
        # SIPp has read its scenario once it listens: leave nothing beside config.yaml.
        scenario.unlink(missing_ok=True)
    return proc


async def _bound(port: int, proc: asyncio.subprocess.Process, timeout: float = 10.0) -> None:
    """Wait until SIPp listens, so the hotline never rings a phone not there yet."""
    hexport = f":{port:04X} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise HotlineError(f"the rehearsal counselor's SIPp exited ({proc.returncode}) on port {port}")
        table = await asyncio.to_thread(Path("/proc/net/udp").read_text)
        if any(hexport in line for line in table.splitlines()[1:]):
            return
        await asyncio.sleep(0.05)
    raise HotlineError(f"the rehearsal counselor's SIPp did not listen on UDP port {port} within {timeout} s")
