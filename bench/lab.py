"""The benchmark's bench: its own embedded Asterisk instance, `ivr serve`, the baseline dialplan.

Each run writes a config.yaml for the benchmark's instance (`bench`, or
`bench<offset>`) with its own ports (bench/ports.py), counselors on their own
loopback addresses, and the flow in bench/flows/. The service runs as a real
process with a fresh SQLite file per run.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import wave
from pathlib import Path
from typing import Any

from bench import baseline
from bench.ports import Ports
from ivr import config as config_mod
from ivr.admin.flows import load_flows, publish_prompts
from ivr.flows.promptbook import PromptBook
from ivr.pbx import embedded, install, render, tts

ROOT = Path(__file__).resolve().parents[1]
FLOWS = Path(__file__).resolve().parent / "flows"
LANGUAGE = "ko"
MENU_TIMEOUT = 5.0


NODE_NAMES = "ab"


def instance_name(ports: Ports, node: int = 0) -> str:
    """The embedded Asterisk instance of node `node`: `bench<offset>`, the second node's with a `b`."""
    name = f"bench{ports.offset}" if ports.offset else "bench"
    return name + ("b" if node else "")


def config_text(
    ports: Ports, work: Path, state: Path, wrap_up: float, log_level: str = "INFO", node: int = 0
) -> str:
    """The benchmark's config.yaml: `ports.counselors` counselors, one general queue; with
    two nodes, node `node`'s (its own Asterisk, the one `cluster:` section, one Stasis app)."""
    name = instance_name(ports)
    mine = ports.node(node)
    counselors = []
    for i in range(ports.counselors):
        phone = f'endpoint: {name}-c{i + 1}, contact: "{ports.counselor_contact(i)}"'
        counselors.append(f"  - {{id: c{i + 1}, name: 상담사{i + 1}, {phone}}}")
    text = f"""# Written by the load benchmark (bench/lab.py).
hotline: {{number: "2221000", flow: bench, flows_dir: "{FLOWS}"}}
asterisk:
  instance: {instance_name(ports, node)}
  ari_url: http://127.0.0.1:{mine.ari}
  app: hotline-{name}
  sip_port: {mine.sip}
  ami_port: {mine.ami}
  rtp_start: {mine.rtp.start}
  rtp_end: {mine.rtp.stop - 1}
counselors:
{chr(10).join(counselors)}
queues:
  general: {{name: 일반 상담}}
acd: {{wrap_up_seconds: {wrap_up:g}}}
ivr: {{ring_timeout_seconds: 10}}
web: {{port: {ports.web}}}
storage:
  database: {work / "hotline.sqlite3"}
  recordings: {work / "recordings"}
  state_dir: {state}
service: {{drain_seconds: 5, log_level: {log_level}}}
"""
    if ports.nodes == 1:
        return text
    # Counselors keep their fixed contacts: nodes ring them directly, not
    # through Kamailio's registrar (bench/README.md, "Two nodes").
    nodes = "\n".join(
        f'    - {{name: {NODE_NAMES[i]}, sip: "127.0.0.1:{ports.node(i).sip}", '
        f'ari_url: "http://127.0.0.1:{ports.node(i).ari}"}}'
        for i in range(ports.nodes)
    )
    return text + (
        f"cluster:\n  sip_address: 127.0.0.1\n  sip_port: {ports.front}\n"
        f"  run_dir: {work / 'kamailio'}\n  nodes:\n{nodes}\n"
    )


