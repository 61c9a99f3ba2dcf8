"""`ivr flows check | simulate | publish | history | rollback | graph`: what they print.

The work is ivr/admin/flows.py's, shared with the service and the desk.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.admin import goal_times
from ivr.admin.flows import (
    draw,
    flows_dir,
    known,
    load_flows,
    notify_service,
    publish_folder,
    restore_previous,
    simulate_loaded,
    version_diff,
)
from ivr.calls.simulate import parse_keys
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.flows.loader import FlowError, load_file
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import flow_files
from ivr.pbx import tts
from ivr.store import audit, flow_versions


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
        if not files:  # the whole folder: subflows are known, seconds can be added up
            for line in goal_times.budget_warnings(cfg, load_flows(cfg)):
                print(line)
    return 0


def run_simulation(
    cfg: LoadedConfig,
    flow: str,
    at: str | None,
    caller: str,
    digits: str,
    counselor: str = "answer",
    repeat: bool = False,
    strikes: int = 0,
    case: str | None = None,
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
            case=case,
        )
    )
    flows = load_flows(cfg)
    if flow in flows:
        for line in goal_times.lines(*goal_times.goal_paths(cfg, flows, flow)):
            print(line)
    print(f"path: {' > '.join(facts.ivr_path)}")
    print(f"ended: {facts.disposition}" + (f", topic {facts.topic}" if facts.topic else ""))
    return 0


def publish(cfg: LoadedConfig, by: str | None, note: str) -> int:
    """Validate every flow, render prompts, keep a version, tell the service."""
    who = by or audit.os_user()
    changed, count = publish_folder(cfg, who, note)
    for name, version in changed:
        print(f"published {name} version {version} (by {who})")
    if not changed:
        print("no flow changed since the last publish")
    print(f"{count} prompts in place")
    _notify(cfg)
    return 0


def history(cfg: LoadedConfig, flow: str, diff: int | None) -> int:
    db = cfg.database()
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
    version, path = restore_previous(cfg, flow)
    print(f"{flow}: restored version {version} into {path}")
    return publish(cfg, by, f"rollback to v{version}")


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
    pid = notify_service(cfg)
    if pid is None:
        print("the service is not running: it takes these flows when it starts")
        return
    print(f"the running service (pid {pid}) takes the new flows for new calls")
