"""Write Kamailio's configuration from the templates in kamailio/ and config.yaml's `cluster:`."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

from ivr.config import ClusterSettings, LoadedConfig, key_line
from ivr.errors import ConfigError
from ivr.pbx import processes
from ivr.pbx.render import PHONE_HEADER

TEMPLATES = Path(__file__).resolve().parents[2] / "kamailio"
SECRET_FILES = ("kamailio.cfg",)  # holds the desk phones' passwords


def render_files(
    cfg: LoadedConfig, cluster: ClusterSettings, phones: Mapping[str, str], run_dir: Path
) -> dict[str, str]:
    """Every file's name and text; nothing is written.

    `phones`: each registering desk phone's endpoint and password; `run_dir`:
    where Kamailio keeps its list, control socket and pid (absolute)."""
    env = processes.templates(TEMPLATES)
    context = {
        "hotline": cfg.settings.hotline,
        "cluster": cluster,
        "trunk": trunk_networks(cfg),
        "phones": dict(phones),
        "run_dir": str(run_dir),
        "phone_header": PHONE_HEADER,
    }
    return {
        template.name.removesuffix(".j2"): env.get_template(template.name).render(**context)
        for template in sorted(TEMPLATES.glob("*.j2"))
    }


def trunk_networks(cfg: LoadedConfig) -> list[str]:
    """asterisk.trunk.match as networks Kamailio compares a sender with (address/bits).

    Asterisk also takes host names there; Kamailio is told addresses, so a name
    is refused rather than looked up once and silently kept."""
    networks = []
    for i, entry in enumerate(cfg.settings.asterisk.trunk.match):
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ConfigError(
                [
                    f"{key_line(cfg, 'asterisk', 'trunk', 'match', i)}: {entry!r} is not an address or "
                    "network; behind Kamailio (cluster:) give the carrier's as 10.0.0.1 or 10.0.0.0/24"
                ]
            ) from None
    return networks


def write_files(files: Mapping[str, str], run_dir: Path) -> None:
    """Write the files into run_dir; the one holding passwords is not world-readable."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = run_dir / name
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640 if name in SECRET_FILES else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        tmp.replace(path)
