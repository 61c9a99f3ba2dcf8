"""Admin tools for the call flows: `ivr flows check | simulate | publish | history | rollback`."""

from __future__ import annotations

import asyncio
import difflib
import getpass
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.acd import build as acd_build
from ivr.acd.dispatcher import Dispatcher
from ivr.calls.simulate import parse_keys, simulate
from ivr.config import LoadedConfig, Settings
from ivr.errors import HotlineError
from ivr.flows.loader import FlowError, Known, Loaded, load_file
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import FlowRegistry, flow_files, load_dir
from ivr.flows.run import Department, FlowEnv, Queue
from ivr.pbx import tts
from ivr.ports import CallFacts
from ivr.store import flow_versions


def flows_dir(cfg: LoadedConfig) -> Path:
    return cfg.resolve(cfg.settings.hotline.flows_dir)


def known(cfg: LoadedConfig) -> Known:
    """What config.yaml and the flows folder define, for the loader's cross-checks."""
    s = cfg.settings
    return Known(
        frozenset(s.queues),
        frozenset(s.departments),
        frozenset(flow_files(flows_dir(cfg))),
        s.hotline.timezone,
    )


def load_flows(cfg: LoadedConfig) -> dict[str, Loaded]:
    """Every flow in callflows/, validated against config.yaml (FlowError if not)."""
    return load_dir(flows_dir(cfg), known(cfg))


def publish_prompts(cfg: LoadedConfig, loaded: Mapping[str, Loaded]) -> int:
    """Render every flow prompt to telephone audio where Asterisk plays it from."""
    from ivr.pbx import embedded
    from ivr.pbx.render import write_flow_prompts

    a = cfg.settings.asterisk
    if a.embedded:
        sounds = embedded.instance_for(cfg).root / "usr/share/asterisk/sounds"
    elif a.sounds_dir:
        sounds = cfg.resolve(a.sounds_dir)
    else:
        return 0
    recorded = cfg.path.parent / "prompts" / "recorded"
    return sum(write_flow_prompts(PromptBook.of(item.flow), sounds, recorded) for item in loaded.values())


def check(cfg: LoadedConfig, files: list[str], render: bool = True) -> int:
    """Validate flow files (all of callflows/ by default); render their prompts."""
    paths = [Path(f) for f in files] or list(flow_files(flows_dir(cfg)).values())
    cross = known(cfg)
    errors = 0
    books = []
    for path in paths:
        try:
            loaded = load_file(path, cross)
        except FlowError as exc:
            errors += len(exc.problems)
            for line in exc.problems:
                print(line)
            continue
        for line in loaded.warnings:
            print(line)
        books.append(PromptBook.of(loaded.flow))
        print(f"{path}: OK ({len(loaded.flow.nodes)} nodes, {len(loaded.flow.prompts)} prompts)")
    if errors:
        print(f"{errors} error(s)", file=sys.stderr)
        return 1
    if render:
        texts = {(s.text, s.language) for b in books for s in b.sounds.values() if s.text}
        for i, (text, lang) in enumerate(sorted(texts), 1):
            tts.render(text, lang)
            if sys.stdout.isatty():
                print(f"\rrendering prompts: {i}/{len(texts)}", end="", flush=True)
        print(f"{len(texts)} prompts rendered (cached)" + (" " * 10 if sys.stdout.isatty() else ""))
    return 0


def env_of(cfg: LoadedConfig, registry: FlowRegistry, now: Callable[[], datetime]) -> FlowEnv:
    """What the engine gives the nodes, from config.yaml: the same for calls and simulations."""
    s = cfg.settings
    return FlowEnv(
        now=now,
        ring_seconds=s.ivr.ring_timeout_seconds,
        queues={q: Queue(q, s.queue_members(q)) for q in s.queues},
        departments={d: Department(v.name, v.endpoint) for d, v in s.departments.items()},
        subflows=registry.get,
    )


async def simulate_loaded(
    cfg: LoadedConfig,
    loaded: dict[str, Loaded],
    flow: str,
    when: datetime,
    *,
    caller: str,
    keys: list[str | None],
    say: Callable[[str], None],
    counselor: str = "answer",
    repeat: bool = False,
    strikes: int = 0,
) -> CallFacts:
    """One simulated call of `flow` among `loaded` at `when`: the CLI's and the web desk's."""
    registry = FlowRegistry(flow)
    registry.swap(loaded)
    return await simulate(
        registry,
        env_of(cfg, registry, lambda: when),
        _simulated_counselors(cfg.settings),
        caller=caller,
        keys=keys,
        say=say,
        counselor=counselor,
        repeat=repeat,
        strikes=strikes,
    )


def run_simulation(
    cfg: LoadedConfig,
    flow: str,
    at: str | None,
    caller: str,
    digits: str,
    counselor: str = "answer",
    repeat: bool = False,
    strikes: int = 0,
) -> int:
    s = cfg.settings
    tz = ZoneInfo(s.hotline.timezone)
    try:
        when = datetime.fromisoformat(at).replace(tzinfo=tz) if at else datetime.now(tz)
    except ValueError:
        raise HotlineError(f"--at {at!r}: use a date and time such as '2026-09-25 10:00'") from None
    try:
        keys = parse_keys(digits)
    except ValueError as exc:
        raise HotlineError(f"--digits: {exc}") from None
    print(f"simulating {flow} at {when:%Y-%m-%d %H:%M (%a)} from {caller}, keys {digits or '(none)'}")
    facts = asyncio.run(
        simulate_loaded(
            cfg,
            load_flows(cfg),
            flow,
            when,
            caller=caller,
            keys=keys,
            say=print,
            counselor=counselor,
            repeat=repeat,
            strikes=strikes,
        )
    )
    print(f"path: {' > '.join(facts.ivr_path)}")
    print(f"ended: {facts.disposition}" + (f", topic {facts.topic}" if facts.topic else ""))
    return 0


