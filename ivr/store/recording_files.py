"""Recording files on disk: where each one goes, and proof it arrived whole.

The layout is stable so QA staff (and scripts) can find a recording without
the database: `YYYY/MM/DD/<call id>.wav` by the local date the recording
started, `<call id>-voicemail.wav` for a message. Files are written to a
temporary name, fsynced and renamed, so a crash leaves either the whole file
or none; the directory is fsynced too, so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import wave
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ivr.errors import StoreError


@dataclass(frozen=True)
class FileFacts:
    """What the recordings table keeps about a stored file."""

    path: str  # relative to storage.recordings
    sha256: str
    bytes: int
    format: str
    seconds: float


def relative_path(call_id: str, kind: str, recorded_at: datetime, name: str = "") -> str:
    """Where a recording lives under `storage.recordings` (always with '/').
    A call's second conversation (its counselor's line broke, another took
    over: `call-<id>-2`) keeps its number: `<id>-2.wav`."""
    if not call_id or "/" in call_id or call_id.startswith("."):
        raise StoreError(f"a call id cannot name a file: {call_id!r}")
    suffix = "-voicemail" if kind == "voicemail" else ""
    number = name.removeprefix(f"call-{call_id}-") if name.startswith(f"call-{call_id}-") else ""
    if kind != "voicemail" and number.isdigit():
        suffix = f"-{int(number)}"
    return f"{recorded_at:%Y/%m/%d}/{call_id}{suffix}.wav"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def wav_seconds(data: bytes) -> float:
    """The length of a WAV, from its header (StoreError when it is no WAV)."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            rate = w.getframerate()
            return round(w.getnframes() / rate, 3) if rate else 0.0
    except (wave.Error, EOFError) as exc:
        raise StoreError(f"not a readable WAV file: {exc}") from exc


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that it is either all there or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.part")
    try:
        with temp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StoreError(f"cannot write {target}: {exc}") from exc
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store(root: Path, relative: str, data: bytes) -> FileFacts:
    """Write a recording under `root` and read it back: the facts of a verified copy.

    Raises StoreError when the copy on disk is not what was fetched.
    """
    expected = sha256_of(data)
    seconds = wav_seconds(data)
    target = root / relative
    write_atomically(target, data)
    found = sha256_file(target)
    if found != expected:
        raise StoreError(f"{target}: checksum {found} after writing, expected {expected}")
    return FileFacts(relative, expected, len(data), "wav", seconds)
