"""`ivr rehearse`: one synthetic call per path against the running hotline, each checked.

For each path (flows/paths.py) the simulation says what the record will hold
and what the caller hears (rehearsal/expect.py); a real call through the
trunk then walks it (rehearsal/caller.py), and the checks compare: the IVR
path the hotline recorded, every prompt heard (rehearsal/audio.py), and the
time from answer to the path's goal (a counselor answering, or the end).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.admin.flows import load_flows, rehearsal_plan, sounds_dir
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.flows.loader import Loaded
from ivr.flows.paths import Plan, RehearsalPath
from ivr.flows.promptbook import PIECE_SPEAKERS
from ivr.rehearsal import audio, caller
from ivr.rehearsal.expect import Expected, expect
from ivr.store.rehearsal_calls import closed_calls_since


class NotReady(HotlineError):
    """The hotline, or the rehearsal's configuration, is not there: exit code 2."""


@dataclass
class PathResult:
    """One rehearsed path and what its checks found."""

    path: RehearsalPath
    expected: Expected
    recorded: list[str] | None = None
    heard: list[tuple[str, str, audio.Heard]] = field(default_factory=list)  # (prompt id, node, heard)
    goal_seconds: float | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    elapsed: float
    failures: int
    name: str


@dataclass
class Rehearsal:
    plan: Plan
    results: list[PathResult]
    started: datetime
    seconds: float

    @property
    def failed(self) -> list[PathResult]:
        return [r for r in self.results if not r.ok]


def preflight(cfg: LoadedConfig) -> None:
    """NotReady when rehearsal is off, the hotline is not running, or SIPp is missing."""
    s = cfg.settings
    if s.rehearsal.number is None:
        raise NotReady(
            "rehearsal.number is not set in config.yaml: give the synthetic callers' number "
            "(docs/rehearsal.md), then restart `ivr serve` so the hotline knows it"
        )
    caller.sipp_path()
    url = f"http://{s.web.listen}:{s.web.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            health = json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        health = json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, OSError) as exc:
        raise NotReady(f"the hotline is not running ({url}: {exc}); start it with `ivr serve`") from None
    if not health.get("app_registered"):
        raise NotReady(f"the hotline is not answering calls ({url}: {health})")


def select(plan: Plan, which: str) -> list[RehearsalPath]:
    """All paths; `smoke`: one self-service path, one counselor path, one after-hours
    path; or the paths numbered as `--list` numbers them ("6", "3,6,7")."""
    if which == "all":
        return plan.paths
    if which != "smoke":
        numbers = path_numbers(which)
        if numbers is None or not all(1 <= n <= len(plan.paths) for n in numbers):
            raise NotReady(
                f"--paths {which}: give all, smoke or path numbers from 1 to {len(plan.paths)}"
                " as `ivr rehearse --list` shows them, like 6 or 3,6,7"
            )
        return [plan.paths[n - 1] for n in numbers]
    picks: list[RehearsalPath] = []
    tests: list[Callable[[RehearsalPath], bool]] = [
        lambda p: p.counselor == "answer" and not _reaches_queue(p) and not _closed(p),
        lambda p: _reaches_queue(p),
        lambda p: _closed(p),
    ]
    for test in tests:
        found = next((p for p in plan.paths if test(p) and p not in picks), None)
        if found is not None:
            picks.append(found)
    return picks


def path_numbers(which: str) -> list[int] | None:
    """ "3,6,7" -> [3, 6, 7] (each once, in order given); None if it is not such a list."""
    parts = [w.strip() for w in which.split(",")]
    if not parts or not all(w.isdigit() for w in parts):
        return None
    return list(dict.fromkeys(int(w) for w in parts))


def _reaches_queue(p: RehearsalPath) -> bool:
    return any(t.edge.outcome == "completed" and t.edge.counselor for t in p.steps)