def _simulated_counselors(s: Settings) -> Dispatcher:
    """Every counselor logged in and free, with no wrap-up: the simulation's line."""
    acd = acd_build.dispatcher(
        s.model_copy(update={"acd": s.acd.model_copy(update={"wrap_up_seconds": 0})}), time.monotonic
    )
    acd.login_all()
    return acd


def database(cfg: LoadedConfig) -> Path:
    return cfg.resolve(cfg.settings.storage.database)


def record_versions(
    cfg: LoadedConfig, loaded: Mapping[str, Loaded], who: str, note: str
) -> list[tuple[str, int]]:
    """Keep a version of every flow whose text changed since its last publish."""
    return flow_versions.record(database(cfg), {n: item.source for n, item in loaded.items()}, who, note)


def write_atomically(path: Path, text: str) -> None:
    """Replace a flow file in one step: a reload never reads half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def version_diff(flow: str, before: tuple[int | str, str], after: tuple[int | str, str]) -> list[str]:
    """Unified diff lines from (version, text) `before` to `after`; a version may be a word ("file")."""

    def label(version: int | str) -> str:
        return f"{flow} v{version}" if isinstance(version, int) else f"{flow} ({version})"

    return list(
        difflib.unified_diff(
            before[1].splitlines(keepends=True),
            after[1].splitlines(keepends=True),
            label(before[0]),
            label(after[0]),
        )
    )


def draw(dot: str, fmt: str = "svg") -> bytes:
    """DOT text drawn by Graphviz's `dot` in `fmt` (svg, png, pdf)."""
    import shutil
    import subprocess

    if not shutil.which("dot"):
        raise HotlineError("Graphviz is missing: apt-get install graphviz (or write -o flow.dot)")
    result = subprocess.run(["dot", f"-T{fmt}"], input=dot.encode(), capture_output=True, timeout=60)
    if result.returncode != 0:
        raise HotlineError(f"dot failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def publish(cfg: LoadedConfig, by: str | None, note: str) -> int:
    """Validate every flow, render prompts, keep a version, tell the service."""
    loaded = load_flows(cfg)
    count = publish_prompts(cfg, loaded)
    who = by or os.environ.get("SUDO_USER") or getpass.getuser()
    changed = record_versions(cfg, loaded, who, note)
    for name, version in changed:
        print(f"published {name} version {version} (by {who})")
    if not changed:
        print("no flow changed since the last publish")
    print(f"{count} prompts in place")
    _notify(cfg)
    return 0


def history(cfg: LoadedConfig, flow: str, diff: int | None) -> int:
    db = cfg.resolve(cfg.settings.storage.database)
    versions = flow_versions.versions(db, flow)
    if not versions:
        print(f"{flow}: never published")
        return 1
    if diff is None:
        for v in versions:
            print(f"v{v['version']:<4} {v['published_at']}  {v['published_by']:<12} {v['note'] or ''}")
        return 0
    by_number = {v["version"]: v for v in versions}
    if diff not in by_number:
        raise HotlineError(f"{flow} has no version {diff}")
    before = by_number.get(diff - 1, {"source": ""})["source"]
    sys.stdout.writelines(version_diff(flow, (diff - 1, before), (diff, by_number[diff]["source"])))
    return 0


def rollback(cfg: LoadedConfig, flow: str, by: str | None) -> int:
    """Put the previous version back in callflows/ and publish it."""
    db = cfg.resolve(cfg.settings.storage.database)
    versions = flow_versions.versions(db, flow)
    if len(versions) < 2:
        raise HotlineError(f"{flow}: there is no earlier version to roll back to")
    previous = versions[-2]
    path = flows_dir(cfg) / f"{flow}.yaml"
    # An old version may no longer fit config.yaml: refuse it before the file changes.
    load_dir(flows_dir(cfg), known(cfg), drafts={flow: previous["source"]})
    write_atomically(path, previous["source"])
    print(f"{flow}: restored version {previous['version']} into {path}")
    return publish(cfg, by, f"rollback to v{previous['version']}")


def graph(cfg: LoadedConfig, flow: str, out: str) -> int:
    """Draw a flow with Graphviz; `-o x.dot` writes the DOT text itself."""
    from ivr.flows.graph import to_dot

    loaded = load_file(flows_dir(cfg) / f"{flow}.yaml", known(cfg))
    dot = to_dot(loaded.flow)
    target = Path(out)
    if target.suffix == ".dot":
        target.write_text(dot, encoding="utf-8")
    else:
        target.write_bytes(draw(dot, target.suffix.lstrip(".") or "svg"))
    print(f"{flow}: {len(loaded.flow.nodes)} nodes drawn into {target}")
    return 0


def _notify(cfg: LoadedConfig) -> None:
    pid_file = cfg.resolve(cfg.settings.storage.state_dir) / "ivr.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        print("the service is not running: it takes these flows when it starts")
        return
    print(f"the running service (pid {pid}) takes the new flows for new calls")
