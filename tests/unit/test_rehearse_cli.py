"""`ivr rehearse` refuses clearly, exit code 2, when it cannot call: no hotline, no SIPp, no number."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.cli.rehearse import parse_every
from ivr.flows.paths import Place, Plan, RehearsalPath
from ivr.rehearsal.caller import SippMissing, sipp_path
from ivr.rehearsal.expect import Expected
from ivr.rehearsal.run import PathResult, Rehearsal
from ivr.rehearsal.state import exposition, write
from ivr.web.wallboard import with_rehearsal

ROOT = Path(__file__).resolve().parents[2]


def rehearse(config: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path} if path is not None else None
    return subprocess.run(
        [sys.executable, "-m", "ivr.cli", "-c", str(config), "rehearse", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(tmp_path: Path, number: str | None = "01099990001") -> Path:
    path = tmp_path / "config.yaml"
    rehearsal = f"rehearsal: {{number: '{number}'}}\n" if number else ""
    path.write_text(
        f"hotline: {{flows_dir: {ROOT / 'callflows'}}}\n"
        "counselors: [{id: c01, name: 김민지, endpoint: counselor01}]\n"
        "queues: {general: {name: 일반}, foreign: {name: 외국어}}\n"
        f"web: {{port: {free_port()}}}\n" + rehearsal,
        encoding="utf-8",
    )
    return path


def test_given_no_hotline_running_then_a_clear_message_and_exit_2(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path))
    assert done.returncode == 2
    assert "the hotline is not running" in done.stderr and "start it with `ivr serve`" in done.stderr


def test_given_rehearsal_off_then_it_says_which_key_to_set(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path, number=None))
    assert done.returncode == 2
    assert "rehearsal.number is not set in config.yaml" in done.stderr


def test_given_paths_that_are_no_set_nor_numbers_then_exit_2(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path), "--paths", "six")
    assert done.returncode == 2
    assert "--paths 'six': give all, smoke or path numbers from --list, like 6 or 3,6,7" in done.stderr


def test_given_a_moment_it_cannot_read_then_exit_2(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path), "--at", "Christmas")
    assert done.returncode == 2
    assert "--at 'Christmas': give a moment like \"2026-12-25 10:00\"" in done.stderr


def test_the_plan_is_listed_without_calling_anyone(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path), "--list", "--at", "2026-09-25 10:00")
    assert done.returncode == 0, done.stderr
    assert "  1. hours holiday" in done.stdout  # Chuseok 2026
    assert "not at this moment: hours → open" in done.stdout
    assert "nodes.screen (screen) → repeat: needs an earlier call" in done.stdout


def test_given_no_sipp_then_the_message_names_debians_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        SippMissing, match=r"Install Debian's sip-tester package \(apt-get install sip-tester\)"
    ):
        sipp_path()


def test_every_takes_an_interval_of_half_a_minute_to_a_day() -> None:
    assert parse_every("15m") == 900.0 and parse_every("1h") == 3600.0 and parse_every("90s") == 90.0
    assert parse_every("10s") is None and parse_every("2d") is None and parse_every("often") is None


def test_a_bad_interval_is_refused_before_anything_is_called(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path), "--every", "often")
    assert done.returncode == 2
    assert "--every 'often': give an interval like 15m, 1h or 90s" in done.stderr


def test_the_last_run_is_exposed_as_hotline_rehearsal_metrics(tmp_path: Path) -> None:
    assert exposition(tmp_path) == []  # no run yet: nothing claimed
    plan = Plan()
    path = RehearsalPath(1, (), Place((), "hotline", "welcome"))
    failed = PathResult(path, Expected(path, [], [[]], [], datetime(2026, 12, 7)), failures=["x"])
    done = Rehearsal(plan, [failed], datetime(2026, 12, 7, 10, 0, tzinfo=UTC), 42.0)
    write(tmp_path, done, "smoke")
    lines = exposition(tmp_path)
    assert "hotline_rehearsal_paths 1" in lines and "hotline_rehearsal_failed_paths 1" in lines
    assert "hotline_rehearsal_duration_seconds 42.0" in lines
    assert f"hotline_rehearsal_last_run_timestamp_seconds {1796637600 + 42}" in lines


def test_a_load_beyond_the_bound_is_refused(tmp_path: Path) -> None:
    done = rehearse(config(tmp_path), "--load", "500")
    assert done.returncode == 2
    assert "--load 500: from 1 to 30 calls at once" in done.stderr


def test_the_wallboard_shows_the_last_run_and_alerts_on_a_failed_path() -> None:
    calm = with_rehearsal({"alerts": []}, {"paths": 3, "failed": 0, "finished_at": 1.0})
    assert calm["rehearsal"]["paths"] == 3 and calm["alerts"] == []
    failed = with_rehearsal({"alerts": []}, {"paths": 28, "failed": 2, "finished_at": 1.0})
    assert failed["alerts"] == [
        {
            "kind": "rehearsal",
            "counselor": None,
            "counselors": [],  # an alert of the center, not of counselors
            "ko": "리허설: 경로 28개 중 2개 실패",
            "en": "rehearsal: 2 of 28 paths failed",
        }
    ]
    assert with_rehearsal({"alerts": []}, None)["rehearsal"] is None
