"""A recording's loudness over time, for the QA player to draw and seek on."""

from __future__ import annotations

import array
import sys
import wave
from pathlib import Path

BUCKETS = 600


def peaks(path: Path, buckets: int = BUCKETS) -> tuple[float, list[float]]:
    """(seconds, peak level 0–1 of each slice of the recording).

    Reads the WAV slice by slice (a long call is tens of megabytes), 8- or
    16-bit PCM, the first channel only. Raises wave.Error or OSError for a
    file that is not such a WAV.
    """
    with wave.open(str(path), "rb") as wav:
        width, channels, rate, frames = (
            wav.getsampwidth(),
            wav.getnchannels(),
            wav.getframerate(),
            wav.getnframes(),
        )
        if width not in (1, 2):
            raise wave.Error(f"{width * 8}-bit samples are not drawn")
        seconds = frames / rate if rate else 0.0
        if frames == 0:
            return seconds, []
        count = min(buckets, frames)
        per, extra = divmod(frames, count)
        levels: list[float] = []
        for i in range(count):
            data = wav.readframes(per + (1 if i < extra else 0))
            levels.append(_level(data, width, channels))
    return round(seconds, 3), levels


def _level(data: bytes, width: int, channels: int) -> float:
    if width == 2:
        samples = array.array("h")
        samples.frombytes(data[: len(data) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()  # WAV is little-endian
        first = samples[::channels]
        if not first:
            return 0.0
        return round(max(max(first), -min(first)) / 32768, 3)
    unsigned = data[::channels]  # 8-bit WAV is unsigned, silence at 128
    if not unsigned:
        return 0.0
    return round(max(max(unsigned) - 128, 128 - min(unsigned)) / 128, 3)
