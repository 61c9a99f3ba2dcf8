"""The passwords the service logs in to its Asterisk with (ARI, AMI), from config.yaml.

A password comes from `asterisk.<kind>_password`, else from the file
`asterisk.<kind>_password_file` names, else (embedded Asterisk) from the
generated secrets (secrets.py).
"""

from __future__ import annotations

from ivr.config import LoadedConfig, key_line
from ivr.errors import ConfigError
from ivr.pbx import embedded


def password(cfg: LoadedConfig, kind: str) -> str | None:
    """`asterisk.<kind>_password`, or the file it names, or the embedded PBX's generated one.

    kind: "ari" or "ami". None only for AMI on your own Asterisk with no password given.
    """
    a = cfg.settings.asterisk
    value: str | None = getattr(a, f"{kind}_password")
    file: str | None = getattr(a, f"{kind}_password_file")
    if value:
        return value
    if file:
        path = cfg.resolve(file)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError([f"{key_line(cfg, 'asterisk', f'{kind}_password_file')}: {exc}"]) from None
    if kind == "ami" and not a.embedded:
        return None
    generated: str = getattr(embedded.load_secrets(cfg), kind)
    return generated


def ari_password(cfg: LoadedConfig) -> str:
    """The ARI password (there always is one)."""
    found = password(cfg, "ari")
    assert found is not None
    return found
