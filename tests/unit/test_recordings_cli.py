"""`ivr recordings`, `ivr voicemails`, `ivr callbacks` as staff type them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli import main
from ivr.store import recordings
from tests.records import storage_yaml


def config(tmp_path: Path, records_at: Path | str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(
        "counselors:\n  - {id: c01, name: 김민지, endpoint: c01}\n"
        + storage_yaml(records_at)
        + "retention: {default_days: 90, categories: {voicemail: 30}}\n",
        encoding="utf-8",
    )
    return str(path)


def test_a_purge_is_a_dry_run_unless_applied(
    records_at: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["-c", config(tmp_path, records_at), "recordings", "purge", "--as-of", "2027-03-01 09:00"]) == 0
    )
    assert "would purge 0 recording(s), 0 bytes" in capsys.readouterr().out


@pytest.mark.parametrize("records_at", ["sqlite"], indirect=True)  # refused before the records are read
def test_a_bad_as_of_says_how_to_write_it(
    records_at: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-c", config(tmp_path, records_at), "recordings", "purge", "--as-of", "next tuesday"]) == 1
    assert "--as-of 'next tuesday': use a date and time such as '2027-03-01 09:00'" in capsys.readouterr().err


def test_holding_an_unknown_call_is_refused(
    records_at: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-c", config(tmp_path, records_at), "recordings", "hold", "1.2", "--reason", "소송"]) == 1
    assert "call '1.2' has no recordings" in capsys.readouterr().err


def test_a_voicemail_is_assigned_and_done_from_the_command_line(
    records_at: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, records_at)
    db = recordings.open_db(records_at)
    db.table("voicemails").insert(
        {
            "call_id": "1",
            "caller": "01012345678",
            "recording": "v",
            "seconds": 3.0,
            "at": "t",
            "status": "new",
        }
    )
    assert main(["-c", cfg, "voicemails", "assign", "1", "c01"]) == 0
    assert main(["-c", cfg, "voicemails", "done", "1"]) == 0
    assert main(["-c", cfg, "voicemails", "--status", "done"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["voicemails 1 assigned to c01", "voicemails 1 done"]
    assert out[2].split()[-2:] == ["done", "c01"]


def test_bad_follow_up_arguments_name_what_is_missing(
    records_at: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, records_at)
    assert main(["-c", cfg, "callbacks", "assign"]) == 1
    assert "give the id" in capsys.readouterr().err
    assert main(["-c", cfg, "callbacks", "--status", "closed"]) == 1
    assert "--status 'closed': use one of new, assigned, done, failed" in capsys.readouterr().err