def _closed(p: RehearsalPath) -> bool:
    return any(t.edge.schedule in ("closed", "holiday") for t in p.steps)


async def rehearse(
    cfg: LoadedConfig,
    *,
    at: datetime | None = None,
    which: str = "all",
    progress: Callable[[Progress], None] = lambda _: None,
) -> Rehearsal:
    """Plan, simulate and place every path's call, one at a time."""
    s = cfg.settings
    tz = ZoneInfo(s.hotline.timezone)
    flows = load_flows(cfg)
    now = datetime.now(tz)
    plan = rehearsal_plan(cfg, flows, at=at, base=now.replace(tzinfo=None))
    chosen = select(plan, which)
    sounds = sounds_dir(cfg)
    started, t0 = now, time.monotonic()
    results: list[PathResult] = []
    for n, path in enumerate(chosen, 1):
        progress(Progress(n - 1, len(chosen), time.monotonic() - t0, len(results) - _ok(results), path.name))
        moment = path.at.replace(tzinfo=tz) if path.at is not None else now
        expected = await expect(cfg, flows, s.hotline.flow, path, s.rehearsal.number or "", moment)
        results.append(await rehearse_path(cfg, flows, expected, sounds, tz))
    progress(Progress(len(chosen), len(chosen), time.monotonic() - t0, len(results) - _ok(results), "done"))
    return Rehearsal(plan, results, started, time.monotonic() - t0)


def _ok(results: list[PathResult]) -> int:
    return sum(1 for r in results if r.ok)


async def rehearse_path(
    cfg: LoadedConfig,
    flows: Mapping[str, Loaded],
    expected: Expected,
    sounds: Path | None,
    tz: ZoneInfo,
    *,
    slot: int = 0,
    taken: set[str] | None = None,
    own_phone: bool = True,
) -> PathResult:
    """One path's call (on ports `slot` pairs above the configured ones), checked."""
    s, r = cfg.settings, cfg.settings.rehearsal
    result = PathResult(expected.path, expected)
    if expected.problem:
        result.failures.append(f"not placed: {expected.problem}")
        return result
    envelopes = {p: _envelope(sounds, p) for p in expected.prompts}
    bursts = [[p for p in b if p not in (audio.HOLD, audio.COUNSELOR)] for b in expected.bursts]
    seconds = [sum(len(envelopes[p] or []) * 0.02 for p in b) for b in bursts]
    after_talk = [
        sum(len(envelopes[p] or []) * 0.02 for p in b[b.index(audio.COUNSELOR) + 1 :])
        if audio.COUNSELOR in b
        else None
        for b in expected.bursts
    ]
    waits = sum(t.edge.seconds for t in expected.path.steps)
    counselor_host, counselor_port = r.counselor_contact.rsplit("@", 1)[1].rsplit(":", 1)
    phone = None
    if own_phone and any(p == audio.COUNSELOR for b in expected.bursts for p in b):
        phone = await caller.start_counselor(
            counselor_host, int(counselor_port), r.talk_seconds, cfg.path.parent
        )
    since = datetime.now(tz) - timedelta(seconds=1)
    at = expected.path.at.strftime("%Y-%m-%d %H:%M") if expected.path.at else None
    try:
        heard = await caller.place_call(
            number=r.number or "",
            host=s.asterisk.trunk.match[0],
            sip_port=r.caller_sip_port + 2 * slot,
            rtp_port=r.caller_rtp_port + 2 * slot,
            target=f"{s.asterisk.sip_address}:{s.asterisk.sip_port}",
            dialed=s.hotline.number,
            inputs=expected.inputs,
            expected_audio=seconds,
            after_talk=after_talk,
            at=at,
            wait_seconds=sum(seconds) + waits + 60,
        )
    finally:
        if phone is not None and phone.returncode is None:
            phone.kill()
            await phone.wait()
    record = await _record(
        cfg.resolve(r.database),
        r.number or "",
        since,
        expected.ivr_path,
        taken if taken is not None else set(),
    )
    judge(result, flows, expected, heard, envelopes, record)
    return result


