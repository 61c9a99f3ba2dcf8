"""Recordings on the real Asterisk: copied out of its spool, verified, purged
by retention, and a recording that fails leaves the conversation alone."""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ivr import config as config_mod
from ivr.pbx import embedded
from tests.integration.conftest import COUNSELOR_PORTS, WEB_PORT, Service, ari_get
from tests.integration.sipp import SippLab


def wait_recordings(hotline: Service, count: int, status: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = hotline.query("SELECT * FROM recordings WHERE status = ? ORDER BY id", (status,))
        if len(rows) >= count:
            return rows
        time.sleep(0.05)
    raise AssertionError(
        f"{len(rows)} of {count} recordings {status} after {timeout} s:\n"
        f"{hotline.query('SELECT * FROM recordings')}\n{hotline.log()[-3000:]}"
    )


def sox_seconds(path: Path) -> float:
    out = subprocess.run(["sox", "--i", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def pbx_has_stored(cfg: config_mod.LoadedConfig, name: str) -> bool:
    try:
        ari_get(cfg, f"recordings/stored/{name}")
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return False
        raise
    return True


def recordings_root(hotline: Service) -> Path:
    return hotline.config_path.parent / "recordings"


def talk_until_the_citizen_hangs_up(hotline: Service, lab: SippLab, hangup_after_ms: int) -> dict[str, Any]:
    """c1 answers, the citizen speaks and then hangs up themself: the call went on
    to its end, whatever became of its recording. The call's record."""
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(800, "0")], speaks_at_ms=2000, hangup_after_ms=hangup_after_ms)
    assert citizen.wait(60) == 0, citizen.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["hangup_by"]) == ("answered", "caller")
    return call


def recording_with_error(
    hotline: Service, call_id: str, starting: str = "", timeout: float = 30.0
) -> dict[str, Any]:
    """The call's recording row once its error (starting so) is written."""
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = hotline.query("SELECT * FROM recordings WHERE call_id = ?", (call_id,))
        error = rows[0]["error"] if rows else None
        if error and error.startswith(starting):
            return rows[0]
        time.sleep(0.1)
    raise AssertionError(f"no recording error {starting!r} for {call_id} after {timeout} s: {rows}")


def test_conversations_are_copied_verified_and_purged_by_retention_except_flagged_and_held(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    # Three citizens talk to three counselors at once; c1 keys *9 once (a
    # warning: the call is flagged as abusive, and its recording kept).
    counselors = [
        lab.counselor(COUNSELOR_PORTS[0], "answer", keys=[(1500, "*"), (1800, "9")]),
        lab.counselor(COUNSELOR_PORTS[1], "answer"),
        lab.counselor(COUNSELOR_PORTS[2], "answer"),
    ]
    citizens = [
        lab.citizen(digits=[(800, "0")], caller=f"0101111000{i}", speaks_at_ms=2000, hangup_after_ms=12000)
        for i in range(3)
    ]
    for phone in citizens + counselors:
        assert phone.wait(90) == 0, phone.errors()
    calls = {c["id"]: c for c in hotline.closed_calls(3)}
    assert [c["disposition"] for c in calls.values()] == ["answered"] * 3
    stored = wait_recordings(hotline, 3, "stored")

    root = recordings_root(hotline)
    spool = embedded.instance_for(pbx).recordings
    for row in stored:
        call = calls[row["call_id"]]
        assert row["error"] is None, row  # whole, not cut short
        assert row["name"] == call["recording"] == f"call-{call['id']}"
        day = datetime.fromisoformat(row["recorded_at"])
        assert row["path"] == f"{day:%Y/%m/%d}/{call['id']}.wav"
        wav = root / row["path"]
        assert hashlib.sha256(wav.read_bytes()).hexdigest() == row["sha256"]
        assert wav.stat().st_size == row["bytes"]
        seconds = sox_seconds(wav)
        assert abs(seconds - call["talk_seconds"]) <= 1.0, (seconds, call)
        assert seconds <= call["billable_seconds"]
        assert abs(seconds - row["seconds"]) < 0.01
        assert row["format"] == "wav"
        # Asterisk's copy is gone: the spool does not grow.
        assert not pbx_has_stored(pbx, row["name"])
        assert not (spool / f"{row['name']}.wav").exists()
    assert re.search(r"hotline_recording_copies_total 3\b", metrics())

    flagged = next(c for c in calls.values() if c["flagged"] == "abuse")
    held, ordinary = (c for c in calls.values() if c is not flagged)
    hold = hotline.ivr("recordings", "hold", held["id"], "--reason", "민원 소송 증거 (case 2026-17)")
    assert hold.returncode == 0, hold.stderr

    later = (datetime.now() + timedelta(days=91)).isoformat(timespec="minutes")
    dry = hotline.ivr("recordings", "purge", "--as-of", later)
    assert dry.returncode == 0, dry.stderr
    assert ordinary["id"] in dry.stdout and "would purge 1 recording(s)" in dry.stdout, dry.stdout
    assert "1 flagged" in dry.stdout and "1 held" in dry.stdout
    assert len(list(root.rglob("*.wav"))) == 3  # a dry run deletes nothing

    applied = hotline.ivr("recordings", "purge", "--as-of", later, "--apply")
    assert applied.returncode == 0, applied.stderr
    rows = {r["call_id"]: r for r in hotline.query("SELECT * FROM recordings")}
    gone = rows[ordinary["id"]]
    assert gone["status"] == "purged" and gone["purged_at"] and gone["purged_by"]
    assert gone["purge_reason"] == "older than 90 days (default)"
    assert not (root / gone["path"]).exists()
    for kept in (flagged, held):
        assert rows[kept["id"]]["status"] == "stored"
        assert (root / rows[kept["id"]]["path"]).is_file()
    assert rows[held["id"]]["hold_reason"] == "민원 소송 증거 (case 2026-17)"


def test_a_recording_left_behind_by_a_killed_service_is_copied_after_its_restart(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(800, "0")], speaks_at_ms=2000, hangup_after_ms=10000)
    hotline.wait_for_event("recording_started", timeout=40)
    [row] = hotline.query("SELECT * FROM recordings")
    assert row["status"] == "pending"

    hotline.kill()
    assert citizen.wait(60) == 0, citizen.errors()  # the citizen hangs up while nobody watches
    hotline.start()

    # Back, the service ends what is left of the call (the counselor's phone
    # too), and the recording, finished by then, is copied: nothing is lost.
    assert counselor.wait(30) == 0, counselor.errors()
    wav = hotline.stored_recording(row["name"])
    assert sox_seconds(wav) >= 5
    assert not pbx_has_stored(pbx, row["name"])


