"""Checking an evidence package without the service: `ivr evidence verify PACKAGE`.

A package is a zip file: the call's recordings, its timeline, the counselor's
notes and the call's facts, a `manifest.json` listing every other file with
its SHA-256 and the recordings' chain of custody, and `manifest.sig`, the
Ed25519 signature of manifest.json's exact bytes (base64). The manifest
carries the public key; compare its fingerprint with the one published on
the desk's /protection page and in docs/protection.md, or pass the published
key with --key. Anyone can check a package with Python and `cryptography`
alone; this module needs nothing of the service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "jeonju-hotline-evidence/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


def fingerprint(public_raw: bytes) -> str:
    """A short, readable name of a public key: SHA-256 of its 32 bytes, in groups."""
    digest = hashlib.sha256(public_raw).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass
class Verdict:
    """What checking a package found; `problems` names each file that fails."""

    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    key_fingerprint: str = ""
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(package: Path, public_key: bytes | None = None) -> Verdict:
    """Check the signature of the manifest, then every file against it.

    `public_key`: the published key's 32 raw bytes; without it the manifest's
    own key is used (and its fingerprint reported, to compare by eye)."""
    verdict = Verdict()
    try:
        archive = zipfile.ZipFile(package)
    except (OSError, zipfile.BadZipFile) as exc:
        verdict.problems.append(f"{package.name}: not a readable package ({exc})")
        return verdict
    with archive:
        names = set(archive.namelist())
        for needed in (MANIFEST, SIGNATURE):
            if needed not in names:
                verdict.problems.append(f"{needed}: missing from the package")
        if verdict.problems:
            return verdict
        manifest_bytes = _read(archive, MANIFEST, verdict)
        signature_text = _read(archive, SIGNATURE, verdict)
        if manifest_bytes is None or signature_text is None:
            return verdict
        if not _signed(manifest_bytes, signature_text, public_key, verdict):
            return verdict
        for entry in verdict.manifest.get("files", []):
            _check_file(archive, entry, verdict)
        listed = {e["path"] for e in verdict.manifest.get("files", [])}
        for extra in sorted(names - listed - {MANIFEST, SIGNATURE}):
            verdict.problems.append(f"{extra}: in the package but not in the manifest")
    return verdict


def _read(archive: zipfile.ZipFile, name: str, verdict: Verdict) -> bytes | None:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError) as exc:  # a changed byte breaks the entry's CRC
        verdict.problems.append(f"{name}: damaged or changed inside the package ({exc})")
        return None


def _signed(manifest_bytes: bytes, signature_text: bytes, public_key: bytes | None, verdict: Verdict) -> bool:
    try:
        manifest = json.loads(manifest_bytes)
        key_raw = public_key or bytes.fromhex(manifest["public_key"])
        signature = base64.b64decode(signature_text, validate=True)
        Ed25519PublicKey.from_public_bytes(key_raw).verify(signature, manifest_bytes)
    except InvalidSignature:
        verdict.problems.append(
            f"{MANIFEST}: the signature does not match (the manifest was changed, or signed by another key)"
        )
        return False
    except (ValueError, KeyError, TypeError) as exc:
        verdict.problems.append(f"{MANIFEST}: not a manifest this tool can read ({exc})")
        return False
    if manifest.get("format") != FORMAT:
        verdict.problems.append(f"{MANIFEST}: unknown format {manifest.get('format')!r}")
        return False
    verdict.manifest = manifest
    verdict.key_fingerprint = fingerprint(key_raw)
    return True


def _check_file(archive: zipfile.ZipFile, entry: dict[str, Any], verdict: Verdict) -> None:
    path = str(entry["path"])
    if path not in archive.namelist():
        verdict.problems.append(f"{path}: listed in the manifest but missing from the package")
        return
    data = _read(archive, path, verdict)
    if data is None:
        return
    if hashlib.sha256(data).hexdigest() != entry["sha256"] or len(data) != entry["bytes"]:
        verdict.problems.append(f"{path}: SHA-256 differs from the manifest (the file was changed)")
        return
    verdict.checked.append(path)
