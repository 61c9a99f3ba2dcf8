"""Several Asterisk nodes behind Kamailio (docs/scaling.md): the SIP front door, step 1.

Two embedded Asterisk instances on their own ports (nodes a and b) and a
Kamailio on loopback started by `ivr cluster start`, as an admin would: a
counselor's desk phone registers with Kamailio, citizens call Kamailio and are
spread over both nodes; node b stops and gets no call from then on; a citizen
then reaches node a's IVR and the counselor, rung by node a through Kamailio;
node b comes back and is given calls again; the counselor's desk phone logs
out with its feature code through Kamailio.
"""

from __future__ import annotations

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
    Service,
    ari_get,
)
from tests.integration.sipp import SippLab

FRONT_PORT = 15069 + OFFSET  # Kamailio
# Node a on the second offset's ports (HOTLINE_ITEST_OFFSET + 5), node b beside
# it: neither meets the session's own Asterisk (`pbx`) on the first offset's.
NODES = {
    "a": {"sip": 15065 + OFFSET, "ari": 18093 + OFFSET, "ami": 15043 + OFFSET, "rtp": 0},
    "b": {"sip": 15067 + OFFSET, "ari": 18096 + OFFSET, "ami": 15046 + OFFSET, "rtp": 500},
}
PHONE = ("127.0.0.60", 5099 + OFFSET)  # c12's desk phone, where its REGISTER says it is
PHONE13 = ("127.0.0.61", 5099 + OFFSET)  # c13's
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


def test_each_call_is_driven_on_its_node_and_a_killed_node_loses_its_calls_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    """One service drives both nodes: a citizen on each talks with a counselor at once,
    on the node where they arrived; node b's Asterisk killed: its call is closed once, its
    counselor freed, and the next citizen is served on node a."""
    lab = SippLab(tmp_path, ("127.0.0.1", FRONT_PORT), port_offset=OFFSET * 10, hosts=PHONE_HOSTS)
    service = Service(cluster.configs["a"].path, cluster.base / "hotline-a.sqlite3", tmp_path / "service.log")
    front = ("127.0.0.1", FRONT_PORT)
    a, b = cluster.configs["a"], cluster.configs["b"]
    try:
        passwords = {c: phone_password(cluster, c) for c in ("c12", "c13")}
        addresses = {"c12": PHONE, "c13": PHONE13}
        phones = {c: lab.registered_phone(*addresses[c], timeout_ms=90000) for c in addresses}
        for c, where in addresses.items():
            signed_in = lab.register(front, f"itest-{c}", passwords[c], where, accepted=True)
            assert signed_in.wait(30) == 0, signed_in.errors()
        cluster.wait_taking_calls({"a": True, "b": True})
        service.start()
        wait_nodes_up(service)
        # c12 logged out at the end of the last test: back in with *21, through Kamailio.
        dials = lab.phone_dials_via_proxy(PHONE[0], "itest-c12", passwords["c12"], "*21")
        assert dials.wait(30) == 0, dials.errors()
        service.wait_log("counselor c12 keyed *21")
        for cfg in (a, b):
            for c in addresses:
                wait_online(cfg, f"itest-{c}")

        # Two citizens at once: Kamailio gives one to each node; each talks with a counselor.
        citizens = {
            f"0105550000{i}": lab.citizen(
                digits=[(1500, "0")], hangup_after_ms=14000, caller=f"0105550000{i}", via_proxy=True
            )
            for i in range(2)
        }
        deadline = time.monotonic() + 30
        talking: list[dict] = []
        while len(talking) < 2:
            assert time.monotonic() < deadline, service.query("SELECT * FROM calls WHERE open = 1")
            talking = service.query("SELECT * FROM calls WHERE open = 1 AND connected_at IS NOT NULL")
            time.sleep(0.1)
        on = {c["id"][0]: c for c in talking}
        assert sorted(on) == ["a", "b"], talking
        # Each call's counselor leg and bridge are on the citizen's node.
        for node, cfg in (("a", a), ("b", b)):
            call = on[node]
            channels = {ch["id"] for ch in ari_get(cfg, "channels")}
            assert {call["id"], call["counselor_leg"]} <= channels, (node, channels)
            assert f"{call['id']}-talk" in {br["id"] for br in ari_get(cfg, "bridges")}

        # Node b's Asterisk dies: nobody on it hears a BYE any more.
        lost = on["b"]
        pid = embedded.pid(cluster.instance("b"))
        assert pid is not None
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        citizens[lost["caller"]].kill()
        phones[lost["counselor_id"]].kill()
        record = closed_call(service, "id = ?", lost["id"], timeout=20)
        print(f"node b killed: its call closed after {time.monotonic() - killed:.1f} s")
        assert (record["disposition"], record["hangup_cause"]) == ("answered", "node_lost"), record
        ended = service.query(
            "SELECT id FROM call_events WHERE call_id = ? AND kind = 'call_ended'", (lost["id"],)
        )
        assert len(ended) == 1
        # Its counselor is free again (after the 1 s wrap-up).
        freed = lost["counselor_id"]
        deadline = time.monotonic() + 10
        while service.query(
            "SELECT to_state FROM counselor_events WHERE counselor_id = ? ORDER BY id DESC LIMIT 1", (freed,)
        ) != [{"to_state": "available"}]:
            assert time.monotonic() < deadline, service.query("SELECT * FROM counselor_events")
            time.sleep(0.1)
        cluster.wait_taking_calls({"a": True, "b": False})

        # The call on node a goes on to its end, recorded once, as answered.
        citizen_a = citizens[on["a"]["caller"]]
        assert citizen_a.wait(30) == 0, citizen_a.errors()
        kept = closed_call(service, "id = ?", on["a"]["id"])
        assert kept["disposition"] == "answered", kept

        # The next citizen lands on node a and talks with the freed counselor.
        phones[freed] = lab.registered_phone(*addresses[freed], timeout_ms=60000)
        wait_online(a, f"itest-{freed}")
        nxt = lab.citizen(digits=[(1500, "0")], hangup_after_ms=7000, caller="01055500009", via_proxy=True)
        assert nxt.wait(60) == 0, nxt.errors()
        served = closed_call(service, "caller = ?", "01055500009")
        assert served["id"].startswith("a-") and served["disposition"] == "answered", served
        assert served["counselor_id"] == freed
        assert len(service.query("SELECT id FROM calls WHERE caller LIKE '0105550000%'")) == 3
    finally:
        service.stop()
        lab.close()
