"""`ivr serve` on PostgreSQL: a standby until the lease is ours, then the hotline, until told to stop
or until the lease cannot be kept (docs/scaling.md, "A standby service").

Stepping down ends the process at once (exit 75, EX_TEMPFAIL): the kernel
closes its ARI WebSocket and every connection, so nothing of it drives a
call once the other service may take over; systemd (Restart=always) starts
it again as a standby. A drain, a detach or a last write would each risk
touching calls that are no longer its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time

from aiohttp import web

from ivr.app import Hotline
from ivr.config import LoadedConfig
from ivr.errors import StoreError
from ivr.runtime.lease import LeaseTimes
from ivr.runtime.standby import LeaseKeeper
from ivr.store.lease import PgLease, fence
from ivr.web import standby as standby_web

log = logging.getLogger(__name__)
EXIT_STEPPED_DOWN = 75


def names(cfg: LoadedConfig) -> tuple[str, str]:
    """(this service's name in the lease, its desk's address for the standby's redirects)."""
    s = cfg.settings
    name = s.standby.name or f"{socket.gethostname()}:{s.web.port}"
    return name, s.standby.desk_url or f"http://{s.web.listen}:{s.web.port}"


async def serve(hotline: Hotline, cfg: LoadedConfig, stop: asyncio.Event) -> None:
    s = cfg.settings
    name, desk = names(cfg)
    times = LeaseTimes(s.standby.lease_seconds)
    store = PgLease(str(cfg.database()), times.lease_seconds)
    keeper = LeaseKeeper(store, name, desk, times, time.monotonic)
    try:
        epoch = await _standby(keeper, store, cfg, name, stop)
        if epoch is None:
            return
        # A write refused for an old epoch: another service is active, whatever
        # our last renewal said; step down now, not at the next renewal.
        loop = asyncio.get_running_loop()
        fenced = asyncio.Event()
        hotline.take_lease(epoch, fence(epoch, lambda exc: loop.call_soon_threadsafe(fenced.set)))
        log.warning("%s is now active (lease epoch %d): taking up the calls in progress", name, epoch)
        run = asyncio.create_task(hotline.run(stop), name="hotline")
        keep = asyncio.create_task(keeper.keep(), name="lease")
        refused = asyncio.create_task(fenced.wait(), name="fenced")
        await asyncio.wait({run, keep, refused}, return_when=asyncio.FIRST_COMPLETED)
        if keep.done() or refused.done():
            _step_down(name, epoch)
        for task in (keep, refused):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await run  # its error, if it failed, is the service's
        with contextlib.suppress(StoreError):
            await store.release(name, epoch)  # the standby need not wait for the lease to lapse
    finally:
        store.close()


async def _standby(
    keeper: LeaseKeeper, store: PgLease, cfg: LoadedConfig, name: str, stop: asyncio.Event
) -> int | None:
    """Serve the standby's web (health, redirects) until the lease is ours (its epoch) or we stop."""
    s = cfg.settings
    started = time.monotonic()
    app = standby_web.build(store.holder, name, lambda: time.monotonic() - started)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, s.web.listen, s.web.port).start()
    log.info("%s is standing by: the lease is asked for every %.1f s", name, keeper.lease.times.poll_every)
    waiting = asyncio.create_task(keeper.wait_active(), name="lease-wait")
    stopping = asyncio.create_task(stop.wait(), name="stop-wait")
    try:
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiting, stopping):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await runner.cleanup()  # the desk's own server takes the port
    return waiting.result() if waiting.done() and not waiting.cancelled() else None


def _step_down(name: str, epoch: int) -> None:
    log.critical(
        "%s steps down (lease epoch %d not kept): exiting at once so that no call is driven twice",
        name,
        epoch,
    )
    logging.shutdown()
    os._exit(EXIT_STEPPED_DOWN)
