"""Run the embedded Asterisk: one instance per config, inside the cached root.

Each instance keeps its own etc, spool, run and log folders under
`<root>/srv/jeonju-hotline/<instance>/`, so the hotline and a test run can use
one root side by side on different ports.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ivr.config import LoadedConfig
from ivr.errors import PbxError
from ivr.pbx import install, processes, render, secrets, tls
from ivr.pbx.phones import EVERY_ADDRESS, browser_phones, desk_phones

IN_ROOT_BASE = "/srv/jeonju-hotline"


@dataclass(frozen=True)
class Instance:
    """Where one embedded Asterisk lives, from the host's point of view."""

    root: Path
    name: str

    @property
    def base_in_root(self) -> str:
        return f"{IN_ROOT_BASE}/{self.name}"

    @property
    def base(self) -> Path:
        return self.root / self.base_in_root.lstrip("/")

    @property
    def dirs(self) -> render.Dirs:
        return render.Dirs.under(self.base_in_root)

    def host(self, in_root: str) -> Path:
        return self.root / in_root.lstrip("/")

    @property
    def conf_in_root(self) -> str:
        return f"{self.dirs.etc}/asterisk.conf"

    @property
    def console_log(self) -> Path:
        return self.host(self.dirs.log) / "console.log"

    @property
    def pid_file(self) -> Path:
        return self.host(self.dirs.run) / "asterisk.pid"

    @property
    def recordings(self) -> Path:
        return self.host(self.dirs.spool) / "recording"


def instance_for(cfg: LoadedConfig) -> Instance:
    a = cfg.settings.asterisk
    root = Path(a.root).expanduser().resolve() if a.root else install.default_root()
    return Instance(root=root, name=a.instance)


def load_secrets(cfg: LoadedConfig) -> secrets.Secrets:
    phones = [p.endpoint for p in desk_phones(cfg.settings) if p.registers]
    phones += [p.endpoint for p in browser_phones(cfg.settings)]
    return secrets.load_or_create(cfg.resolve(cfg.settings.storage.state_dir), phones)


def queue_log_path(cfg: LoadedConfig) -> Path | None:
    """Where Asterisk writes its queue_log, as seen from here (None: unknown)."""
    s = cfg.settings
    if s.fallback.queue_log:
        return cfg.resolve(s.fallback.queue_log)
    if s.asterisk.embedded:
        inst = instance_for(cfg)
        return inst.host(inst.dirs.log) / "queue_log"
    return None


def render_instance(cfg: LoadedConfig, inst: Instance) -> None:
    """Config files and prompts into the instance, owned so Asterisk can use them."""
    if not install.is_installed(inst.root):
        raise PbxError(f"the embedded Asterisk is not installed in {inst.root}: run `ivr pbx install`")
    files = render.render_files(cfg.settings, load_secrets(cfg), inst.dirs)
    render.write_files(files, inst.host(inst.dirs.etc))
    render.write_prompts(
        inst.root / "usr/share/asterisk/sounds",
        cfg.path.parent / "prompts" / "recorded",
        root=inst.root,
    )
    for d in ("lib", "spool", "run", "log", "cache"):
        inst.host(getattr(inst.dirs, d)).mkdir(parents=True, exist_ok=True)
    if browser_phones(cfg.settings):
        _install_certificate(cfg, inst)
    # A fresh root has no recording folder: ARI record then answers 500.
    inst.recordings.mkdir(parents=True, exist_ok=True)
    # The root's asterisk user has a uid that means someone else on the host:
    # change ownership from inside the root.
    _chroot(inst, ["chown", "-R", "asterisk:asterisk", inst.base_in_root])
    _chroot(inst, ["chown", "-R", "root:asterisk", inst.dirs.etc])


def _install_certificate(cfg: LoadedConfig, inst: Instance) -> None:
    """The secure WebSocket's certificate (made once, kept in the state folder) into etc/keys."""
    a = cfg.settings.asterisk
    names = ["localhost", "127.0.0.1", socket.gethostname()]
    if a.wss_address not in EVERY_ADDRESS:
        names.insert(0, a.wss_address)
    made = tls.ensure(cfg.resolve(cfg.settings.storage.state_dir), names)
    keys = inst.host(inst.dirs.etc) / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    for source, name in ((made.cert, "asterisk.pem"), (made.key, "asterisk.key")):
        fd = os.open(keys / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "wb") as f:
            f.write(source.read_bytes())
        os.chmod(keys / name, 0o640)  # root:asterisk (chowned below): Asterisk reads it