class Pbx:
    """The benchmark's embedded Asterisk, with the baseline's dialplan and queue."""

    def __init__(self, cfg: config_mod.LoadedConfig) -> None:
        self.cfg = cfg
        self.inst = embedded.instance_for(cfg)
        flow = load_flows(cfg)["bench"].flow
        self.book = PromptBook.of(flow)

    def start(self) -> None:
        self.prepare()
        self.boot()

    def prepare(self) -> None:
        """Everything before Asterisk boots: the baseline's files, the prompts (shared by every
        instance of the root: prepare nodes one at a time)."""
        install.install()
        embedded.stop(self.inst)
        etc = self.inst.host(self.inst.dirs.etc)
        files = {
            baseline.EXTENSIONS_FILE: baseline.extensions(
                self.book, LANGUAGE, self.inst.dirs.spool, MENU_TIMEOUT
            ),
            baseline.QUEUES_FILE: baseline.queues(self.cfg.settings),
        }
        render.write_files(files, etc)
        publish_prompts(self.cfg, load_flows(self.cfg))

    def boot(self) -> None:
        embedded.start(self.cfg, self.inst)

    def stop(self) -> None:
        embedded.stop(self.inst)

    def pid(self) -> int:
        value = embedded.pid(self.inst)
        if value is None:
            raise RuntimeError("the benchmark's Asterisk is not running")
        return value

    def prompt_seconds(self, prompt_id: str) -> float:
        """How long a prompt of the bench flow plays."""
        sound = self.book.sound(prompt_id, LANGUAGE)
        assert sound.text is not None
        with wave.open(str(tts.render(sound.text, sound.language)), "rb") as w:
            return w.getnframes() / w.getframerate()

    def leftovers(self, timeout: float = 15.0) -> dict[str, int]:
        """Channels and bridges still up once every call should be over (the
        last hangups given `timeout` to finish): a leak if not zero."""
        deadline = time.monotonic() + timeout
        while True:
            channels = embedded.cli(self.inst, "core show channels count")
            count = int(channels.split()[0]) if channels.split() and channels.split()[0].isdigit() else -1
            bridges = embedded.cli(self.inst, "bridge show all").strip().splitlines()[1:]
            left = {"channels_left": count, "bridges_left": len(bridges)}
            if not any(left.values()) or time.monotonic() > deadline:
                return left
            time.sleep(0.5)

    def queue_log(self) -> list[list[str]]:
        """The baseline's lines of queue_log, split at '|'."""
        path = self.inst.host(self.inst.dirs.log) / "queue_log"
        if not path.exists():
            return []
        lines = path.read_text(errors="replace").splitlines()
        return [line.split("|") for line in lines if f"|{baseline.QUEUE}|" in line]


class ServiceProcess:
    """`ivr serve` for one run, with its own log and SQLite file."""

    def __init__(self, cfg: config_mod.LoadedConfig, log_path: Path) -> None:
        self.cfg = cfg
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ivr.cli", "-c", str(self.cfg.path), "serve"],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                # Its own session, as Asterisk has (pbx/embedded.py): on a site each
                # runs as its own systemd unit, with its own share of the CPU. In the
                # bench's session it would share one with the sniffer and the phones:
                # the kernel's autogroup gives a session one share, and the stall
                # watch saw the event loop wait for a CPU 1.0-2.4 s of each stall.
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{self.cfg.settings.web.port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ivr serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"ivr serve not healthy after {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def _metrics(self) -> list[str]:
        """The lines of the service's /metrics."""
        url = f"http://127.0.0.1:{self.cfg.settings.web.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode().splitlines()

    def metrics(self) -> dict[str, float]:
        """The unlabelled figures of the service's /metrics, by name, and the
        histograms' buckets (`name_bucket{le="0.01"}`)."""
        found = {}
        for line in self._metrics():
            name, _, number = line.partition(" ")
            if not line.startswith("#") and ("{" not in name or "_bucket{le=" in name):
                found[name] = float(number)
        return found

    def counselors_not_free(self, timeout: float = 15.0) -> dict[str, int]:
        """Counselors in any state but available (or logged out), from /metrics,
        once the last calls had `timeout` to end: one left reserved or on a call
        after the load is a leak."""
        deadline = time.monotonic() + timeout
        while True:
            found = {}
            for line in self._metrics():
                if line.startswith('hotline_counselors{state="'):
                    state = line.split('"')[1]
                    count = int(float(line.rsplit(" ", 1)[1]))
                    if state not in ("available", "logged_out") and count:
                        found[state] = count
            if not found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def calls(self, prefix: str) -> list[dict[str, Any]]:
        """The call records of callers whose number starts with `prefix`."""
        database = self.cfg.resolve(self.cfg.settings.storage.database)
        if not database.exists():
            return []
        con = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        con.row_factory = sqlite3.Row
        try:
            rows = con.execute("SELECT id, caller, open FROM calls WHERE caller LIKE ?", (prefix + "%",))
            return [dict(r) for r in rows]
        except sqlite3.OperationalError:
            return []
        finally:
            con.close()
