"""`ivr serve`: one service per Stasis app, checks before anything starts, then the hotline until SIGTERM.

The process-level part of serving: the lock, the port and path checks, the
embedded Asterisk, the pid file and the signals. What runs is app.Hotline.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
from pathlib import Path

from ivr import config as config_mod
from ivr.admin.flows import flows_to_serve, publish_prompts
from ivr.app import Hotline
from ivr.config import LoadedConfig, key_line
from ivr.errors import ConfigError
from ivr.pbx import embedded
from ivr.runtime.service_lock import ServiceLock
from ivr.store import engine

log = logging.getLogger(__name__)


def preflight(cfg: LoadedConfig) -> list[str]:
    """Problems that config validation cannot see: ports in use, unwritable paths."""
    s = cfg.settings
    problems = []
    if not _port_free(s.web.listen, s.web.port, socket.SOCK_STREAM):
        problems.append(f"{key_line(cfg, 'web', 'port')}: port {s.web.port} is already in use")
    if s.asterisk.embedded and not embedded.pid(embedded.instance_for(cfg)):
        a = s.asterisk
        checks = [
            ("sip_port", a.sip_address, a.sip_port, socket.SOCK_DGRAM),
            ("ari_url", "127.0.0.1", a.http_port, socket.SOCK_STREAM),
            ("ami_port", "127.0.0.1", a.ami_port, socket.SOCK_STREAM),
        ]
        for key, host, port, kind in checks:
            if not _port_free(host, port, kind):
                problems.append(f"{key_line(cfg, 'asterisk', key)}: port {port} is already in use")
    db = cfg.database()
    if not isinstance(db, Path):
        return problems  # a PostgreSQL server: its connection is tried at start
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problems.append(f"{key_line(cfg, 'storage', 'database')}: cannot create {db.parent}: {exc}")
    return problems


def _port_free(host: str, port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        if kind == socket.SOCK_STREAM:
            # Ignore TIME_WAIT leftovers; a listener still refuses. (Not for
            # UDP: there it would let us share a port someone else holds.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.errno != errno.EADDRINUSE
    return True


def serve(config_path: Path) -> int:
    cfg = config_mod.load(config_path)
    from ivr.runtime import logs

    logs.setup(cfg.settings.service.log_level)
    # Before anything is checked, started or written: a second copy disturbs nothing
    # (and says so, rather than that the web port is taken).
    lock = ServiceLock(cfg.settings.asterisk.ari_url, cfg.settings.asterisk.app)
    # On PostgreSQL the lease in the database keeps a second service off the
    # app, on any machine (cli/standby.py): a second copy here stands by.
    leased = engine.is_postgres(cfg.database())
    if not leased:
        lock.acquire()
    problems = preflight(cfg)
    if problems:
        raise ConfigError(problems)
    loaded = flows_to_serve(cfg)  # no usable flow stops us before anything starts
    if cfg.settings.asterisk.embedded:
        inst = embedded.instance_for(cfg)
        if not embedded.pid(inst):
            log.info("starting the embedded Asterisk (instance %s)", inst.name)
            embedded.start(cfg, inst)
    publish_prompts(cfg, loaded)
    hotline = Hotline(cfg, loaded)
    pid_file = cfg.resolve(cfg.settings.storage.state_dir) / "ivr.pid"
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(os.getpid()))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, hotline.on_sighup)
        if leased:
            from ivr.cli.standby import serve as serve_leased  # psycopg: only for PostgreSQL

            await serve_leased(hotline, cfg, stop)
        else:
            await hotline.run(stop)

    try:
        asyncio.run(main())
    finally:
        pid_file.unlink(missing_ok=True)
        lock.release()
    return 0