def _envelope(sounds: Path | None, prompt: str) -> list[float] | None:
    if sounds is None:
        return None
    path = sounds / f"{prompt}.wav"
    return audio.wav_frames(path) if path.is_file() else None


async def _record(
    db: Path, number: str, since: datetime, walked: list[str], taken: set[str]
) -> dict[str, object] | None:
    """The call's record: the service closes it just after the hangup. Calls at
    once (`--load`) share a number: a record not yet taken that walked this
    path is this call's; failing that, after a while, any not yet taken."""
    for attempt in range(50):
        rows = [r for r in closed_calls_since(db, number, since) if r["id"] not in taken]
        mine = next((r for r in rows if str(r.get("ivr_path")) == " > ".join(walked)), None)
        if mine is None and attempt == 49 and rows:
            mine = rows[0]
        if mine is not None:
            taken.add(str(mine["id"]))
            return mine
        await asyncio.sleep(0.1)
    return None


def judge(
    result: PathResult,
    flows: Mapping[str, Loaded],
    expected: Expected,
    heard: caller.Heard,
    envelopes: Mapping[str, list[float] | None],
    record: Mapping[str, object] | None,
) -> None:
    """Check one rehearsed call against its simulation: the recorded path, every prompt
    heard (each failing one named with the node it plays at), SIPp's end; into `result`."""
    if record is None:
        result.failures.append(
            "the hotline kept no record of the call (is rehearsal.number the same in its config?)"
        )
    else:
        result.recorded = [p for p in str(record.get("ivr_path") or "").split(" > ") if p]
        if result.recorded != expected.ivr_path:
            recorded, simulated = " > ".join(result.recorded), " > ".join(expected.ivr_path)
            result.failures.append(f"recorded path {recorded} differs from the simulated {simulated}")
        answered, goal = record.get("answered_at"), record.get("connected_at") or record.get("ended_at")
        if isinstance(answered, str) and isinstance(goal, str):
            result.goal_seconds = (
                datetime.fromisoformat(goal) - datetime.fromisoformat(answered)
            ).total_seconds()
    for k, burst in enumerate(expected.bursts):
        received = heard.bursts[k] if k < len(heard.bursts) else []
        checked = audio.check_burst(received, [(p, envelopes.get(p)) for p in burst])
        for h in checked:
            node = _node_of(h.prompt, expected.path, flows)
            result.heard.append((h.prompt, node, h))
            if h.problem:
                result.failures.append(f"prompt {_prompt_id(h.prompt)} at node {node}: {h.problem}")
    if heard.sipp_exit not in (0, None):
        result.failures.append(f"SIPp ended with {heard.sipp_exit}: {heard.sipp_errors.strip()[-300:]}")


def _prompt_id(sound: str) -> str:
    """jeonju-flows/hotline.greeting.ko.61f5… -> hotline.greeting (ko)."""
    parts = sound.rsplit("/", 1)[-1].split(".")
    return f"{parts[0]}.{parts[1]} ({parts[2]})" if len(parts) >= 4 else sound


def _node_of(sound: str, path: RehearsalPath, flows: Mapping[str, Loaded]) -> str:
    """The step of `path` that plays `sound`: the node whose prompt it is, or for a
    piece every flow shares (slot.key_1, digit.3) the node of the type that says it."""
    parts = sound.rsplit("/", 1)[-1].split(".")
    if len(parts) < 4:
        return "?"
    flow, prompt = parts[0], parts[1]
    speakers = PIECE_SPEAKERS.get(flow, ()) if flow not in flows else ()
    for place in path.places():
        node = flows[place.flow].flow.nodes[place.node]
        if isinstance(node, speakers) or (place.flow == flow and prompt in node.prompt_ids()):
            return place.step
    return "?"
