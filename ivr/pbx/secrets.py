"""Generated passwords for ARI, AMI and registering desk phones.

Never a default password: each is made once with `secrets`, kept in a 0600
file under the state directory, and reused on every render.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Secrets:
    ari: str
    ami: str
    phones: dict[str, str]


def _strong() -> str:
    # URL-safe characters only: Asterisk config files treat ';' as a comment.
    return secrets.token_urlsafe(24)


def load_or_create(state_dir: Path, phone_endpoints: list[str]) -> Secrets:
    """Read the secrets file, adding whatever is missing; the file stays 0600."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "secrets.json"
    data: dict = {}
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for key in ("ari", "ami"):
        if not data.get(key):
            data[key] = _strong()
            changed = True
    phones = data.setdefault("phones", {})
    for endpoint in phone_endpoints:
        if not phones.get(endpoint):
            phones[endpoint] = _strong()
            changed = True
    if changed or not path.exists():
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    os.chmod(path, 0o600)
    return Secrets(ari=data["ari"], ami=data["ami"], phones=dict(phones))
