"""`ivr evidence verify PACKAGE`: check an evidence package without the service
(no config, no database): the manifest's signature, then every file's SHA-256."""

from __future__ import annotations

import argparse
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ivr.admin import evidence
from ivr.admin.evidence_verify import verify
from ivr.config import LoadedConfig
from ivr.errors import HotlineError


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evidence = sub.add_parser("evidence", help="evidence packages of abusive calls (docs/protection.md)")
    evidence_sub = evidence.add_subparsers(dest="evidence_command", required=True)
    check = evidence_sub.add_parser("verify", help="check a package's signature and files")
    check.add_argument("package", type=Path)
    check.add_argument("--key", type=Path, help="the published public key (PEM); default: the package's own")
    evidence_sub.add_parser("key", help="print the service's public key and its fingerprint, to publish")


def key(cfg: LoadedConfig) -> int:
    """The public half of the service's signing key (made on first use, in state_dir/evidence)."""
    pem, fingerprint = evidence.public_key(cfg.resolve(cfg.settings.storage.state_dir) / "evidence")
    print(pem, end="")
    print(f"fingerprint {fingerprint}")
    return 0


def run(args: argparse.Namespace) -> int:
    key = _public_raw(args.key) if args.key else None
    verdict = verify(args.package, key)
    manifest = verdict.manifest
    if manifest:
        call, version, made = manifest.get("call_id"), manifest.get("version"), manifest.get("made_at")
        print(f"call {call} · version {version} · made {made}")
        compare = "" if key else " (compare with the published one)"
        print(f"key fingerprint {verdict.key_fingerprint}{compare}")
    for path in verdict.checked:
        print(f"OK    {path}")
    for problem in verdict.problems:
        print(f"FAIL  {problem}")
    print("verified: the package is as it was signed" if verdict.ok else "NOT VERIFIED")
    return 0 if verdict.ok else 1


def _public_raw(path: Path) -> bytes:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise HotlineError(f"--key {path}: not a readable public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise HotlineError(f"--key {path}: not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
