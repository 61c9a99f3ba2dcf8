"""The benchmark's Asterisk side: one embedded node as always, or two behind Kamailio (`--nodes 2`).

With two nodes each is its own embedded instance (`bench<offset>` and
`bench<offset>b`, their ports in bench/ports.py) rendered from its own
config.yaml with one shared `cluster:` section, as on two machines, and
Kamailio is started from that section as `ivr cluster start` does. The
service runs with node a's config and drives both nodes (one Stasis app).
Everything started here is stopped by stop(), which start() itself calls
when it fails half-way.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import procstat
from bench.lab import NODE_NAMES, Pbx, config_text
from bench.ports import Ports
from ivr import config as config_mod
from ivr.cluster import front as front_mod

KAMAILIO_MISSING = (
    "Kamailio is missing ({program}): --nodes 2 puts it in front of the two Asterisk nodes;"
    " `./hotline bench` installs Debian's kamailio package"
)


class Nodes:
    """One or two Asterisk nodes (and Kamailio in front of two), for one run's sides."""

    def __init__(self, ports: Ports, work: Path, state: Path, log_level: str = "INFO") -> None:
        self.ports = ports
        work.mkdir(parents=True, exist_ok=True)
        configs = []
        for i in range(ports.nodes):
            path = work / ("config.yaml" if i == 0 else f"config-{NODE_NAMES[i]}.yaml")
            path.write_text(config_text(ports, work, state, 0.0, log_level, node=i), encoding="utf-8")
            configs.append(config_mod.load(path))
        self.pbxes = [Pbx(cfg) for cfg in configs]
        self.front = front_mod.front_for(configs[0])[0] if ports.nodes > 1 else None

    @property
    def pbx(self) -> Pbx:
        """Node a: the one node, or the one whose config the service runs with."""
        return self.pbxes[0]

    @property
    def cfg(self) -> config_mod.LoadedConfig:
        return self.pbx.cfg

    def missing(self) -> str | None:
        """Why this cannot start (Kamailio not installed), before anything is started."""
        if self.front is not None and shutil.which(self.front.program) is None:
            return KAMAILIO_MISSING.format(program=self.front.program)
        return None

    def start(self, wait_seconds: float = 30.0) -> None:
        """Every node, then Kamailio, until it sends calls to every node."""
        try:
            for pbx in self.pbxes:
                pbx.prepare()
            with ThreadPoolExecutor(len(self.pbxes)) as pool:  # each node takes seconds to boot
                for booted in [pool.submit(pbx.boot) for pbx in self.pbxes]:
                    booted.result()
            if self.front is None:
                return
            front_mod.start(self.cfg, {})  # counselors' phones have fixed contacts: none registers
            deadline = time.monotonic() + wait_seconds
            while not self.all_taking_calls():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kamailio does not send calls to every node; see {self.front.log}")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise

    def all_taking_calls(self) -> bool:
        assert self.front is not None
        seen = front_mod.nodes(self.front)
        return len(seen) == len(self.pbxes) and all(n.up for n in seen)

    def stop(self) -> None:
        """Kamailio and every node; those not running are passed over."""
        try:
            if self.front is not None:
                front_mod.stop(self.front)
        finally:
            with ThreadPoolExecutor(len(self.pbxes)) as pool:
                for stopped in [pool.submit(pbx.stop) for pbx in self.pbxes]:
                    stopped.result()

    def asterisk_pids(self) -> list[int]:
        return [pbx.pid() for pbx in self.pbxes]

    def kamailio_cpu_seconds(self) -> float | None:
        """Kamailio's CPU so far, all its processes (None without it)."""
        if self.front is None:
            return None
        pid = front_mod.pid(self.front)
        if pid is None:
            raise RuntimeError(f"Kamailio is not running; see {self.front.log}")
        return procstat.group_cpu_seconds(pid)

    def node_of(self, media_port: int) -> str:
        """Which node a call's audio came from, by its RTP port."""
        for i in range(self.ports.nodes):
            if media_port in self.ports.node(i).rtp:
                return NODE_NAMES[i]
        return "?"

    def leftovers(self) -> dict[str, int]:
        """Channels and bridges left on all nodes together."""
        total = {"channels_left": 0, "bridges_left": 0}
        for pbx in self.pbxes:
            for key, count in pbx.leftovers().items():
                total[key] += count
        return total
