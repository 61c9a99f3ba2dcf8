"""A person's recording of a prompt made into what Asterisk plays, or refused.

Any file ffmpeg decodes (WAV, MP3, M4A, OGG, the browser's WebM/Opus) is
read as 16 kHz mono, checked (audio at all, at most two minutes, not silent,
not clipped), trimmed of its leading and trailing silence, brought to a
telephone loudness (ITU-R BS.1770, measured with pyloudnorm), and written
twice: `<stem>.wav` at 8 kHz for narrowband calls and `<stem>.wav16` at
16 kHz, which Asterisk's format_wav reads as "wav16" and picks for a
wideband (G.722) call. Each refusal is a PromptAudioRefused whose message
the desk shows as it is: Korean first.

Blocking work (a child process, numpy): callers run it in a thread.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from ivr.errors import HotlineError

RATE = 16000
MAX_SECONDS = 120.0
# A telephone target: speech at about -19 LUFS (ITU-T P.56's -26 dBov active
# speech level read as loudness), never a peak above -1 dBFS.
TARGET_LUFS = -19.0
PEAK_CEILING_DBFS = -1.0
# Trimming: 10 ms frames; a frame is sound if within 40 dB of the loudest frame
# and above -55 dBFS; 80 ms of the quiet is kept on each side.
FRAME = RATE // 100
TRIM_BELOW_PEAK_DB = 40.0
TRIM_FLOOR_DBFS = -55.0
KEEP_MS = 80
# Silence: nothing louder than -50 dBFS, or under a third of a second of sound.
SILENT_DBFS = -50.0
MIN_SOUND_SECONDS = 0.3
# Clipping: runs of three or more samples at full scale, more than 0.1 % of the sound.
CLIP_LEVEL = 0.995
CLIPPED_SHARE = 0.001

NOT_AUDIO = "오디오 파일이 아닙니다. WAV, MP3, M4A, OGG 파일을 올리거나 녹음해 주십시오. · Not an audio file."
TOO_LONG = (
    f"녹음이 {int(MAX_SECONDS // 60)}분을 넘습니다. 안내 문구는 2분 안으로 녹음해 주십시오. · Over 2 minutes."
)
SILENT = "소리가 들리지 않습니다(무음). 마이크를 확인하신 뒤 다시 녹음해 주십시오. · The recording is silent."
CLIPPED = (
    "소리가 너무 커서 찌그러졌습니다(클리핑). 마이크에서 조금 떨어져 다시 녹음해 주십시오. "
    "· The recording is clipped."
)


class PromptAudioRefused(HotlineError):
    """A recording that cannot become a prompt; the message says why, in Korean first."""


@dataclass(frozen=True)
class Prepared:
    """A recording made ready: the files and what was measured."""

    narrow: Path  # <stem>.wav, 8 kHz mono 16-bit
    wide: Path  # <stem>.wav16, 16 kHz mono 16-bit
    before: Path  # the recording as sent, decoded (16 kHz, for the "before" waveform)
    seconds: float  # after trimming
    seconds_before: float
    loudness_before: float  # LUFS
    loudness: float  # LUFS after normalising
    gain_db: float


def decode(source: Path) -> np.ndarray:
    """The first ~2 minutes of `source` as float samples at 16 kHz mono (PromptAudioRefused if not audio)."""
    if not shutil.which("ffmpeg"):
        raise HotlineError("ffmpeg is missing: apt-get install ffmpeg")
    # A little over the limit, so "over two minutes" is seen without reading more.
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(source), "-t", f"{MAX_SECONDS + 0.5}"]
    cmd += ["-vn", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PromptAudioRefused(NOT_AUDIO) from exc
    if done.returncode != 0 or not done.stdout:
        raise PromptAudioRefused(NOT_AUDIO)
    return np.frombuffer(done.stdout, dtype="<i2").astype(np.float64) / 32768.0


def dbfs(level: float) -> float:
    return 20 * float(np.log10(max(level, 1e-10)))


def check(samples: np.ndarray) -> None:
    """Refuse what cannot be a prompt: too long, silent, clipped."""
    if len(samples) > MAX_SECONDS * RATE:
        raise PromptAudioRefused(TOO_LONG)
    if not len(samples) or dbfs(float(np.max(np.abs(samples)))) < SILENT_DBFS:
        raise PromptAudioRefused(SILENT)
    loud = np.abs(samples) >= CLIP_LEVEL
    # Count samples in runs of three or more: one full-scale sample is a peak, not a clip.
    runs = loud[:-2] & loud[1:-1] & loud[2:]
    if runs.sum() > CLIPPED_SHARE * len(samples):
        raise PromptAudioRefused(CLIPPED)


def trim(samples: np.ndarray) -> np.ndarray:
    """Without the silence before the first sound and after the last."""
    frames = len(samples) // FRAME
    if frames == 0:
        return samples
    levels = np.sqrt(np.mean(samples[: frames * FRAME].reshape(frames, FRAME) ** 2, axis=1))
    db = 20 * np.log10(np.maximum(levels, 1e-10))
    threshold = max(float(db.max()) - TRIM_BELOW_PEAK_DB, TRIM_FLOOR_DBFS)
    sound = np.flatnonzero(db > threshold)
    keep = KEEP_MS * RATE // 1000
    start = max(0, int(sound[0]) * FRAME - keep)
    end = min(len(samples), (int(sound[-1]) + 1) * FRAME + keep)
    return samples[start:end]


def loudness(samples: np.ndarray) -> float:
    """Integrated loudness (LUFS, ITU-R BS.1770-4); a clip under the 400 ms gate is measured looped."""
    block = int(0.5 * RATE)
    if len(samples) < block:
        samples = np.tile(samples, block // max(len(samples), 1) + 1)
    return float(pyloudnorm.Meter(RATE).integrated_loudness(samples))


def normalize(samples: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(samples at the target loudness or as near as the peak ceiling allows, loudness before, gain dB)."""
    before = loudness(samples)
    gain = TARGET_LUFS - before
    peak = dbfs(float(np.max(np.abs(samples))))
    gain = min(gain, PEAK_CEILING_DBFS - peak)
    return samples * 10 ** (gain / 20), before, gain


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())


def prepare(source: Path, folder: Path, stem: str) -> Prepared:
    """Decode, check, trim, normalise `source`; write `<stem>.wav`, `<stem>.wav16` and
    `<stem>.before.wav` into `folder`. PromptAudioRefused, nothing written, if refused."""
    raw = decode(source)
    check(raw)
    trimmed = trim(raw)
    if len(trimmed) < MIN_SOUND_SECONDS * RATE:
        raise PromptAudioRefused(SILENT)
    loud, before, gain = normalize(trimmed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = Prepared(
        narrow=folder / f"{stem}.wav",
        wide=folder / f"{stem}.wav16",
        before=folder / f"{stem}.before.wav",
        seconds=round(len(loud) / RATE, 3),
        seconds_before=round(len(raw) / RATE, 3),
        loudness_before=round(before, 1),
        loudness=round(loudness(loud), 1),
        gain_db=round(gain, 1),
    )
    write_wav(paths.before, raw, RATE)
    write_wav(paths.wide, loud, RATE)
    write_wav(paths.narrow, resample_poly(loud, 1, 2), RATE // 2)
    return paths


def seconds_of(path: Path) -> float:
    """A WAV's length in seconds (0.0 if it cannot be read)."""
    try:
        with wave.open(str(path), "rb") as wav:
            return round(wav.getnframes() / wav.getframerate(), 3)
    except (OSError, wave.Error, ZeroDivisionError):
        return 0.0
