"""Was each prompt heard? Audio as the synthetic caller received it, against the rendered files.

The caller's RTP is decoded (A-law or μ-law, as the hotline chose) into a loudness
envelope of 20 ms frames. Each prompt the simulation says the caller hears
is found in that envelope by the shape of its own file's envelope, in order:
a prompt is heard when its shape is found and the audio there is louder than
silence; its duration runs from where it was found to where the next prompt
was found (or, for the last, to where the audio goes quiet) and must be
within 10 % of the file's. Music on hold after a prompt hides where the
prompt ends: such a prompt is checked for being heard, not for its length.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FRAME = 160  # samples in 20 ms at 8 kHz
SILENCE_RMS = 100.0  # about -50 dBFS: A-law's own silence decodes to 8
MIN_MATCH = 0.5  # correlation of log-loudness shapes that counts as "found"
TOLERANCE = 0.10  # duration within 10 % of the rendered file
HOLD = "~hold"
COUNSELOR = "~counselor"


def _alaw(code: int) -> int:
    code ^= 0x55
    exponent = (code & 0x70) >> 4
    mantissa = code & 0x0F
    magnitude = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if code & 0x80 else -magnitude


def _ulaw(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84


ALAW = [_alaw(c) for c in range(256)]
ULAW = [_ulaw(c) for c in range(256)]


def alaw_frames(payload: bytes, table: list[int] = ALAW) -> list[float]:
    """RMS of each 20 ms of A-law audio (or, with table=ULAW, μ-law)."""
    out = []
    for i in range(0, len(payload) - FRAME + 1, FRAME):
        chunk = payload[i : i + FRAME]
        out.append(math.sqrt(sum(table[b] * table[b] for b in chunk) / FRAME))
    return out


def wav_frames(path: Path) -> list[float]:
    """RMS of each 20 ms of a 16-bit mono WAV (the rendered prompts are 8 kHz)."""
    with wave.open(str(path), "rb") as w:
        rate, width, data = w.getframerate(), w.getsampwidth(), w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit audio; prompts are rendered 16-bit")
    samples = memoryview(data).cast("h")
    step = rate // 50
    return [
        math.sqrt(sum(s * s for s in samples[i : i + step]) / step)
        for i in range(0, len(samples) - step + 1, step)
    ]


@dataclass(frozen=True)
class Heard:
    """One prompt, as the caller heard it."""

    prompt: str
    expected_seconds: float | None  # None: the file is not on the PBX
    heard_seconds: float | None  # None: not found in what the caller received
    problem: str | None = None


def _shape(frames: Sequence[float]) -> list[float]:
    return [math.log10(f + 1.0) for f in frames]


def _correlation(a: Sequence[float], b: Sequence[float]) -> float:
    n = min(len(a), len(b))
    if n < 5:
        return 0.0
    a, b = a[:n], b[:n]
    ma, mb = sum(a) / n, sum(b) / n
    va = sum((x - ma) ** 2 for x in a)
    vb = sum((y - mb) ** 2 for y in b)
    if va == 0 or vb == 0:
        return 0.0
    return sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True)) / math.sqrt(va * vb)


def _loud(frames: Sequence[float]) -> bool:
    return sum(1 for f in frames if f > SILENCE_RMS) >= max(1, len(frames) // 5)


def _quiet_end(frames: Sequence[float], start: int, limit: int) -> int:
    """Where the audio from `start` goes quiet for half a second (or stops), before `limit`."""
    last = start
    quiet = 0
    for i in range(start, min(limit, len(frames))):
        if frames[i] > SILENCE_RMS:
            last, quiet = i + 1, 0
        else:
            quiet += 1
            if quiet >= 25:
                break
    return last


@dataclass
class _Found:
    prompt: str
    start: int | None  # frame where it was found in what the caller received
    frames: int | None  # the file's length in frames (None: no file)
    sounding: int = 0  # the file's frames up to its last sound
    end_hidden: bool = False  # music on hold follows: its end cannot be told apart


def check_burst(received: Sequence[float], expected: Sequence[tuple[str, list[float] | None]]) -> list[Heard]:
    """Each expected prompt (its envelope, or None if its file is missing) found in
    `received` in order; HOLD and COUNSELOR entries mark music on hold and a talk."""
    shape = _shape(received)
    found: list[_Found] = []
    at = 0
    wide = False  # after hold or a talk, the next prompt may come any time
    for prompt, frames in expected:
        if prompt in (HOLD, COUNSELOR):
            if found and not wide:
                found[-1].end_hidden = True
            wide = True
            continue
        if frames is None:
            found.append(_Found(prompt, None, None))
            continue
        n = len(frames)
        sounding = _quiet_end([*frames, *([0.0] * 25)], 0, n + 25)
        if not _loud(frames):
            # The file itself is silent: it was heard (as silence) where it plays.
            found.append(_Found(prompt, at, n, n))
            at += n
            continue
        # At least half the prompt must have come for it to be found.
        last = len(received) - max(5, n // 2)
        hi = last if wide else min(last, at + max(50, n // 5))
        best, best_at = -1.0, None
        mine = _shape(frames)
        for begin in range(max(0, at - 10), max(hi, 0) + 1):
            c = _correlation(shape[begin : begin + n], mine)
            if c > best:
                best, best_at = c, begin
        if best_at is not None and best >= MIN_MATCH:
            found.append(_Found(prompt, best_at, n, sounding))
            at, wide = best_at + n, False
        else:
            found.append(_Found(prompt, None, n, sounding))
    return [_judge(received, found, k) for k in range(len(found))]


def _judge(received: Sequence[float], found: list[_Found], k: int) -> Heard:
    f = found[k]
    if f.frames is None:
        return Heard(f.prompt, None, None, "its file is not on the PBX")
    expected = f.frames * 0.02
    if f.start is None:
        return Heard(f.prompt, expected, None, "not heard: its audio is not in what the caller received")
    start, n = f.start, f.frames
    if not _loud(received[start : start + n]):
        return Heard(f.prompt, expected, 0.0, "heard silence where it plays (energy below silence)")
    if f.end_hidden:
        return Heard(f.prompt, expected, None)
    nxt = next((g.start for g in found[k + 1 :] if g.start is not None), None)
    if nxt is not None and nxt <= start + int(n * 1.5):
        heard, target = (nxt - start) * 0.02, expected  # to the next prompt: the file's whole length
    else:
        # To where it goes quiet: the file's length up to its last sound.
        heard = (_quiet_end(received, start, start + 2 * n) - start) * 0.02
        target = f.sounding * 0.02
    if abs(heard - target) > TOLERANCE * target:
        problem = f"heard {heard:.1f} s where the file sounds {target:.1f} s (more than 10 % apart)"
        return Heard(f.prompt, expected, heard, problem)
    return Heard(f.prompt, expected, heard)
