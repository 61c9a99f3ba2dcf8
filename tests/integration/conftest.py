"""The real thing: the embedded Asterisk, `ivr serve` as a process, SIPp phones.

One Asterisk instance ("itest", on its own ports) serves the whole session;
each test gets a fresh service process and a fresh SQLite file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ivr import config as config_mod
from ivr.pbx import embedded, install
from ivr.store import engine
from tests.integration.sipp import SippLab

# Two checkouts may run their integration tests side by side on one machine:
# HOTLINE_ITEST_OFFSET (a multiple of 10, below 1000) moves every port and the
# Asterisk instance's name, so they never share a PBX or a port.
OFFSET = int(os.environ.get("HOTLINE_ITEST_OFFSET", "0"))
INSTANCE = f"itest{OFFSET}" if OFFSET else "itest"
SIP_PORT = 15060 + OFFSET
ARI_PORT = 18088 + OFFSET
WEB_PORT = 18080 + OFFSET
WSS_PORT = 18089 + OFFSET  # the browsers' softphones (SIP over a secure WebSocket)
AMI_PORT = 15038 + OFFSET
LINE_TIMEOUT = 4  # seconds without audio from a counselor's phone before Asterisk ends its call
COUNSELOR_PORTS = tuple(range(5071 + OFFSET, 5082 + OFFSET))  # eleven desk phones, as in the call center
# Each desk phone has its own loopback address, as on a real office LAN: a
# call from it is the counselor's (feature codes), not the trunk's (127.0.0.1).
COUNSELOR_HOSTS = {port: f"127.0.0.{2 + i}" for i, port in enumerate(COUNSELOR_PORTS)}
DEPARTMENT_PORT = 5095 + OFFSET  # 세무과's phone, for transfers
SUPERVISOR_PORT = 5096 + OFFSET  # 박감독's phone
PHONE_HOSTS = {**COUNSELOR_HOSTS, DEPARTMENT_PORT: "127.0.0.20", SUPERVISOR_PORT: "127.0.0.30"}
CALLBACK_PORT = 5090 + OFFSET  # "the carrier": callbacks to any number ring the phone here
# `ivr rehearse`: its callers' SIP port and the rehearsal counselor's phone (ports ending in 7, 8:
# no other phone here uses them, whatever the offset).
REHEARSAL_NUMBER = "01099990001"
REHEARSAL_CALLER_PORT = 5097 + OFFSET
REHEARSAL_COUNSELOR_PORT = 5098 + OFFSET
FLOWS = Path(__file__).resolve().parent / "flows"
_NAMES = "김민지 이서준 박지현 최도윤 정하은 강시우 조수아 윤예준 장서연 임주원 한지우".split()

# The last counselor's desk phone and browser both ring (tests/browser/test_softphone.py).
BROWSER = ", phones: [desk, browser]"
CONFIG = f"""
hotline: {{number: "2221000", flow: itest, flows_dir: "{FLOWS}"}}
asterisk:
  instance: {INSTANCE}
  ari_url: http://127.0.0.1:{ARI_PORT}
  app: hotline-{INSTANCE}
  sip_port: {SIP_PORT}
  ami_port: {AMI_PORT}
  trunk: {{dial: "PJSIP/citizens/sip:{{number}}@127.0.0.1:{CALLBACK_PORT}"}}
  rtp_start: {21000 + OFFSET * 10}
  rtp_end: {21000 + OFFSET * 10 + 999}
  wss_port: {WSS_PORT}
counselors:
COUNSELORS
supervisors:
  - {{id: s1, name: 박감독, endpoint: itest-s1, line_timeout_seconds: 0, user: super1,
      contact: "sip:127.0.0.30:{SUPERVISOR_PORT}"}}
  # A supervisor with only a browser phone: their wallboard registers it (tests/browser/test_softphone.py).
  - {{id: s9, name: 윤감독, endpoint: itest-s9, line_timeout_seconds: 0, user: super9, phones: [browser]}}
departments:
  tax: {{name: 세무과, endpoint: itest-tax, line_timeout_seconds: 0,
        contact: "sip:127.0.0.20:{DEPARTMENT_PORT}"}}
queues:
  general: {{name: 일반 상담}}
  solo: {{name: 세무 상담, counselors: [c1]}}
  pair: {{name: 복지 상담, counselors: [c1, c2]}}
  web: {{name: 브라우저 상담, counselors: [c11]}}
  # The call-length limit in seconds: a notice after 3 s, the end after 12 s.
  timed: {{name: 시간 제한 상담, counselors: [c5, c6], warn_after_minutes: 0.05, end_after_minutes: 0.2,
          extend_minutes: 1}}
