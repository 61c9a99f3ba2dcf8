"""Several Asterisk nodes behind Kamailio (docs/scaling.md), with a standby service.

Two embedded Asterisk instances on their own ports (nodes a and b) and a
Kamailio on loopback started by `ivr cluster start`, as an admin would. First:
a counselor's desk phone registers with Kamailio, citizens call Kamailio and
are spread over both nodes; node b stops and gets no call from then on; a
citizen then reaches node a's IVR and the counselor, rung by node a through
Kamailio; node b comes back and is given calls again; the counselor's desk
phone logs out with its feature code through Kamailio. Second: two services
on PostgreSQL (active and standby) drive both nodes; kill -9 of the active,
then of node b's Asterisk, and nobody is lost, served out of turn, or
recorded twice but the calls node b carried, each closed once as lost."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from ivr import config as config_mod
from ivr.pbx import embedded, install
from tests.integration.conftest import (
    BROWSER,
    CONFIG,
    FLOWS,
    LINE_TIMEOUT,
    OFFSET,
    PHONE_HOSTS,
    WEB_PORT,
    Service,
    ari_get,
)
from tests.integration.sipp import Phone, SippLab
from tests.pg_cluster import Cluster as PgCluster

FRONT_PORT = 15069 + OFFSET  # Kamailio
# Node a on the second offset's ports (HOTLINE_ITEST_OFFSET + 5), node b beside
# it: neither meets the session's own Asterisk (`pbx`) on the first offset's.
NODES = {
    "a": {"sip": 15065 + OFFSET, "ari": 18093 + OFFSET, "ami": 15043 + OFFSET, "rtp": 0},
    "b": {"sip": 15067 + OFFSET, "ari": 18096 + OFFSET, "ami": 15046 + OFFSET, "rtp": 500},
}
PHONE = ("127.0.0.60", 5099 + OFFSET)  # c12's desk phone, where its REGISTER says it is
PHONE13 = ("127.0.0.61", 5099 + OFFSET)  # c13's
STANDBY_PORT = WEB_PORT + 1  # the standby service's desk (web ports of other offsets end in 0)
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cluster:
    """The two nodes' configs (each its own config.yaml, as on two machines) and what they share."""

    configs: dict[str, config_mod.LoadedConfig]
    base: Path

    def ivr(self, *args: str, node: str = "a") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ivr.cli", "-c", str(self.configs[node].path), *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    def instance(self, node: str) -> embedded.Instance:
        return embedded.instance_for(self.configs[node])

    def calls_taken(self, node: str) -> int:
        """How many calls the node's Asterisk has taken since it started."""
        shown = embedded.cli(self.instance(node), "core show calls")
        found = re.search(r"(\d+) calls? processed", shown)
        assert found, shown
        return int(found[1])

    def taking_calls(self) -> dict[str, bool]:
        """`ivr cluster status`: each node, whether Kamailio sends it calls."""
        said = self.ivr("cluster", "status").stdout
        return {
            m[1]: m[2] == "takes calls"
            for m in re.finditer(r"node (\S+)\s+SIP \S+\s+(takes (?:NO )?calls)", said)
        }

    def wait_taking_calls(self, expected: dict[str, bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        seen: dict[str, bool] = {}
        while time.monotonic() < deadline:
            seen = self.taking_calls()
            if seen == expected:
                return
            time.sleep(0.2)
        raise AssertionError(
            f"nodes {seen}, not {expected}, after {timeout} s:\n{self.ivr('cluster', 'status').stdout}"
        )


def node_config(node: str, base: Path) -> str:
    """The integration tests' config.yaml for one node: its own Asterisk's ports, the shared
    cluster: section, and counselor c12, whose phone registers (with Kamailio)."""
    ports = NODES[node]
    rtp = 21000 + OFFSET * 10 + ports["rtp"]
    text = CONFIG.replace(BROWSER, "")  # no browser phone: no secure WebSocket port to share
    nodes = "\n".join(
        f'    - {{name: {n}, sip: "127.0.0.1:{p["sip"]}", ari_url: "http://127.0.0.1:{p["ari"]}"}}'
        for n, p in NODES.items()
    )
    changes = {
        r"  instance: \S+\n": f"  instance: cluster{OFFSET}{node}\n",
        r"  ari_url: \S+\n": f"  ari_url: http://127.0.0.1:{ports['ari']}\n",
        r"  app: \S+\n": f"  app: hotline-cluster{OFFSET}\n",  # one service drives both nodes
        r"  sip_port: \S+\n": f"  sip_port: {ports['sip']}\n",
        r"  ami_port: \S+\n": f"  ami_port: {ports['ami']}\n",
        r"  rtp_start: \S+\n": f"  rtp_start: {rtp}\n",
        r"  rtp_end: \S+\n": f"  rtp_end: {rtp + 499}\n",
        r"counselors:\n": "counselors:\n"
        f"  - {{id: c12, name: 한결, endpoint: itest-c12, line_timeout_seconds: {LINE_TIMEOUT}}}\n"
        f"  - {{id: c13, name: 두리, endpoint: itest-c13, line_timeout_seconds: {LINE_TIMEOUT}}}\n",
        r"  general: \{name: 일반 상담\}": "  general: {name: 일반 상담, counselors: [c12, c13]}",
        r"fallback: \{[^}]*\}": "fallback: {max_wait_seconds: 5, import_every_seconds: 1}",
    }
    for pattern, new in changes.items():
        text, count = re.subn(pattern, new, text, count=1)
        assert count == 1, pattern
    text += (
        "cluster:\n"
        f"  sip_address: 127.0.0.1\n  sip_port: {FRONT_PORT}\n"
        "  probe_seconds: 1\n  probe_misses: 1\n"
        f"  run_dir: {base / 'kamailio'}\n"
        f"  nodes:\n{nodes}\n"
    )
    flows = base / "flows"
    text = text.replace(str(FLOWS), str(flows))
    text = text.replace("DATABASE", str(base / f"hotline-{node}.sqlite3")).replace(
        "STATE", str(base / "state")
    )
    return text.replace("REHEARSALS", str(base / f"rehearsals-{node}.sqlite3"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Both nodes' Asterisk and Kamailio in front of them; stopped at the end."""
    if os.geteuid() != 0:
        pytest.fail("integration tests run the embedded Asterisk and need root")
    if shutil.which("kamailio") is None:
        pytest.fail("Kamailio is missing: ./hotline test installs Debian's kamailio package")
    install.install()
    # Kamailio runs as the kamailio user: its run folder must be one that user reaches.
    base = Path(tmp_path_factory.mktemp("cluster"))
    for parent in (base, *base.parents):
        if parent == Path("/tmp"):
            break
        parent.chmod(parent.stat().st_mode | 0o711)
    shutil.copytree(FLOWS, base / "flows")
    configs = {}
    for node in NODES:
        path = base / f"config-{node}.yaml"
        path.write_text(node_config(node, base), encoding="utf-8")
        configs[node] = config_mod.load(path)
    found = Cluster(configs, base)
    try:
        with ThreadPoolExecutor(2) as pool:
            for started in [pool.submit(start_node, cfg) for cfg in configs.values()]:
                started.result()
        said = found.ivr("cluster", "start")
        assert said.returncode == 0, said.stdout + said.stderr
        yield found
    finally:
        found.ivr("cluster", "stop")
        for node in NODES:
            embedded.stop(found.instance(node))


def wait_online(
    cfg: config_mod.LoadedConfig, endpoint: str, timeout: float = 25.0, state: str = "online"
) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = ari_get(cfg, f"endpoints/PJSIP/{endpoint}").get("state")
        if seen == state:
            return
        time.sleep(0.2)
    raise AssertionError(f"{endpoint} is {seen!r}, not {state}, after {timeout} s")


def start_node(cfg: config_mod.LoadedConfig) -> None:
    inst = embedded.instance_for(cfg)
    embedded.stop(inst)
    embedded.start(cfg, inst)


def test_citizens_spread_over_the_nodes_a_silent_node_gets_none_and_counselors_ring_through_kamailio(
    cluster: Cluster, tmp_path: Path
) -> None:
    lab = SippLab(tmp_path, ("127.0.0.1", FRONT_PORT), port_offset=OFFSET * 10, hosts=PHONE_HOSTS)
    service = Service(cluster.configs["a"].path, cluster.base / "hotline-a.sqlite3", tmp_path / "service.log")
    try:
        # The counselor's desk phone registers with Kamailio, with the password
        # `ivr pbx phones --show-secrets` gives; a wrong one is refused.
        shown = cluster.ivr("pbx", "phones", "--show-secrets", "c12").stdout
        front = ("127.0.0.1", FRONT_PORT)
        assert f"<sip:itest-c12@127.0.0.1:{FRONT_PORT};transport=udp>" in shown, shown
        found = re.search(r"auth_pass=(\S+)", shown)
        assert found, shown
        password = found[1]
        refused = lab.register(front, "itest-c12", "not-the-password", PHONE, accepted=False)
        assert refused.wait(30) == 0, refused.errors()
        phone = lab.registered_phone(*PHONE, timeout_ms=60000)
        signed_in = lab.register(front, "itest-c12", password, PHONE, accepted=True)
        assert signed_in.wait(30) == 0, signed_in.errors()
        cluster.wait_taking_calls({"a": True, "b": True})
        service.start()
        service.wait_log("ARI events connected")

        # Citizens calling Kamailio are spread over both nodes.
        before = {n: cluster.calls_taken(n) for n in NODES}
        citizens = [
            lab.citizen(hangup_after_ms=1500, caller=f"0101234567{i}", via_proxy=True) for i in range(4)
        ]
        for citizen in citizens:
            assert citizen.wait(30) == 0, citizen.errors()
        taken = {n: cluster.calls_taken(n) - before[n] for n in NODES}
        assert taken == {"a": 2, "b": 2}, taken

        # Node b goes silent: Kamailio's OPTIONS find it, and it gets no call from then on.
        embedded.stop(cluster.instance("b"))
        cluster.wait_taking_calls({"a": True, "b": False})
        status = cluster.ivr("cluster", "status")
        assert status.returncode == 1 and "node b" in status.stdout, status.stdout
        before_a = cluster.calls_taken("a")

        # Node a learns that the phone is there by its qualify through Kamailio (every 10 s);
        # c13's phone is not registered (the next test's): offline, offered nothing.
        wait_online(cluster.configs["a"], "itest-c12")
        wait_online(cluster.configs["a"], "itest-c13", state="offline")
        # A citizen reaches node a's IVR, presses 0, and counselor c12's phone,
        # registered with Kamailio only, is rung by node a through it and answers.
        asked = time.monotonic()
        citizen = lab.citizen(digits=[(1500, "0")], hangup_after_ms=7000, via_proxy=True)
        assert citizen.wait(60) == 0, citizen.errors()
        assert phone.wait(30) == 0, phone.errors()
        assert time.monotonic() - asked < 20  # not held up by the dead node
        assert (
            cluster.calls_taken("a") - before_a == 1
        )  # the citizen's call (Asterisk counts no originated leg)
        # The four spread calls, then this one: the service (driving both nodes) recorded each once.
        calls = service.closed_calls(5)
        assert [c["disposition"] for c in calls] == [*["abandoned_ivr"] * 4, "answered"], calls
        assert sorted(c["id"][0] for c in calls[:4]) == ["a", "a", "b", "b"]  # ids start with the node
        assert calls[-1]["counselor_id"] == "c12", calls[-1]

        # The counselor logs out from the desk phone (*22): Kamailio checks its
        # password and tells node a (node b is still down) which phone calls.
        dials = lab.phone_dials_via_proxy(PHONE[0], "itest-c12", password, "*22")
        assert dials.wait(30) == 0, dials.errors()
        service.wait_log("counselor c12 keyed *22")
        service.wait_log("-> logged_out on")  # at once, or when the last call's wrap-up is over

        # Node b back: it answers OPTIONS again and is given calls again.
        start_node(cluster.configs["b"])
        cluster.wait_taking_calls({"a": True, "b": True})
        before = {n: cluster.calls_taken(n) for n in NODES}
        citizens = [
            lab.citizen(hangup_after_ms=1000, caller=f"0109876543{i}", via_proxy=True) for i in range(2)
        ]
        for citizen in citizens:
            assert citizen.wait(30) == 0, citizen.errors()
        assert {n: cluster.calls_taken(n) - before[n] for n in NODES} == {"a": 1, "b": 1}
    finally:
        service.stop()
        lab.close()


def phone_password(cluster: Cluster, counselor: str) -> str:
    shown = cluster.ivr("pbx", "phones", "--show-secrets", counselor).stdout
    found = re.search(r"auth_pass=(\S+)", shown)
    assert found, shown
    return found[1]


def wait_nodes_up(service: Service, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = service.health()[1].get("nodes")
        if seen == {"a": "up", "b": "up"}:
            return
        time.sleep(0.2)
    raise AssertionError(f"the service's nodes are {seen} after {timeout} s")


def closed_call(service: Service, where: str, value: str, timeout: float = 10.0) -> dict:
    """The one call record `where` says, once the service has closed it."""
    deadline = time.monotonic() + timeout
    while not (found := service.query(f"SELECT * FROM calls WHERE {where} AND open = 0", (value,))):
        assert time.monotonic() < deadline, service.query("SELECT * FROM calls WHERE open = 1")
        time.sleep(0.1)
    [record] = found
    return record


def pair_on_postgresql(cluster: Cluster, tmp_path: Path, url: str) -> tuple[Service, Service]:
    """Two services on one PostgreSQL, in front of both nodes (as on two machines): the same
    config (node a's asterisk:, the shared cluster:), each its own web port and log."""
    text = cluster.configs["a"].path.read_text()
    text = text.replace(str(cluster.base / "hotline-a.sqlite3"), json.dumps(url))
    services = []
    for name, port in (("one", WEB_PORT), ("two", STANDBY_PORT)):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "config.yaml"
        path.write_text(text.replace(f"web: {{port: {WEB_PORT}}}", f"web: {{port: {port}}}"))
        services.append(Service(path, url, tmp_path / name / "service.log", web_port=port))
    return services[0], services[1]


def wait_active(service: Service, timeout: float) -> dict:
    """/healthz once the service is active, its app registered and both nodes up."""
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        try:
            status, body = service.health()
        except OSError:
            status, body = 0, {}
        if status == 200 and body.get("role") == "active" and body.get("nodes") == {"a": "up", "b": "up"}:
            return body
        time.sleep(0.02)
    raise AssertionError(f"not active on both nodes after {timeout} s ({body}):\n{service.log()[-4000:]}")


def wait_rows(service: Service, sql: str, count: int, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(rows := service.query(sql)) < count:
        assert time.monotonic() < deadline, (sql, rows, service.query("SELECT * FROM calls"))
        time.sleep(0.05)
    return rows


def seconds_between(earlier: object, later: object) -> float:
    """Seconds between two of the records' times (ISO text, or datetimes on PostgreSQL)."""
    at = [t if isinstance(t, datetime) else datetime.fromisoformat(str(t)) for t in (earlier, later)]
    return (at[1] - at[0]).total_seconds()


def test_a_standby_pair_drives_both_nodes_takes_over_in_order_and_a_killed_node_loses_its_calls_once(
    cluster: Cluster, tmp_path: Path, pg_cluster: PgCluster
) -> None:
    """Two services on PostgreSQL in front of both nodes: citizens on each node talk with
    c12 and c13 and two more wait; kill -9 of the active: the standby takes up the
    conversations on both nodes and serves the waiting callers in the order they came;
    kill -9 of node b's Asterisk: its calls are closed once, as lost, their counselors
    freed, and the next citizen is served on node a. Every call recorded once."""
    lab = SippLab(tmp_path, ("127.0.0.1", FRONT_PORT), port_offset=OFFSET * 10, hosts=PHONE_HOSTS)
    one, two = pair_on_postgresql(cluster, tmp_path, pg_cluster.fresh())
    front = ("127.0.0.1", FRONT_PORT)
    a, b = cluster.configs["a"], cluster.configs["b"]
    try:
        passwords = {c: phone_password(cluster, c) for c in ("c12", "c13")}
        addresses = {"c12": PHONE, "c13": PHONE13}
        # Each desk phone takes two calls: a conversation, then a waiting caller.
        phones = {c: lab.registered_phone(*addresses[c], timeout_ms=90000, calls=2) for c in addresses}
        for c, where in addresses.items():
            signed_in = lab.register(front, f"itest-{c}", passwords[c], where, accepted=True)
            assert signed_in.wait(30) == 0, signed_in.errors()
        cluster.wait_taking_calls({"a": True, "b": True})
        one.start()
        wait_nodes_up(one)
        two.start(role="standby")
        for cfg in (a, b):
            for c in addresses:
                wait_online(cfg, f"itest-{c}")

        # Kamailio deals calls round robin: a citizen who hangs up in the menu until one
        # lands on node a, so that the next four go to b, a, b, a.
        probes = 0
        while True:
            probes += 1
            before = cluster.calls_taken("a")
            probe = lab.citizen(hangup_after_ms=800, caller=f"0105559999{probes}", via_proxy=True)
            assert probe.wait(30) == 0, probe.errors()
            if cluster.calls_taken("a") > before:
                break
            assert probes < 3, "Kamailio did not deal node a a call"

        def call(n: int, hangup_after_ms: int) -> Phone:
            return lab.citizen(
                digits=[(1500, "0")], hangup_after_ms=hangup_after_ms, caller=f"0105550000{n}", via_proxy=True
            )

        def placed(n: int) -> dict:
            [row] = wait_rows(one, f"SELECT * FROM calls WHERE caller = '0105550000{n}'", 1)
            return row

        # 1 on node b and 2 on node a talk with c12 and c13; 2 ends soon after the takeover.
        citizens = {1: call(1, 90000)}
        placed(1)
        citizens[2] = call(2, 21000)
        talking = wait_rows(one, "SELECT * FROM calls WHERE connected_at IS NOT NULL", 2)
        # 3 (node b) and then 4 (node a) wait in line.
        citizens[3] = call(3, 90000)
        wait_rows(one, "SELECT * FROM call_events WHERE kind = 'queue_entered'", 3)
        citizens[4] = call(4, 38000)
        wait_rows(one, "SELECT * FROM call_events WHERE kind = 'queue_entered'", 4)
        ids = {n: placed(n)["id"] for n in citizens}
        assert {n: i[0] for n, i in ids.items()} == {1: "b", 2: "a", 3: "b", 4: "a"}, ids
        # Each conversation's counselor leg and bridge are on the citizen's node.
        for row in talking:
            cfg = {"a": a, "b": b}[row["id"][0]]
            channels = {ch["id"] for ch in ari_get(cfg, "channels")}
            assert {row["id"], row["counselor_leg"]} <= channels, (row, channels)
            assert f"{row['id']}-talk" in {br["id"] for br in ari_get(cfg, "bridges")}

        # kill -9 of the active service: the standby takes the lease and both nodes.
        killed = time.monotonic()
        one.kill()
        took = wait_active(two, timeout=30)
        took_over = time.monotonic() - killed
        assert took["epoch"] == 2, took
        resumed = two.query("SELECT call_id, detail FROM call_events WHERE kind = 'resumed'")
        assert sorted(r["call_id"] for r in resumed) == sorted(ids.values()), resumed

        # 2 hangs up: its counselor takes 3, the first in line (on node b), not 4.
        first = closed_call(two, "id = ?", ids[2], timeout=30)
        [w3] = wait_rows(two, f"SELECT * FROM calls WHERE id = '{ids[3]}' AND connected_at IS NOT NULL", 1)
        freed = seconds_between(first["ended_at"], w3["connected_at"])
        print(
            f"standby: active on both nodes {took_over:.2f} s after kill -9; the first caller in line "
            f"connected {freed:.2f} s after the conversation before them ended (1 s of it wrap-up)"
        )
        assert w3["counselor_id"] == first["counselor_id"], (w3, first)
        assert two.query(f"SELECT connected_at FROM calls WHERE id = '{ids[4]}'") == [{"connected_at": None}]

        # kill -9 of node b's Asterisk: 1 and 3 (talking there) are lost, each once; their
        # counselors are freed; 4 (waiting on node a) is served, then the next citizen.
        pid = embedded.pid(cluster.instance("b"))
        assert pid is not None
        node_killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        for n in (1, 3):
            citizens[n].kill()
        for c in addresses:  # both phones were in calls on node b: nobody hears a BYE any more
            phones[c].kill()
        for c in addresses:
            phones[c] = lab.registered_phone(*addresses[c], timeout_ms=60000)
        for n in (1, 3):
            record = closed_call(two, "id = ?", ids[n], timeout=20)
            assert (record["disposition"], record["hangup_cause"]) == ("answered", "node_lost"), record
        print(f"node b killed: its calls closed after {time.monotonic() - node_killed:.1f} s")
        cluster.wait_taking_calls({"a": True, "b": False})
        status, health = two.health()
        assert (status, health["app_registered"], health["nodes"]) == (200, True, {"a": "up", "b": "lost"})
        for c in addresses:
            wait_online(a, f"itest-{c}")
        nxt = lab.citizen(digits=[(1500, "0")], hangup_after_ms=7000, caller="01055500005", via_proxy=True)
        for n in (2, 4):
            assert citizens[n].wait(60) == 0, citizens[n].errors()
        assert nxt.wait(60) == 0, nxt.errors()
        last = closed_call(two, "caller = ?", "01055500005")
        assert last["id"].startswith("a-") and last["disposition"] == "answered", last
        w4 = closed_call(two, "id = ?", ids[4])
        assert w4["disposition"] == "answered" and w3["connected_at"] < w4["connected_at"], (w3, w4)
        for c in addresses:  # each took its one call, and its end, through Kamailio
            assert phones[c].wait(30) == 0, phones[c].errors()

        # Every call recorded once, nothing open; one end each; one entry each in the queue log.
        calls = two.query("SELECT * FROM calls ORDER BY started_at")
        assert len(calls) == probes + 5 and all(not c["open"] for c in calls), calls
        assert [c["disposition"] for c in calls] == ["abandoned_ivr"] * probes + ["answered"] * 5, calls
        for row in calls:
            ended = two.query(
                "SELECT id FROM call_events WHERE call_id = ? AND kind = 'call_ended'", (row["id"],)
            )
            assert len(ended) == 1, (row, ended)
        for row in calls[probes:]:
            log = [
                r["event"]
                for r in two.query("SELECT event FROM queue_log WHERE call_id = ? ORDER BY id", (row["id"],))
            ]
            assert log.count("entered") == 1 and log.count("connected") == 1, (row["caller"], log)
        assert "Traceback" not in one.log() + two.log()
    finally:
        two.stop()
        one.stop()
        lab.close()
