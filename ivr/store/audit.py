"""The audit log: who did what to whom, when, and from where."""

from __future__ import annotations

import getpass
import os
from datetime import datetime

import sqlite_utils

from ivr.store.stamps import stamp


def record(
    db: sqlite_utils.Database,
    at: datetime,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    ip: str | None = None,
) -> None:
    """Append one audit row (inside the caller's transaction)."""
    db.table("audit").insert(
        {"at": stamp(at), "actor": actor, "action": action, "target": target, "detail": detail, "ip": ip}
    )


def os_user() -> str:
    """The person running an `ivr users` command (through sudo: the one who ran sudo)."""
    return os.environ.get("SUDO_USER") or getpass.getuser()
