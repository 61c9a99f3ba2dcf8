"""Render prompt text to 8 kHz telephone WAV files with espeak-ng and sox.

Files are cached by a hash of the text, the voice and the renderer settings,
so rendering a catalog the second time costs nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from ivr.errors import PbxError
from ivr.pbx.install import default_root
from ivr.prompts.voice import ESPEAK_ARGS, SETTINGS

VOICES = {"ko": "ko", "en": "en-us", "zh": "cmn", "vi": "vi"}
_SETTINGS = SETTINGS


def cache_dir() -> Path:
    """Beside the embedded Asterisk's root, so one cache folder holds both."""
    return default_root().parent / "prompts"


def key(text: str, language: str) -> str:
    """The cache key of a text in a language: what the renderer would make of it."""
    voice = VOICES.get(language, language)
    return hashlib.sha256(f"{voice}\0{_SETTINGS}\0{text}".encode()).hexdigest()[:24]


def render(text: str, language: str, cache: Path | None = None) -> Path:
    """The cached WAV for `text` in `language`, rendering it if needed."""
    voice = VOICES.get(language)
    if voice is None:
        raise PbxError(f"no voice for language {language!r}; known: {', '.join(VOICES)}")
    cache = cache or cache_dir()
    out = cache / f"{language}-{key(text, language)}.wav"
    if out.is_file():
        return out
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            raise PbxError(f"{tool} is missing: apt-get install espeak-ng sox")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        tmp_out = Path(tmp) / "out.wav"
        _run(["espeak-ng", "-v", voice, *ESPEAK_ARGS, "-w", str(raw), text])
        # Telephone audio: 8 kHz mono 16-bit, a little quieter than espeak's peak.
        _run(
            [
                "sox",
                str(raw),
                "-r",
                "8000",
                "-c",
                "1",
                "-b",
                "16",
                "-e",
                "signed-integer",
                str(tmp_out),
                "gain",
                "-n",
                "-3",
            ]
        )
        shutil.move(str(tmp_out), out)
    return out


def _run(cmd: list[str]) -> None:
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    except subprocess.CalledProcessError as exc:
        raise PbxError(f"{cmd[0]} failed: {exc.stderr.decode(errors='replace').strip()}") from exc
