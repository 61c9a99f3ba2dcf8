"""Evidence packages: made from the records of a flagged call, signed with the
service's key, checked without the service; a changed byte names its file."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.admin import evidence
from ivr.admin.evidence_verify import verify
from ivr.admin.problems import InvalidInput, NoSuchCall
from ivr.cli.main import main
from ivr.ports import CallFacts
from ivr.store import audit, call_notes, recordings
from ivr.store.calls import SqliteCallRecords
from ivr.store.desk_schema import create_schema as create_desk_schema
from tests.unit.test_recording_files import wav_bytes
from tests.unit.test_recordings_store import T0

CALL = "1764.77"
NOW = T0 + timedelta(minutes=10)


@pytest.fixture
async def records(records_at: Path | str, tmp_path: Path) -> SqliteCallRecords:
    """A call ended for harassment, its recording stored, a note, a QA play of it."""
    records = SqliteCallRecords(records_at)
    records.start()
    await records.db.run(create_desk_schema)
    archive = recordings.SqliteRecordingArchive(records.db, tmp_path / "recordings")
    facts = CallFacts(CALL, "01066667777", "2221000", started_at=T0, ended_at=T0 + timedelta(minutes=3))
    facts.counselor_id, facts.flagged, facts.recording = "c1", "harassment", f"call-{CALL}"
    await records.closed(facts)
    await records.event(CALL, T0 + timedelta(seconds=40), "harassment_warning", {"counselor": "c1"})
    await archive.started(CALL, "conversation", f"call-{CALL}", T0)
    await archive.keep(f"call-{CALL}", wav_bytes(3), T0 + timedelta(minutes=4))
    note = {"call_id": CALL, "counselor_id": "c1", "author": "minji", "at": "2026-11-28T05:05:00+00:00"}
    row = {**note, "topic": None, "note": "성희롱 발언 반복"}
    await records.db.run(lambda db: call_notes.add(db, row, None, T0 + timedelta(minutes=5)))
    played = T0 + timedelta(minutes=6)
    await records.db.run(lambda db: audit.record(db, played, "qa1", "recording_played", "1", f"call={CALL}"))
    yield records
    records.close()


async def package(records: SqliteCallRecords, tmp_path: Path, actor: str = "qa1") -> evidence.Package:
    return await evidence.make(
        records.db, tmp_path / "recordings", tmp_path / "var" / "evidence", CALL, actor, "10.0.0.7", NOW
    )


def rewrite(source: Path, target: Path, change: dict[str, bytes]) -> None:
    """The package as someone who changed some of its files would write it back."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change.get(name, old.read(name)))


async def test_a_package_verifies_and_holds_the_recording_the_timeline_notes_and_custody(
    records_at: Path | str, records: SqliteCallRecords, tmp_path: Path
) -> None:
    made = await package(records, tmp_path)
    assert (made.version, made.path.name) == (1, "v1.zip")
    verdict = verify(made.path)
    assert verdict.ok, verdict.problems
    assert sorted(verdict.checked) == ["call.json", "notes.json", "recordings/1764.77.wav", "timeline.json"]
    with zipfile.ZipFile(made.path) as z:
        assert z.read("recordings/1764.77.wav") == wav_bytes(3)
        assert json.loads(z.read("notes.json"))[0]["note"] == "성희롱 발언 반복"
        assert [e["kind"] for e in json.loads(z.read("timeline.json"))] == ["harassment_warning"]
        manifest = json.loads(z.read("manifest.json"))
    assert (manifest["situation"], manifest["made_by"]) == ("harassment", "qa1")
    assert [c["what"] for c in manifest["custody"]] == [
        "recorded",
        "copied",
        "recording_played",
        "recording_held",
    ]
    # The call is under legal hold now, and the making is on record.
    db = recordings.open_db(records_at)
    [row] = recordings.listing(db, call_id=CALL)
    assert row["legal_hold"] == 1 and "evidence package" in row["hold_reason"]
    [made_row] = db.query("SELECT * FROM audit WHERE action = 'evidence_package'")
    assert made_row["target"] == CALL and made_row["detail"].startswith(f"v1 sha256={made.sha256}")
    # The key is the service's own, readable by its owner only.
    key = tmp_path / "var" / "evidence" / evidence.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert verdict.key_fingerprint == evidence.public_key(tmp_path / "var" / "evidence")[1]


