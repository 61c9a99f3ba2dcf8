"""The studio's audio rules on known samples: trimming, loudness, refusals; and the
versions a publish and a rollback leave."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils

from ivr.pbx import prompt_audio as pa
from ivr.store import copy, engine
from ivr.store import prompt_versions as pv

RATE = pa.RATE
AT = datetime(2026, 3, 2, tzinfo=UTC)


def voice(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return level * np.sin(2 * np.pi * 300 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE))


def test_silence_before_and_after_is_trimmed_to_80_ms_each_side() -> None:
    trimmed = pa.trim(np.concatenate([quiet(1.0), voice(2.0), quiet(1.5)]))
    assert abs(len(trimmed) / RATE - (2.0 + 2 * pa.KEEP_MS / 1000)) < 0.02


def test_loudness_reaches_the_target_unless_the_peak_would_pass_the_ceiling() -> None:
    levelled, before, _ = pa.normalize(voice(2.0, level=0.05))
    assert before < pa.TARGET_LUFS - 10
    assert abs(pa.loudness(levelled) - pa.TARGET_LUFS) < 0.5
    peaky = np.concatenate([voice(2.0, level=0.02), np.full(4, 0.9), voice(0.5, level=0.02)])
    capped, _, _ = pa.normalize(peaky)
    assert pa.dbfs(float(np.max(np.abs(capped)))) <= pa.PEAK_CEILING_DBFS + 0.01


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        (quiet(3.0), pa.SILENT),
        (voice(2.0, level=0.001), pa.SILENT),
        (np.clip(voice(2.0, level=3.0), -1, 1), pa.CLIPPED),
        (voice(pa.MAX_SECONDS + 0.2), pa.TOO_LONG),
    ],
    ids=["silence", "a whisper below -50 dBFS", "clipped", "over two minutes"],
)
def test_what_cannot_be_a_prompt_is_refused_with_its_korean_reason(samples: np.ndarray, message: str) -> None:
    with pytest.raises(pa.PromptAudioRefused) as refused:
        pa.check(samples)
    assert str(refused.value) == message


def test_a_loud_clean_recording_with_one_full_scale_peak_passes() -> None:
    pa.check(np.concatenate([voice(2.0, level=0.7), np.array([1.0]), voice(1.0, level=0.7)]))


def _take(db: sqlite_utils.Database, stem: str) -> int:
    return pv.add_take(
        db, AT, {"prompt": "flow/h/greeting/ko", "stem": stem, "seconds": 2.0, "loudness": -19.0}
    )


def test_publish_supersedes_and_rollback_restores_the_previous_audio(records_at: Path | str) -> None:
    db = engine.open_with(records_at, copy.site_schema)  # the audit table is the desk's
    a, b = _take(db, "a"), _take(db, "b")
    assert pv.publish(db, AT, "voice1", a)["version"] == 1  # type: ignore[index]
    assert pv.publish(db, AT, "voice1", b)["version"] == 2  # type: ignore[index]
    assert pv.publish(db, AT, "voice1", b) is None  # published already: refused, nothing written
    assert {t["stem"]: t["state"] for t in db.table("prompt_takes").rows} == {
        "a": "superseded",
        "b": "published",
    }
    back = pv.roll_back(db, AT, "voice1", "flow/h/greeting/ko")
    assert back is not None and (back["version"], back["kind"], back["stem"]) == (3, "recorded", "a")
    db.close()


def test_rolling_back_the_only_recording_brings_the_voice_back(records_at: Path | str) -> None:
    db = engine.open_with(records_at, copy.site_schema)  # the audit table is the desk's
    only = _take(db, "c")
    pv.publish(db, AT, "voice1", only)
    voice_again = pv.roll_back(db, AT, "voice1", "flow/h/greeting/ko")
    assert voice_again is not None and (voice_again["kind"], voice_again["stem"]) == ("synthesized", None)
    assert pv.current(db)["flow/h/greeting/ko"]["version"] == 2
    assert [r["action"] for r in db.table("audit").rows] == ["prompt.publish", "prompt.rollback"]
    assert pv.roll_back(db, AT, "voice1", "flow/h/never/ko") is None
    db.close()
