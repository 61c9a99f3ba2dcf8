"""`ivr cluster render|start|stop|status`: Kamailio in front of several Asterisk nodes (docs/scaling.md).

The one-box start (`ivr pbx start`, `./hotline start`) is untouched: these
commands are for a site whose config.yaml has a `cluster:` section.
"""

from __future__ import annotations

import argparse
import asyncio

from ivr.cluster import front as front_mod
from ivr.config import LoadedConfig
from ivr.pbx import embedded
from ivr.pbx.phones import desk_phones


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cluster = sub.add_parser("cluster", help="Kamailio in front of several Asterisk nodes (docs/scaling.md)")
    cluster_sub = cluster.add_subparsers(dest="cluster_command", required=True)
    cluster_sub.add_parser("render", help="write Kamailio's configuration into cluster.run_dir and check it")
    cluster_sub.add_parser("start", help="render and start Kamailio (unprivileged, from cluster.run_dir)")
    cluster_sub.add_parser("stop", help="stop Kamailio")
    cluster_sub.add_parser("status", help="Kamailio, and each node: taking calls or not, ARI answering")


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    front, cluster = front_mod.front_for(cfg)
    command = args.cluster_command
    if command == "render":
        front_mod.render_front(cfg, front, cluster, registering_phones(cfg))
        print(f"rendered into {front.run_dir}; `ivr cluster stop && ivr cluster start` applies it")
    elif command == "start":
        running = front_mod.pid(front)
        if running:
            print(f"Kamailio is already running (pid {running})")
            return 0
        pid = front_mod.start(cfg, registering_phones(cfg))
        print(f"Kamailio started (pid {pid}) on {cluster.sip_address}:{cluster.sip_port}, log: {front.log}")
        for node in cluster.nodes:
            print(f"  node {node.name}: SIP {node.sip}  ARI {node.ari_url}")
    elif command == "stop":
        print("Kamailio stopped" if front_mod.stop(front) else "Kamailio was not running")
    else:
        return asyncio.run(status(cfg))
    return 0


def registering_phones(cfg: LoadedConfig) -> dict[str, str]:
    """Each desk phone that registers (no fixed contact) and its password: they register with Kamailio."""
    passwords = embedded.load_secrets(cfg).phones
    return {p.endpoint: passwords[p.endpoint] for p in desk_phones(cfg.settings) if p.registers}


async def status(cfg: LoadedConfig) -> int:
    """Print Kamailio's state and each node's; exit 1 when Kamailio or any node is down."""
    from ivr.ari.rest import REQUEST_ERRORS, AriRest
    from ivr.pbx.credentials import ari_password

    front, cluster = front_mod.front_for(cfg)
    pid = front_mod.pid(front)
    running = f"running, pid {pid}" if pid else "not running"
    print(f"Kamailio on {cluster.sip_address}:{cluster.sip_port}: {running}")
    states = {n.name: n for n in front_mod.nodes(front)} if pid else {}
    ok = pid is not None
    for node in cluster.nodes:
        seen = states.get(node.name)
        calls = "takes calls" if seen and seen.up else "takes NO calls" if seen else "?"
        rest = AriRest(node.ari_url, cfg.settings.asterisk.ari_user, ari_password(cfg), timeout=3)
        try:
            await rest.get("asterisk/info")
            ari = "ARI answers"
        except REQUEST_ERRORS as exc:
            ari = f"ARI does not answer ({exc})"
        finally:
            await rest.close()
        flags = f" [{seen.flags}]" if seen else ""
        print(f"  node {node.name:<10} SIP {node.sip:<21} {calls}{flags}; {ari}")
        ok = ok and seen is not None and seen.up
    return 0 if ok else 1
