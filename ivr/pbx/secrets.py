"""Generated passwords for ARI, AMI and registering desk phones.

Never a default password: each is made once with `secrets`, kept in a 0600
file under the state directory, and reused on every render. A phone's is
replaced on demand (`new_phone_password`), by `ivr pbx phones rotate` and
the desk. The service, the commands and the desk may each read and write the
file: every change holds an exclusive lock on `secrets.lock` beside it from
reading to the atomic rename, so no change is lost to another's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Secrets:
    ari: str
    ami: str
    phones: dict[str, str]


def _strong() -> str:
    # 24 random bytes, 32 characters. URL-safe characters only: Asterisk config
    # files treat ';' as a comment, and baresip's accounts line separates with it.
    return secrets.token_urlsafe(24)


def load_or_create(state_dir: Path, phone_endpoints: list[str]) -> Secrets:
    """Read the secrets file, adding whatever is missing; the file stays 0600."""
    with _changing(state_dir) as data:
        for key in ("ari", "ami"):
            if not data.get(key):
                data[key] = _strong()
        phones = data.setdefault("phones", {})
        for endpoint in phone_endpoints:
            if not phones.get(endpoint):
                phones[endpoint] = _strong()
        return Secrets(ari=data["ari"], ami=data["ami"], phones=dict(phones))


def new_phone_password(state_dir: Path, endpoint: str) -> str:
    """Replace one phone's password with a new random one (written atomically); return it."""
    with _changing(state_dir) as data:
        password = _strong()
        data.setdefault("phones", {})[endpoint] = password
        return password


@contextlib.contextmanager
def _changing(state_dir: Path) -> Iterator[dict[str, Any]]:
    """The file's data, under the lock; written back (fsynced, renamed over it) if it changed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "secrets.json"
    lock = os.open(state_dir / "secrets.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        before = json.dumps(data, sort_keys=True)
        yield data
        if json.dumps(data, sort_keys=True) != before or not path.exists():
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        os.chmod(path, 0o600)
    finally:
        os.close(lock)  # closing it releases the lock