def reload_phone_accounts(cfg: LoadedConfig, inst: Instance) -> bool:
    """Give a running Asterisk the phones' passwords as secrets.json has them now; False
    when it is not running (its start renders everything).

    Writes pjsip.conf alone and reloads res_pjsip, which keeps calls in progress:
    a session holds the endpoint it began with (res_pjsip_session.c), requests
    within a dialog go to the dialog layer before the authenticator sees any
    (pjsip_distributor.c, auth_mod at PJSIP_MOD_PRIORITY_APPLICATION - 2), and a
    new REGISTER is checked against the auth objects as they are when it
    arrives (res_pjsip_authenticator_digest.c, ast_sip_retrieve_auths). Transports
    are not reloaded (allow_reload = no, pjsip.conf.sample).
    """
    if pid(inst) is None:
        return False
    files = render.render_files(cfg.settings, load_secrets(cfg), inst.dirs)
    etc = inst.host(inst.dirs.etc)
    render.write_files({"pjsip.conf": files["pjsip.conf"]}, etc)
    # Readable by the root's asterisk user (runuser in asterisk.conf), as render_instance leaves it.
    _chroot(inst, ["chown", "root:asterisk", f"{inst.dirs.etc}/pjsip.conf"])
    said = cli(inst, "module reload res_pjsip.so")
    if "reloaded successfully" not in said:
        raise PbxError(f"Asterisk did not reload PJSIP: {said.strip()}")
    return True


def pid(inst: Instance) -> int | None:
    """The running Asterisk's pid, or None."""
    try:
        value = int(inst.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(value, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return value
    return None if processes.zombie(value) else value


def start(cfg: LoadedConfig, inst: Instance, wait_seconds: float = 60.0) -> int:
    """Render, start Asterisk in the background and wait for ARI; return its pid."""
    running = pid(inst)
    if running:
        return running
    render_instance(cfg, inst)
    inst.console_log.parent.mkdir(parents=True, exist_ok=True)
    # Started through a shell that exits at once: Asterisk is then nobody's
    # child here, lives on after `ivr pbx start` returns, and leaves no zombie.
    launched = subprocess.run(
        [
            "setsid",
            "sh",
            "-c",
            'chroot "$0" /usr/sbin/asterisk -f -C "$1" </dev/null >>"$2" 2>&1 & echo $!',
            str(inst.root),
            inst.conf_in_root,
            str(inst.console_log),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    child = int(launched.stdout.strip())
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if not _alive(child):
            raise PbxError(f"Asterisk stopped at start:\n{processes.tail(inst.console_log)}")
        if _fully_booted(inst):
            return child
        time.sleep(0.2)
    raise PbxError(
        f"Asterisk did not finish starting in {wait_seconds:.0f} s:\n{processes.tail(inst.console_log)}"
    )


def stop(inst: Instance, wait_seconds: float = 20.0) -> bool:
    """Stop Asterisk; True when one was running."""
    running = pid(inst)
    if not running:
        return False
    try:
        cli(inst, "core stop now", timeout=10)
    except PbxError:
        os.kill(running, signal.SIGTERM)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if not _alive(running):
            return True
        time.sleep(0.1)
    os.kill(running, signal.SIGKILL)
    return True


def cli(inst: Instance, command: str, timeout: float = 10.0) -> str:
    """Run one Asterisk CLI command through the control socket."""
    return processes.ask(
        ["chroot", str(inst.root), "/usr/sbin/asterisk", "-C", inst.conf_in_root, "-rx", command],
        f"asterisk -rx {command!r}",
        timeout,
    )


def _fully_booted(inst: Instance) -> bool:
    if not (inst.host(inst.dirs.run) / "asterisk.ctl").exists():
        return False
    try:
        # Returns once every module is loaded: ARI and PJSIP answer after it.
        cli(inst, "core waitfullybooted", timeout=5)
    except PbxError:
        return False
    return True


def _alive(value: int) -> bool:
    try:
        os.kill(value, 0)
    except ProcessLookupError:
        return False
    # A zombie child of this process still answers kill(0).
    try:
        waited, _ = os.waitpid(value, os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def _chroot(inst: Instance, cmd: list[str]) -> None:
    try:
        subprocess.run(["chroot", str(inst.root), *cmd], check=True, capture_output=True, timeout=30)
    except subprocess.CalledProcessError as exc:
        raise PbxError(f"{' '.join(cmd)} in {inst.root} failed: {exc.stderr.decode().strip()}") from exc
