"""Helpers for the fallback tests: a service with chosen counselors logged in, app_queue's members."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import sqlite_utils

from ivr import config as config_mod
from ivr.pbx import embedded
from ivr.store.call_tables import create_schema
from tests.integration.conftest import CONFIG, FLOWS, Service

ALL = tuple(f"c{i}" for i in range(1, 12))


def service_with(pbx: config_mod.LoadedConfig, tmp_path: Path, logged_in: set[str]) -> Service:
    """A service (not started) whose counselors outside `logged_in` were logged out before.

    Counselor states survive a restart, so a stored log-out keeps them out
    of the service and of the fallback queue it keeps in step.
    """
    database = tmp_path / "hotline.sqlite3"
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    text = CONFIG.replace("DATABASE", str(database)).replace("STATE", str(pbx.path.parent))
    path = tmp_path / "config.yaml"
    path.write_text(text.replace(str(FLOWS), str(flows)))
    db = sqlite_utils.Database(database)
    create_schema(db)
    db.table("counselor_events").insert_all(
        {
            "counselor_id": cid,
            "at": "2026-11-28T09:00:00+09:00",
            "from_state": "available",
            "to_state": "logged_out",
            "event": "logout",
            "alert": 0,
        }
        for cid in ALL
        if cid not in logged_in
    )
    db.conn.close()
    return Service(path, database, tmp_path / "service.log")


def queue_members(pbx: config_mod.LoadedConfig) -> dict[str, bool]:
    """app_queue's fallback members now: counselor id -> paused."""
    out = embedded.cli(embedded.instance_for(pbx), "queue show hotline-fallback")
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    members = {}
    for m in re.finditer(r"^\s+(\S+) \(PJSIP/[^)]+\).*$", out, re.M):
        members[m.group(1)] = "paused" in m.group(0)
    return members


def wait_members(pbx: config_mod.LoadedConfig, want: dict[str, bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    seen: dict[str, bool] = {}
    while time.monotonic() < deadline:
        seen = queue_members(pbx)
        if seen == want:
            return
        time.sleep(0.05)
    raise AssertionError(f"fallback queue members {seen}, expected {want}")


def cursor_stamp(service: Service) -> str | None:
    rows = service.query("SELECT updated_at FROM import_cursors WHERE source = 'queue_log'")
    return rows[0]["updated_at"] if rows else None


def wait_import_pass(service: Service, after: str | None, timeout: float = 15.0) -> None:
    """Wait until the service has read queue_log again since `after`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cursor_stamp(service) not in (None, after):
            return
        time.sleep(0.05)
    raise AssertionError(f"no import pass after {after}:\n{service.log()[-3000:]}")


def fresh_caller() -> str:
    """A caller number no earlier run used: the session's queue_log outlives a test."""
    return f"010{time.time_ns() // 1_000_000 % 10**8:08d}"


def calls_of(
    service: Service, caller: str, timeout: float = 30.0, disposition: str | None = None
) -> list[dict]:
    """The closed records of one caller's calls, once there is one (with `disposition`, if given).

    The session's Asterisk keeps one queue_log for every test, and each test's
    fresh database imports all of it: a test looks at its own caller's calls.
    """
    sql = "SELECT * FROM calls WHERE caller = ? AND open = 0 AND (? IS NULL OR disposition = ?)"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = service.query(sql, (caller, disposition, disposition))
        if rows:
            return rows
        time.sleep(0.05)
    raise AssertionError(
        f"no record of {caller}: {service.query('SELECT * FROM calls')}\n{service.log()[-3000:]}"
    )