async def test_a_changed_byte_names_the_file_and_a_changed_manifest_fails(
    records: SqliteCallRecords, tmp_path: Path
) -> None:
    made = await package(records, tmp_path)
    audio = bytearray(wav_bytes(3))
    audio[200] ^= 0x01
    changed = tmp_path / "changed.zip"
    rewrite(made.path, changed, {"recordings/1764.77.wav": bytes(audio)})
    assert verify(changed).problems == [
        "recordings/1764.77.wav: SHA-256 differs from the manifest (the file was changed)"
    ]
    # Flipping a byte inside the zip itself is caught too, and named.
    raw = bytearray(made.path.read_bytes())
    at = raw.index(wav_bytes(3)[100:140])
    raw[at] ^= 0x01
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(raw))
    [problem] = verify(flipped).problems
    assert problem.startswith("recordings/1764.77.wav: ")
    # A manifest changed to match a changed file no longer matches its signature.
    with zipfile.ZipFile(made.path) as z:
        manifest = json.loads(z.read("manifest.json"))
    manifest["made_by"] = "someone else"
    forged = tmp_path / "forged.zip"
    rewrite(made.path, forged, {"manifest.json": json.dumps(manifest).encode()})
    [problem] = verify(forged).problems
    assert problem.startswith("manifest.json: the signature does not match")


async def test_a_second_package_is_a_new_version_and_both_verify(
    records: SqliteCallRecords, tmp_path: Path
) -> None:
    first = await package(records, tmp_path)
    second = await package(records, tmp_path, actor="super1")
    assert (first.version, second.version) == (1, 2)
    assert verify(first.path).ok and verify(second.path).ok
    assert [p.name for p in evidence.versions(tmp_path / "var" / "evidence", CALL)] == ["v1.zip", "v2.zip"]
    with zipfile.ZipFile(second.path) as z:
        custody = json.loads(z.read("manifest.json"))["custody"]
    assert "evidence_package" in [c["what"] for c in custody]  # the first package is in the second's custody


async def test_an_unflagged_or_unknown_call_is_refused_and_nothing_is_made(
    records: SqliteCallRecords, tmp_path: Path
) -> None:
    await records.closed(CallFacts("plain", "01012345678", "2221000", started_at=T0))
    with pytest.raises(InvalidInput):
        await evidence.make(records.db, tmp_path / "recordings", tmp_path / "ev", "plain", "qa1", None, T0)
    with pytest.raises(NoSuchCall):
        await evidence.make(records.db, tmp_path / "recordings", tmp_path / "ev", "nope", "qa1", None, T0)
    assert evidence.versions(tmp_path / "ev", "plain") == []


async def test_the_command_line_verifies_without_config_and_names_the_failing_file(
    records: SqliteCallRecords, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = await package(records, tmp_path)
    key = tmp_path / "var" / "evidence" / evidence.PUBLIC_FILE
    assert (
        main(
            [
                "-c",
                str(tmp_path / "no-such-config.yaml"),
                "evidence",
                "verify",
                str(made.path),
                "--key",
                str(key),
            ]
        )
        == 0
    )
    assert "verified" in capsys.readouterr().out
    changed = tmp_path / "changed.zip"
    rewrite(made.path, changed, {"notes.json": b"[]"})
    assert main(["evidence", "verify", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  notes.json: SHA-256 differs" in out and "NOT VERIFIED" in out
    other = tmp_path / "other.pem"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert main(["evidence", "verify", str(made.path), "--key", str(other)]) == 1
    assert "manifest.json: the signature does not match" in capsys.readouterr().out


def test_the_key_command_prints_the_public_key_to_publish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: {{state_dir: {tmp_path / 'var'}}}\n")
    assert main(["-c", str(config), "evidence", "key"]) == 0
    out = capsys.readouterr().out
    pem, fingerprint = evidence.public_key(tmp_path / "var" / "evidence")
    assert out == f"{pem}fingerprint {fingerprint}\n"
    assert stat.S_IMODE((tmp_path / "var" / "evidence" / evidence.KEY_FILE).stat().st_mode) == 0o600