def metrics() -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{WEB_PORT}/metrics", timeout=2) as r:
        return r.read().decode()


@contextmanager
def spool_broken(folder: Path, how: str) -> Iterator[None]:
    """Break Asterisk's recording folder, and mend it afterwards.

    `unwritable`: read-only to Asterisk (it runs as its own user);
    `not_a_folder`: a regular file in its place. Either way Asterisk 22 starts
    the recording, cannot open its file ("Error creating writestream") and
    reports it finished at once, without a file: the copier finds none.
    """
    mode = folder.stat().st_mode
    aside = folder.with_name("recording.aside")
    if how == "unwritable":
        folder.chmod(0o555)
    else:
        folder.rename(aside)
        folder.write_text("not a folder\n")
    try:
        yield
    finally:
        if how == "unwritable":
            folder.chmod(mode)
        else:
            folder.unlink()
            aside.rename(folder)


@pytest.mark.parametrize("how", ["unwritable", "not_a_folder"])
def test_a_recording_that_fails_leaves_the_conversation_going_and_is_stored_as_failed(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab, how: str
) -> None:
    with spool_broken(embedded.instance_for(pbx).recordings, how):
        # The citizen hangs up when they are done, not the hotline: the call went on.
        call = talk_until_the_citizen_hangs_up(hotline, lab, 12000)
    assert call["talk_seconds"] >= 6, call
    [row] = wait_recordings(hotline, 1, "failed")
    assert row["call_id"] == call["id"] and row["error"], row
    kinds = [k for k, _ in hotline.timeline(call["id"])]
    assert "recording_failed" in kinds
    assert kinds.index("connected") < kinds.index("recording_failed")
    assert re.search(r"hotline_recording_failures_total 1\b", metrics())
    assert "ALERT recording" in hotline.log()


@contextmanager
def full_disk(folder: Path, size: str) -> Iterator[None]:
    """`folder` on a tiny tmpfs of its own: a full disk, as a real one fills up."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_our_recordings_disk_full_the_call_goes_on_and_the_copy_waits_for_space(
    hotline: Service, lab: SippLab, pbx: config_mod.LoadedConfig
) -> None:
    with full_disk(recordings_root(hotline), "16k"):
        call = talk_until_the_citizen_hangs_up(hotline, lab, 9000)
        # The failure is on the row, the PBX keeps its copy, and someone is alerted.
        row = recording_with_error(hotline, call["id"])
        assert row["status"] == "pending" and "No space left" in row["error"], row
        assert pbx_has_stored(pbx, row["name"])
        assert "ALERT copying recording" in hotline.log()
        assert re.search(r"hotline_recording_copy_errors_total [1-9]", metrics())
    # Space again (the tmpfs is gone): the retry stores it, verified, and clears the error.
    path = hotline.stored_recording(row["name"], timeout=60)
    stored = hotline.query("SELECT * FROM recordings WHERE name = ?", (row["name"],))[0]
    assert stored["error"] is None and stored["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert abs(sox_seconds(path) - call["talk_seconds"]) <= 1.0


def test_the_pbx_recording_disk_full_the_call_goes_on_and_the_cut_recording_is_flagged(
    hotline: Service, lab: SippLab, pbx: config_mod.LoadedConfig
) -> None:
    # Asterisk's own recording disk fills up four kilobytes (a quarter second) in.
    with full_disk(embedded.instance_for(pbx).recordings, "4k"):
        call = talk_until_the_citizen_hangs_up(hotline, lab, 9000)
        assert call["talk_seconds"] >= 4, call
        # Asterisk calls it finished; ending while the counselor was on the line gives it away.
        row = recording_with_error(hotline, call["id"], "cut short")
    assert row["error"].startswith("cut short"), row
    assert row["seconds"] < call["talk_seconds"] - 2
    assert "ALERT recording" in hotline.log()
    assert re.search(r"hotline_recording_failures_total 1\b", metrics())
