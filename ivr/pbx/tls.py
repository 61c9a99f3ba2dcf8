"""A certificate for the embedded Asterisk's secure WebSocket (browsers' softphones).

Made once with openssl and kept under the state directory: a local certificate
authority (the desk's login page offers its certificate, for browsers to trust)
and a server certificate it signed for the addresses Asterisk serves on. Keys
are 0600. A real deployment may put a certificate browsers already trust in
their place (docs/softphone.md): files that exist are never replaced.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ivr.errors import PbxError

DAYS = 825  # the longest validity browsers accept for a server certificate


@dataclass(frozen=True)
class TlsFiles:
    """Where the certificate authority's and Asterisk's files are, on this machine."""

    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def cert(self) -> Path:
        return self.folder / "asterisk.pem"

    @property
    def key(self) -> Path:
        return self.folder / "asterisk.key"


def tls_files(state_dir: Path) -> TlsFiles:
    return TlsFiles(state_dir / "tls")


def ensure(state_dir: Path, names: list[str]) -> TlsFiles:
    """The CA and a server certificate for `names` (host names or addresses), made if missing."""
    files = tls_files(state_dir)
    files.folder.mkdir(parents=True, exist_ok=True)
    os.chmod(files.folder, 0o700)
    # Two starts at once sharing the folder (two nodes on one machine) would each make a CA,
    # and the server key of one would meet the other's certificate: one at a time.
    with (files.folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _make_missing(files, names)
    return files


def _make_missing(files: TlsFiles, names: list[str]) -> None:
    if not (files.ca_cert.is_file() and files.ca_key.is_file()):
        _openssl(
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
            ["-keyout", str(files.ca_key), "-out", str(files.ca_cert), "-days", str(DAYS)],
            ["-subj", "/O=Jeonju Hotline/CN=Jeonju Hotline local CA"],
            ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
        )
        os.chmod(files.ca_key, 0o600)
    if not (files.cert.is_file() and files.key.is_file()):
        _server_cert(files, names)


def _server_cert(files: TlsFiles, names: list[str]) -> None:
    alt = ",".join(f"IP:{n}" if _is_address(n) else f"DNS:{n}" for n in dict.fromkeys(names))
    with tempfile.TemporaryDirectory() as tmp:
        csr, ext = Path(tmp) / "asterisk.csr", Path(tmp) / "ext.cnf"
        ext.write_text(
            f"subjectAltName={alt}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
            encoding="utf-8",
        )
        _openssl(
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
            ["-keyout", str(files.key), "-out", str(csr), "-subj", f"/CN={names[0]}"],
        )
        os.chmod(files.key, 0o600)
        _openssl(
            ["x509", "-req", "-in", str(csr), "-CA", str(files.ca_cert), "-CAkey", str(files.ca_key)],
            ["-CAcreateserial", "-out", str(files.cert), "-days", str(DAYS), "-extfile", str(ext)],
        )


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _openssl(*parts: list[str]) -> None:
    args = ["openssl", *(a for part in parts for a in part)]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PbxError(f"cannot make the softphone certificate with openssl: {exc}") from None
    if done.returncode != 0:
        raise PbxError(f"openssl {args[1]} failed: {done.stderr.strip()[-300:]}")
