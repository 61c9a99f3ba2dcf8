"""`ivr rehearse` against the real hotline: synthetic calls walk every path and are checked."""

from __future__ import annotations

import asyncio
import shutil
import wave
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ivr import config as config_mod
from ivr.admin.flows import sounds_dir
from ivr.rehearsal import caller
from tests.integration.conftest import CONFIG, FLOWS, REHEARSAL_CALLER_PORT, SIP_PORT, Service

HERE = Path(__file__).resolve().parent / "flows_rehearsal"


@pytest.fixture(scope="module")
def rehearsed(pbx: config_mod.LoadedConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The hotline answering with the small rehearse.yaml flow (one service for this module)."""
    tmp_path = tmp_path_factory.mktemp("rehearsal")
    flows = tmp_path / "flows"
    shutil.copytree(HERE, flows)
    text = CONFIG.replace("DATABASE", str(tmp_path / "hotline.sqlite3")).replace(
        "STATE", str(pbx.path.parent)
    )
    text = text.replace("REHEARSALS", str(tmp_path / "rehearsals.sqlite3")).replace(str(FLOWS), str(flows))
    path = tmp_path / "config.yaml"
    path.write_text(text.replace("flow: itest", "flow: rehearse"))
    service = Service(path, tmp_path / "hotline.sqlite3", tmp_path / "service.log")
    service.start()
    yield service
    service.stop()


def prompt_file(service: Service, prompt: str) -> Path:
    sounds = sounds_dir(config_mod.load(service.config_path))
    assert sounds is not None
    [found] = sounds.glob(f"jeonju-flows/rehearse.{prompt}.ko.*.wav")
    return found


def test_a_silent_and_a_deleted_prompt_fail_exactly_their_paths_and_no_figure_moves(
    rehearsed: Service,
) -> None:
    today = date.today().isoformat()
    before = rehearsed.ivr("report", "--from", today, "--to", today, "--format", "json")
    info, again = prompt_file(rehearsed, "info"), prompt_file(rehearsed, "again")
    try:
        with wave.open(str(info), "rb") as w:
            params, frames = w.getparams(), w.getnframes()
        with wave.open(str(info), "wb") as w:
            w.setparams(params)
            w.writeframes(b"\0\0" * frames)
        again.unlink()

        done = rehearsed.ivr("rehearse", "--report-dir", str(rehearsed.config_path.parent))
    finally:
        info.unlink()  # rendered again, as it should sound, by the next publish
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "6 path(s) rehearsed" in out and "4 passed, 2 failed" in out, out + done.stderr
    failed = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert [line.split(".", 1)[1].split("  ")[0].strip() for line in failed] == [
        "hours open › menu invalid",
        "hours open › menu 1",
    ], out  # failures first, in path order
    assert "prompt rehearse.info (ko) at node info: heard silence where it plays" in out
    assert "prompt rehearse.again (ko) at node menu: its file is not on the PBX" in out
    assert "path 6 of 6" in done.stderr  # progress as it went
    assert list(rehearsed.config_path.parent.glob("rehearsal-*.html"))

    after = rehearsed.ivr("report", "--from", today, "--to", today, "--format", "json")
    assert before.returncode == after.returncode == 0
    assert after.stdout == before.stdout  # no figure a supervisor sees has moved
    assert rehearsed.query("SELECT COUNT(*) AS n FROM calls")[0]["n"] == 0


def test_chuseok_rehearses_the_holiday_path_and_a_citizen_cannot_move_the_clock(rehearsed: Service) -> None:
    done = rehearsed.ivr(
        "rehearse", "--at", "2026-09-25 10:00", "--report-dir", str(rehearsed.config_path.parent)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok    1. hours holiday" in done.stdout
    assert "not at this moment: hours → open" in done.stdout

    citizen = asyncio.run(
        caller.place_call(
            number="01012345678",
            host="127.0.0.1",
            sip_port=REHEARSAL_CALLER_PORT,
            rtp_port=39500,
            target=f"127.0.0.1:{SIP_PORT}",
            dialed="2221000",
            inputs=[],
            expected_audio=[],
            at="2026-09-25 10:00",
            wait_seconds=6,  # long enough to pass the schedule; then the citizen hangs up
        )
    )
    assert citizen.sipp_exit == 0, citizen.sipp_errors
    [call] = rehearsed.closed_calls(1)
    assert call["caller"] == "01012345678"
    assert call["ivr_path"].startswith("hello > hours > menu")  # the real clock: open
    assert ("moment_refused", {"moment": "2026-09-25 10:00", "reason": "not the rehearsal number"}) in (
        rehearsed.timeline(call["id"])
    )
