"""Helpers for tests that run on both engines (tests/conftest.py's `records_at`)."""

from __future__ import annotations

import json
from pathlib import Path


def storage_yaml(records_at: Path | str) -> str:
    """config.yaml's storage section naming the test's records: a file's path or a postgresql:// URL."""
    return f"storage:\n  database: {json.dumps(str(records_at))}\n"