acd: {{wrap_up_seconds: 1}}
# Tests run at any hour: callbacks may be dialed all day, every day.
callbacks: {{hours_start: "00:00", hours_end: "23:59", weekdays_only: false, ring_seconds: 10}}
fallback: {{max_wait_seconds: 6, import_every_seconds: 1}}
ivr:
  ring_timeout_seconds: 3
web: {{port: {WEB_PORT}}}
storage:
  database: DATABASE
  state_dir: STATE
service: {{drain_seconds: 5, log_level: DEBUG}}
rehearsal:
  number: "{REHEARSAL_NUMBER}"
  counselor_contact: "sip:rehearsal@127.0.0.40:{REHEARSAL_COUNSELOR_PORT}"
  caller_sip_port: {REHEARSAL_CALLER_PORT}
  caller_rtp_port: {39000 + OFFSET * 2}
  talk_seconds: 2
  database: REHEARSALS
""".replace(
    "COUNSELORS",
    "\n".join(
        # The test phones send audio all call long: a killed one goes silent.
        f"  - {{id: c{i + 1}, name: {name}, endpoint: itest-c{i + 1}, line_timeout_seconds: {LINE_TIMEOUT}, "
        f'contact: "sip:{COUNSELOR_HOSTS[port]}:{port}"{BROWSER if i == 10 else ""}}}'
        for i, (name, port) in enumerate(zip(_NAMES, COUNSELOR_PORTS, strict=True))
    ),
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def pbx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[config_mod.LoadedConfig]:
    """The embedded Asterisk, installed (cached) and started once per session."""
    if os.geteuid() != 0:
        pytest.fail("integration tests run the embedded Asterisk and need root")
    install.install()
    base = tmp_path_factory.mktemp("pbx")
    path = base / "config.yaml"
    text = CONFIG.replace("DATABASE", str(base / "unused.sqlite3")).replace("STATE", str(base))
    path.write_text(text.replace("REHEARSALS", str(base / "unused-rehearsals.sqlite3")))
    cfg = config_mod.load(path)
    inst = embedded.instance_for(cfg)
    embedded.stop(inst)
    embedded.start(cfg, inst)
    # app_queue keeps its members across restarts (persistentmembers): one that
    # an earlier session or a killed test left behind would be rung, or counted,
    # in this session's fallback tests. Each session starts with the queue empty.
    shown = embedded.cli(inst, "queue show hotline-fallback")
    for interface in re.findall(r"\((PJSIP/[^)]+)\)", shown):
        embedded.cli(inst, f"queue remove member {interface} from hotline-fallback")
    yield cfg
    embedded.stop(inst)


class Service:
    """`ivr serve` as a real process, with its own SQLite file (or PostgreSQL schema)."""

    def __init__(
        self, config_path: Path, database: Path | str, log_path: Path, web_port: int = WEB_PORT
    ) -> None:
        self.config_path = config_path
        self.web_port = web_port
        self.database = database
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.flows_dir = config_path.parent / "flows"

    def ivr(self, *args: str) -> subprocess.CompletedProcess[str]:
        """An admin's `ivr` command against this service's config."""
        return subprocess.run(
            [sys.executable, "-m", "ivr.cli", "-c", str(self.config_path), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).resolve().parents[2],
        )

    def wait_log(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in the service log after {timeout} s:\n{self.log()[-3000:]}")

    def start(self, timeout: float = 30.0, role: str = "active") -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ivr.cli", "-c", str(self.config_path), "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
        log.close()
        try:
            self.wait_healthy(timeout, role)
        except AssertionError:
            # Never left running: a start slower than `timeout` (a loaded machine) kept
            # its lock and ports, and every later test met it instead of its own service.
            self.proc.kill()
            self.proc.wait(10)
            raise

    def wait_healthy(self, timeout: float, role: str = "active") -> dict[str, Any]:
        """/healthz's body once it answers 200 in that role (a service on PostgreSQL
        may be the standby: docs/scaling.md)."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"ivr serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                status, body = self.health()
                if status == 200 and body.get("role") == role:
                    return body
                last = f"/healthz answered {status}: {body}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last = exc
            time.sleep(0.05)
        raise AssertionError(f"ivr serve not healthy after {timeout} s ({last}):\n{self.log()}")

    def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz's status and body, whatever the status."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/healthz", timeout=2) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.loads(err.read())

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"ivr serve ignored SIGTERM for 30 s:\n{self.log()}") from None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        if not isinstance(self.database, Path):
            db = engine.connect(self.database)
            try:
                return list(db.query(sql, list(args))) if db.table("calls").exists() else []
            finally:
                db.close()
        if not self.database.exists():
            return []
        con = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(sql, args)]
        except sqlite3.OperationalError:
            return []  # the service has not created its tables yet
        finally:
            con.close()

    def closed_calls(self, count: int = 1, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Wait until `count` call records are closed; return them, oldest first."""
        deadline = time.monotonic() + timeout
        rows: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            rows = self.query("SELECT * FROM calls WHERE open = 0 ORDER BY started_at")
            if len(rows) >= count:
                return rows
            time.sleep(0.05)
        raise AssertionError(
            f"{len(rows)} of {count} call records closed after {timeout} s:\n"
            f"{self.query('SELECT * FROM calls')}\n{self.log()[-4000:]}"
        )

    def timeline(self, call_id: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.query("SELECT kind, detail FROM call_events WHERE call_id = ? ORDER BY id", (call_id,))
        return [(r["kind"], json.loads(r["detail"])) for r in rows]

    def wait_for_event_count(self, kind: str, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.query("SELECT id FROM call_events WHERE kind = ?", (kind,))) >= count:
                return
            time.sleep(0.02)
        raise AssertionError(f"fewer than {count} {kind!r} events after {timeout} s:\n{self.log()[-3000:]}")

    def stored_recording(self, name: str, timeout: float = 30.0) -> Path:
        """The hotline's own copy of a recording, once copied out of Asterisk."""
        deadline = time.monotonic() + timeout
        rows: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            rows = self.query("SELECT * FROM recordings WHERE name = ?", (name,))
            if rows and rows[0]["status"] == "stored":
                return self.config_path.parent / "recordings" / rows[0]["path"]
            time.sleep(0.05)
        raise AssertionError(f"recording {name} not stored after {timeout} s: {rows}\n{self.log()[-3000:]}")

    def wait_for_event(self, kind: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query("SELECT * FROM call_events WHERE kind = ? ORDER BY id", (kind,))
            if rows:
                return rows[0]
            time.sleep(0.05)
        raise AssertionError(f"no {kind!r} event after {timeout} s:\n{self.log()[-4000:]}")


def ari_get(cfg: config_mod.LoadedConfig, path: str) -> Any:
    """GET an ARI resource of the test Asterisk, as an admin would look."""
    import base64

    from ivr.pbx.credentials import ari_password

    a = cfg.settings.asterisk
    token = base64.b64encode(f"{a.ari_user}:{ari_password(cfg)}".encode()).decode()
    request = urllib.request.Request(f"{a.ari_url}/ari/{path}", headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as r:
        return json.loads(r.read())


def wait_pbx_idle(cfg: config_mod.LoadedConfig, timeout: float = 10.0) -> None:
    """Wait until Asterisk holds no channel and no bridge (nothing left behind)."""
    deadline = time.monotonic() + timeout
    left: tuple[Any, Any] = ([], [])
    while time.monotonic() < deadline:
        left = (ari_get(cfg, "channels"), ari_get(cfg, "bridges"))
        if left == ([], []):
            return
        time.sleep(0.1)
    raise AssertionError(f"left behind in Asterisk after {timeout} s: {left}")


@pytest.fixture
def hotline(pbx: config_mod.LoadedConfig, tmp_path: Path) -> Iterator[Service]:
    service = serving(pbx, tmp_path, tmp_path / "hotline.sqlite3")
    yield service
    service.stop()


def serving(
    pbx: config_mod.LoadedConfig,
    tmp_path: Path,
    database: Path | str,
    *,
    flows_from: Path = FLOWS,
    flow: str = "itest",
    more_queues: str = "",
) -> Service:
    """`ivr serve` started on the records at `database` (a SQLite file or a postgresql:// URL),
    answering 222-1000 with `flow` of a copy of `flows_from`; `more_queues`: YAML lines
    of queues beside the test config's (those the flows need)."""
    state = pbx.path.parent
    path = tmp_path / "config.yaml"
    flows = tmp_path / "flows"
    shutil.copytree(flows_from, flows)  # tests may publish changes: never to the repo's copy
    text = CONFIG.replace("DATABASE", json.dumps(str(database))).replace("STATE", str(state))
    text = text.replace("REHEARSALS", str(tmp_path / "rehearsals.sqlite3"))
    text = text.replace("flow: itest,", f"flow: {flow},").replace("\nqueues:\n", f"\nqueues:\n{more_queues}")
    path.write_text(text.replace(str(FLOWS), str(flows)))
    service = Service(path, database, tmp_path / "service.log")
    service.start()
    return service


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[SippLab]:
    lab = SippLab(tmp_path, ("127.0.0.1", SIP_PORT), port_offset=OFFSET * 10, hosts=PHONE_HOSTS)
    yield lab
    lab.close()
