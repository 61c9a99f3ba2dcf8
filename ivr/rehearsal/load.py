"""`ivr rehearse --load N`: N synthetic calls at once over the smoke paths, each checked.

Bounded (MAX_LOAD calls), and only ever to the hotline's own number through
its trunk, like every rehearsal call. The calls share the rehearsal number,
so each finds its record by the path it walked (run.py `_record`); the
rehearsal counselor's one phone takes the counselor paths' calls in turn
(the others wait in its line, with music on hold).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.admin.flows import load_flows, rehearsal_plan, sounds_dir
from ivr.config import LoadedConfig
from ivr.rehearsal import audio, caller
from ivr.rehearsal.expect import expect
from ivr.rehearsal.run import NotReady, PathResult, Progress, Rehearsal, rehearse_path, select

MAX_LOAD = 30


async def rehearse_load(
    cfg: LoadedConfig,
    n: int,
    *,
    at: datetime | None = None,
    progress: Callable[[Progress], None] = lambda _: None,
) -> Rehearsal:
    """N calls at once, the smoke paths in turn; the same checks as one at a time."""
    if not 1 <= n <= MAX_LOAD:
        raise NotReady(f"--load {n}: from 1 to {MAX_LOAD} calls at once")
    s, r = cfg.settings, cfg.settings.rehearsal
    tz = ZoneInfo(s.hotline.timezone)
    flows = load_flows(cfg)
    now = datetime.now(tz)
    plan = rehearsal_plan(cfg, flows, at=at, base=now.replace(tzinfo=None))
    smoke = select(plan, "smoke")
    if not smoke:
        raise NotReady("the flows have no rehearsable path to load")
    expected = {}
    for path in smoke:
        moment = path.at.replace(tzinfo=tz) if path.at is not None else now
        expected[path.number] = await expect(cfg, flows, s.hotline.flow, path, r.number or "", moment)
    calls = [expected[smoke[i % len(smoke)].number] for i in range(n)]
    talks = sum(1 for e in calls if any(audio.COUNSELOR in b for b in e.bursts))
    host, port = r.counselor_contact.rsplit("@", 1)[1].rsplit(":", 1)
    phone = (
        await caller.start_counselor(host, int(port), r.talk_seconds, cfg.path.parent, talks)
        if talks
        else None
    )
    t0 = time.monotonic()
    taken: set[str] = set()
    done: list[PathResult] = []
    sounds = sounds_dir(cfg)

    async def one(slot: int) -> PathResult:
        result = await rehearse_path(
            cfg, flows, calls[slot], sounds, tz, slot=slot, taken=taken, own_phone=False
        )
        done.append(result)
        failed = sum(1 for x in done if not x.ok)
        progress(Progress(len(done), n, time.monotonic() - t0, failed, result.path.name))
        return result

    try:
        results = await asyncio.gather(*(one(i) for i in range(n)))
    finally:
        if phone is not None and phone.returncode is None:
            phone.kill()
            await phone.wait()
    return Rehearsal(plan, list(results), now, time.monotonic() - t0)
