"""Where recordings go on disk, and proof a copy arrived whole."""

from __future__ import annotations

import hashlib
import io
import wave
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.errors import StoreError
from ivr.store import recording_files

SEOUL = ZoneInfo("Asia/Seoul")


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(seconds * rate))
    return out.getvalue()


def test_a_conversation_goes_under_its_local_date_and_call_id() -> None:
    at = datetime(2026, 11, 28, 0, 30, tzinfo=SEOUL)  # still the 27th in UTC
    assert recording_files.relative_path("1795839926.0", "conversation", at) == "2026/11/28/1795839926.0.wav"


def test_a_message_is_named_apart_from_the_call_s_conversation() -> None:
    at = datetime(2027, 1, 5, 9, 0, tzinfo=SEOUL)
    assert recording_files.relative_path("17.3", "voicemail", at) == "2027/01/05/17.3-voicemail.wav"
    # A second conversation (the first counselor's line broke) keeps its number.
    assert recording_files.relative_path("17.3", "conversation", at, "call-17.3-2") == "2027/01/05/17.3-2.wav"
    assert recording_files.relative_path("17.3", "conversation", at, "call-17.3") == "2027/01/05/17.3.wav"
    assert (
        recording_files.relative_path("17.3", "conversation", at, "call-17.3-x/..") == "2027/01/05/17.3.wav"
    )


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", ".hidden"])
def test_a_call_id_that_could_escape_the_folder_is_refused(bad: str) -> None:
    with pytest.raises(StoreError):
        recording_files.relative_path(bad, "conversation", datetime(2026, 1, 1, tzinfo=SEOUL))


def test_a_stored_file_has_the_checksum_size_and_length_of_what_was_fetched(tmp_path: Path) -> None:
    data = wav_bytes(2.5)
    facts = recording_files.store(tmp_path, "2026/11/28/x.wav", data)
    written = (tmp_path / "2026/11/28/x.wav").read_bytes()
    assert written == data
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert (facts.bytes, facts.format, facts.seconds) == (len(data), "wav", 2.5)
    assert sorted(p.name for p in (tmp_path / "2026/11/28").iterdir()) == ["x.wav"]  # no temp file left


def test_storing_again_replaces_the_file_whole(tmp_path: Path) -> None:
    recording_files.store(tmp_path, "d/x.wav", wav_bytes(1))
    facts = recording_files.store(tmp_path, "d/x.wav", wav_bytes(3))
    assert facts.seconds == 3.0
    assert recording_files.sha256_file(tmp_path / "d/x.wav") == facts.sha256


def test_what_is_no_wav_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="WAV"):
        recording_files.store(tmp_path, "d/x.wav", b"<html>busy</html>")
    assert not (tmp_path / "d").exists()


def test_an_empty_recording_lasts_zero_seconds() -> None:
    assert recording_files.wav_seconds(wav_bytes(0)) == 0.0
