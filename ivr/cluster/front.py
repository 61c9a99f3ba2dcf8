"""Run Kamailio, the SIP front door, from its own run folder: no system service.

Debian's `kamailio` package brings a system service reading /etc/kamailio;
the hotline leaves it alone. Its Kamailio lives in `cluster.run_dir`: the
rendered kamailio.cfg and dispatcher.list, its log, its pid and the control
socket `ivr cluster status` asks through. Started by root, it drops to the
package's `kamailio` user once its port is bound (-u/-g), so it never serves
calls as root.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.cluster import render
from ivr.config import ClusterSettings, LoadedConfig
from ivr.errors import PbxError
from ivr.pbx import processes

RUN_AS = "kamailio"  # the user Debian's package makes
INSTALL = "install Debian's kamailio package (apt-get install kamailio)"


@dataclass(frozen=True)
class Front:
    """Where one Kamailio lives and how it is run."""

    run_dir: Path
    program: str

    @property
    def config(self) -> Path:
        return self.run_dir / "kamailio.cfg"

    @property
    def log(self) -> Path:
        return self.run_dir / "kamailio.log"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "kamailio.pid"

    @property
    def control(self) -> Path:
        return self.run_dir / "kamailio.ctl"


@dataclass(frozen=True)
class NodeState:
    """One node as Kamailio's dispatcher sees it now."""

    name: str
    uri: str
    flags: str  # A active, I inactive, D disabled, P probing (dispatcher's own letters)

    @property
    def up(self) -> bool:
        return self.flags.startswith("A")


def front_for(cfg: LoadedConfig) -> tuple[Front, ClusterSettings]:
    """The front door config.yaml describes; PbxError without a `cluster:` section."""
    cluster = cfg.settings.cluster
    if cluster is None:
        raise PbxError(f"{cfg.shown} has no cluster: section (docs/scaling.md, 'Several Asterisk nodes')")
    return Front(cfg.resolve(cluster.run_dir), cluster.kamailio), cluster


def render_front(
    cfg: LoadedConfig, front: Front, cluster: ClusterSettings, phones: Mapping[str, str]
) -> None:
    """Write the configuration into the run folder and have Kamailio check it."""
    if shutil.which(front.program) is None:
        raise PbxError(f"{front.program} not found: {INSTALL}")
    render.write_files(render.render_files(cfg, cluster, phones, front.run_dir), front.run_dir)
    user = _run_as()
    if user is not None:
        # Its control socket and pid go here once it runs as that user; the
        # configuration (phones' passwords) stays root's, readable by its group.
        os.chown(front.run_dir, user.pw_uid, user.pw_gid)
        os.chown(front.config, 0, user.pw_gid)
    checked = subprocess.run(
        [front.program, "-c", "-f", str(front.config), "-Y", str(front.run_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if checked.returncode != 0:
        said = "\n".join(
            line
            for line in (checked.stderr + checked.stdout).splitlines()
            if "ERROR" in line or "CRITICAL" in line
        )
        raise PbxError(f"Kamailio refuses {front.config}:\n{said or checked.stderr.strip()}")


def start(cfg: LoadedConfig, phones: Mapping[str, str], wait_seconds: float = 20.0) -> int:
    """Render, start Kamailio in the background and wait for its control socket; return its pid."""
    front, cluster = front_for(cfg)
    running = pid(front)
    if running:
        return running
    render_front(cfg, front, cluster, phones)
    front.control.unlink(missing_ok=True)
    user = _run_as()
    drop = ["-u", user.pw_name, "-g", str(user.pw_gid)] if user is not None else []
    # Started through a shell that exits at once, as the embedded Asterisk is:
    # Kamailio is nobody's child here and lives on after `ivr cluster start`.
    # -DD: it stays in the foreground of that shell (no daemon's fork), -E: its
    # log goes to the log file, not to syslog.
    command = [front.program, "-f", str(front.config), "-Y", str(front.run_dir), "-DD", "-E"]
    command += [*drop, "-m", "32", "-M", "4"]
    launched = subprocess.run(
        ["setsid", "sh", "-c", '"$@" </dev/null >>"$0" 2>&1 & echo $!', str(front.log), *command],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    child = int(launched.stdout.strip())
    front.pid_file.write_text(f"{child}\n")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if not _alive(child):
            raise PbxError(f"Kamailio stopped at start:\n{processes.tail(front.log)}")
        if front.control.exists() and _answers(front):
            return child
        time.sleep(0.1)
    raise PbxError(f"Kamailio did not finish starting in {wait_seconds:.0f} s:\n{processes.tail(front.log)}")


def stop(front: Front, wait_seconds: float = 10.0) -> bool:
    """Stop Kamailio; True when one was running."""
    running = pid(front)
    if not running:
        return False
    os.kill(running, signal.SIGTERM)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and _alive(running):
        time.sleep(0.05)
    if _alive(running):
        # Its children too: they share the process group setsid gave its shell.
        os.killpg(os.getpgid(running), signal.SIGKILL)
    front.pid_file.unlink(missing_ok=True)
    return True


def pid(front: Front) -> int | None:
    """The running Kamailio's pid, or None."""
    try:
        value = int(front.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return value if _alive(value) and _is_kamailio(value) else None


def nodes(front: Front) -> list[NodeState]:
    """Each node as the running Kamailio's dispatcher sees it (kamcmd dispatcher.list)."""
    return parse_dispatcher_list(_rpc(front, "dispatcher.list"))


def parse_dispatcher_list(said: str) -> list[NodeState]:
    """kamcmd's answer to dispatcher.list: one DEST block per node, with URI, FLAGS and DUID."""
    found = []
    for block in said.split("DEST:")[1:]:
        uri = re.search(r"URI: (\S+)", block)
        flags = re.search(r"FLAGS: (\S+)", block)
        name = re.search(r"DUID: (\S+)", block)
        if uri and flags:
            found.append(NodeState(name[1] if name else uri[1], uri[1], flags[1]))
    return found


def _rpc(front: Front, command: str) -> str:
    kamcmd = str(Path(front.program).with_name("kamcmd"))
    return processes.ask([kamcmd, "-s", f"unix:{front.control}", command], f"kamcmd {command}", timeout=5)


def _answers(front: Front) -> bool:
    try:
        _rpc(front, "core.uptime")
    except PbxError:
        return False
    return True


def _run_as() -> pwd.struct_passwd | None:
    """The user Kamailio drops to when started by root (None: it runs as whoever starts it)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError:
        raise PbxError(f"no {RUN_AS!r} user: {INSTALL}") from None


def _alive(value: int) -> bool:
    try:
        os.kill(value, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not processes.zombie(value)


def _is_kamailio(value: int) -> bool:
    """A pid file outlives its process; the number may since be someone else's."""
    try:
        return "kamailio" in Path(f"/proc/{value}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return True
