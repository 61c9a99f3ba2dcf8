"""Evidence for a complaint: one call's package, signed by the service's key.

For a flagged call (one of the four endings), QA makes a package from the
call's page (docs/protection.md): its stored recordings, timeline, the
counselor's notes, the call's facts, and a signed manifest with each file's
SHA-256 and the recordings' chain of custody from the audit table. Each
package of the same call is a new version (v1, v2, ...), and each verifies on
its own. Making one places the call's recordings under legal hold and is
audited. The signing key (Ed25519) is made once in the service's data folder,
readable by its owner only (0600); its public half is shown on /protection.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ivr.admin.evidence_verify import FORMAT, MANIFEST, SIGNATURE, fingerprint
from ivr.admin.problems import InvalidInput, NoSuchCall
from ivr.store import audit, evidence_rows
from ivr.store.db import Database
from ivr.store.stamps import stamp

log = logging.getLogger(__name__)

NOT_FLAGGED = "표시된 통화만 증거 자료를 만들 수 있습니다. · Only a flagged call can be packaged."
KEY_FILE = "signing-key.pem"
PUBLIC_FILE = "signing-key.pub.pem"


@dataclass(frozen=True)
class Package:
    """A package made: where it is, its version and the SHA-256 of the whole file."""

    path: Path
    call_id: str
    version: int
    sha256: str


def signing_key(folder: Path) -> Ed25519PrivateKey:
    """The service's evidence key, made on first use; the private file is 0600."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    if path.is_file():
        if path.stat().st_mode & 0o077:
            log.warning("%s was readable by others: set back to 0600", path)
            path.chmod(0o600)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput([f"{path}: not an Ed25519 key · 서명 키 형식이 맞지 않습니다."])
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / PUBLIC_FILE).write_bytes(public)
    log.info("made the evidence signing key %s", path)
    return key


def public_key(folder: Path) -> tuple[str, str]:
    """(PEM, fingerprint) of the service's evidence key, made if there is none yet."""
    public = signing_key(folder).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode(), fingerprint(raw)


def versions(folder: Path, call_id: str) -> list[Path]:
    """The packages made of a call so far, oldest first."""
    place = folder / "packages" / _safe(call_id)
    return sorted(place.glob("v*.zip"), key=lambda p: int(p.stem[1:])) if place.is_dir() else []


def _safe(call_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in call_id)


async def make(
    db: Database, recordings_root: Path, folder: Path, call_id: str, actor: str, ip: str | None, now: datetime
) -> Package:
    """Package a flagged call, place it under legal hold, audit it; NoSuchCall or
    InvalidInput (not flagged, no recording stored) leave nothing behind."""
    key = signing_key(folder)

    def gather(conn: sqlite_utils.Database) -> dict[str, Any] | None:
        call = evidence_rows.call_row(conn, call_id)
        if call is None:
            return None
        found = evidence_rows.recordings(conn, call_id)
        return {
            "call": call,
            "timeline": evidence_rows.timeline(conn, call_id),
            "notes": evidence_rows.notes(conn, call_id),
            "recordings": found,
            "custody": evidence_rows.custody(conn, call_id, found),
        }

    facts = await db.run(gather)
    if facts is None:
        raise NoSuchCall()
    if not facts["call"].get("flagged"):
        raise InvalidInput([NOT_FLAGGED])
    # The hold this package places is part of the custody it records.
    reason = f"evidence package ({facts['call']['flagged']}) by {actor}"
    facts["custody"].append({"at": stamp(now), "who": actor, "what": "recording_held", "detail": reason})
    version = len(versions(folder, call_id)) + 1
    data = _zip(key, facts, recordings_root, call_id, version, actor, now)
    target = folder / "packages" / _safe(call_id) / f"v{version}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    detail = f"v{version} sha256={digest} recordings={len(facts['recordings'])}"

    def hold(conn: sqlite_utils.Database) -> None:
        if evidence_rows.hold(conn, call_id, reason):
            audit.record(conn, now, actor, "recording_held", call_id, reason, ip)
        audit.record(conn, now, actor, "evidence_package", call_id, detail, ip)

    try:
        await db.run(hold)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no package without its hold and its audit row
        raise
    tmp.replace(target)
    return Package(target, call_id, version, digest)


def _zip(
    key: Ed25519PrivateKey,
    facts: dict[str, Any],
    recordings_root: Path,
    call_id: str,
    version: int,
    actor: str,
    now: datetime,
) -> bytes:
    files: dict[str, bytes] = {}
    for r in facts["recordings"]:
        path = (recordings_root / r["path"]).resolve()
        if not path.is_relative_to(recordings_root.resolve()) or not path.is_file():
            raise InvalidInput([f"녹음 파일이 없습니다. · The recording file {r['path']} is missing."])
        files[f"recordings/{Path(r['path']).name}"] = path.read_bytes()
    for name in ("call", "timeline", "notes"):
        files[f"{name}.json"] = _json(facts[name])
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    manifest = {
        "format": FORMAT,
        "call_id": call_id,
        "version": version,
        "made_at": stamp(now),
        "made_by": actor,
        "situation": facts["call"].get("flagged"),
        "public_key": raw.hex(),
        "key_fingerprint": fingerprint(raw),
        "files": [
            {"path": p, "sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)} for p, b in files.items()
        ],
        "custody": facts["custody"],
    }
    manifest_bytes = _json(manifest)
    out = io.BytesIO()
    # Stored, not deflated: a recording's bytes stay as they are in the package.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, base64.b64encode(key.sign(manifest_bytes)))
    return out.getvalue()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()
