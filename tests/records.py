"""Helpers for tests that run on both engines (tests/conftest.py's `records_at`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ivr.store import engine


def storage_yaml(records_at: Path | str) -> str:
    """config.yaml's storage section naming the test's records: a file's path or a postgresql:// URL."""
    return f"storage:\n  database: {json.dumps(str(records_at))}\n"


_DATABASE = re.compile(r"(?m)^(storage:\n(?:[ \t]+.*\n)*?[ \t]+database:)[^\n]*$")


def point_at(config: Path, records_at: Path | str) -> Path:
    """A copied config.yaml with its `storage.database` set to the test's records."""
    text = config.read_text(encoding="utf-8")
    pointed, found = _DATABASE.subn(lambda m: f"{m.group(1)} {json.dumps(str(records_at))}", text, count=1)
    assert found == 1, f"{config}: no storage.database line"
    config.write_text(pointed, encoding="utf-8")
    return config


def records_in(config: Path) -> Path | str:
    """The records a config.yaml that `point_at` wrote names."""
    found = _DATABASE.search(config.read_text(encoding="utf-8"))
    assert found is not None, f"{config}: no storage.database line"
    value = str(json.loads(found.group(0).split("database:", 1)[1]))
    return value if engine.is_postgres(value) else Path(value)
