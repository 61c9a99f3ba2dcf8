"""The call flows of config.yaml's folder: load and cross-check them, render their
prompts, simulate a call, keep published versions, tell the service.

Shared by `ivr flows` (ivr/cli/flows.py), the service (ivr/app.py) and the
desk's flow pages (drafts.py).
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from ivr.acd.dispatcher import Dispatcher
from ivr.admin import acd_setup
from ivr.calls.booking import BookingRules
from ivr.calls.callback_plan import CallbackRules
from ivr.calls.simulate import simulate
from ivr.config import LoadedConfig, Settings
from ivr.config.telephony import QueueSettings
from ivr.errors import HotlineError
from ivr.flows.loader import FlowError, Known, Loaded, load_text
from ivr.flows.paths import Plan, plan_paths
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import FlowRegistry, flow_files, load_dir
from ivr.flows.run import Department, FlowEnv, Queue
from ivr.kb.lifecycle import ArticleStatus
from ivr.kb.speech import spoken
from ivr.ports import CallFacts
from ivr.protection.call_length import LengthLimit
from ivr.store import flow_versions, kb_articles
from ivr.store.desk_schema import transaction

log = logging.getLogger(__name__)


def flows_dir(cfg: LoadedConfig) -> Path:
    return cfg.resolve(cfg.settings.hotline.flows_dir)


def known(cfg: LoadedConfig) -> Known:
    """What config.yaml, the flows folder and the knowledge base define, for the loader's cross-checks."""
    s = cfg.settings
    published, unpublished = article_texts(cfg)
    return Known(
        frozenset(s.queues),
        frozenset(s.departments),
        frozenset(flow_files(flows_dir(cfg))),
        s.hotline.timezone,
        articles=published,
        unpublished=unpublished,
    )


def article_texts(cfg: LoadedConfig) -> tuple[dict[str, dict[str, str]], frozenset[str]]:
    """What `kb:` prompts may read: each published article as spoken text per language, and the
    slugs of the others.

    Its valid-until date is not applied here: an article that expires while a
    flow reads it must not keep the hotline from loading its flows at the next
    start (the editor's Check names the expiry; the desk stops offering it)."""
    with transaction(database(cfg)) as db:
        versions = kb_articles.list_articles(db, status=ArticleStatus.PUBLISHED)
        every = {v.slug for v in kb_articles.list_articles(db)}
    published = {v.slug: spoken(v.article) for v in versions}
    return published, frozenset(every - set(published))


def load_flows(cfg: LoadedConfig) -> dict[str, Loaded]:
    """Every flow in callflows/, validated against config.yaml (FlowError if not)."""
    return load_dir(flows_dir(cfg), known(cfg))


def sounds_dir(cfg: LoadedConfig) -> Path | None:
    """Where Asterisk plays prompts from, as seen from here (None: not known)."""
    from ivr.pbx import embedded

    a = cfg.settings.asterisk
    if a.embedded:
        return embedded.instance_for(cfg).root / "usr/share/asterisk/sounds"
    return cfg.resolve(a.sounds_dir) if a.sounds_dir else None


def recorded_dir(cfg: LoadedConfig) -> Path:
    """A city's own recordings (prompts/recorded/<lang>/<id>.wav) beside config.yaml."""
    return cfg.path.parent / "prompts" / "recorded"


def publish_prompts(cfg: LoadedConfig, loaded: Mapping[str, Loaded]) -> int:
    """Render every flow prompt to telephone audio where Asterisk plays it from."""
    from ivr.pbx.render import write_flow_prompts

    sounds = sounds_dir(cfg)
    if sounds is None:
        return 0
    recorded = recorded_dir(cfg)
    return sum(write_flow_prompts(PromptBook.of(item.flow), sounds, recorded) for item in loaded.values())


def callback_rules(s: Settings) -> CallbackRules:
    """When and how often citizens are called back, from config.yaml `callbacks`."""
    cb = s.callbacks
    return CallbackRules(
        max_attempts=cb.max_attempts,
        retry_after=timedelta(minutes=cb.retry_minutes),
        start=dt_time.fromisoformat(cb.hours_start),
        end=dt_time.fromisoformat(cb.hours_end),
        weekdays_only=cb.weekdays_only,
    )


def booking_rules(s: Settings) -> BookingRules:
    return BookingRules(capacity=s.callbacks.slot_capacity, days=s.callbacks.booking_days)


def env_of(cfg: LoadedConfig, registry: FlowRegistry, now: Callable[[], datetime]) -> FlowEnv:
    """What the engine gives the nodes, from config.yaml: the same for calls and simulations."""
    s = cfg.settings
    return FlowEnv(
        now=now,
        ring_seconds=s.ivr.ring_timeout_seconds,
        queues={q: Queue(q, s.queue_members(q), length_limit(v)) for q, v in s.queues.items()},
        departments={d: Department(v.name, v.endpoint) for d, v in s.departments.items()},
        subflows=registry.get,
        exempt_topics=frozenset(s.protection.exempt_topics),
        strike_expiry_days=s.protection.strike_expiry_days,
    )


def length_limit(queue: QueueSettings) -> LengthLimit:
    """A queue's call-length limit in the timer's seconds."""
    return LengthLimit(
        warn_after=queue.warn_after_minutes * 60,
        end_after=queue.end_after_minutes * 60,
        extend_by=queue.extend_minutes * 60,
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
    heard: list[tuple[str, str]] | None = None,
    case: str | None = None,
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
        booking=bookings_of(cfg.settings),
        heard=heard,
        case=case,
    )


def bookings_of(s: Settings) -> tuple[CallbackRules, BookingRules] | None:
    """The rules 예약 상담 books by, or None where it cannot book: the service offers
    hours only where citizens can be called back at all (a trunk to dial out on)."""
    if not s.asterisk.trunk.dial:
        return None
    return callback_rules(s), booking_rules(s)


def rehearsal_plan(
    cfg: LoadedConfig, loaded: Mapping[str, Loaded], *, at: datetime | None, base: datetime
) -> Plan:
    """The paths `ivr rehearse` calls through the hotline's flow, planned as the
    service would walk them (예약 상담 has hours only with a trunk to call back on)."""
    bookable = bookings_of(cfg.settings) is not None
    return plan_paths(loaded, cfg.settings.hotline.flow, at=at, base=base, bookable=bookable)


def _simulated_counselors(s: Settings) -> Dispatcher:
    """Every counselor logged in and free, with no wrap-up: the simulation's line."""
    acd = acd_setup.dispatcher(
        s.model_copy(update={"acd": s.acd.model_copy(update={"wrap_up_seconds": 0})}), time.monotonic
    )
    acd.login_all()
    return acd


def database(cfg: LoadedConfig) -> Path | str:
    return cfg.database()


def record_versions(
    cfg: LoadedConfig, loaded: Mapping[str, Loaded], who: str, note: str
) -> list[tuple[str, int]]:
    """Keep a version of every flow whose text changed since its last publish."""
    return flow_versions.record(database(cfg), {n: item.source for n, item in loaded.items()}, who, note)


ADOPTED_BY = "ivr serve"
ADOPTED_NOTE = (
    "게시 기록 없이 서비스 중이던 파일을 버전 1로 등록 · adopted: the file serving calls, never published"
)


def adopt_serving(cfg: LoadedConfig, loaded: Mapping[str, Loaded]) -> list[tuple[str, int]]:
    """Flows serving calls that were never published (copied in by hand, or from before the
    desk): kept as version 1, so /flows shows what is live and a rollback has a base."""
    published = flow_versions.latest(database(cfg))
    never = {n: item.source for n, item in loaded.items() if n not in published}
    return flow_versions.record(database(cfg), never, ADOPTED_BY, ADOPTED_NOTE) if never else []


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


def publish_folder(cfg: LoadedConfig, who: str, note: str) -> tuple[list[tuple[str, int]], int]:
    """Validate every flow, render its prompts, keep a version of each changed one.

    Returns (flow, version) of every flow that changed and the count of prompts
    in place. FlowError, nothing kept, if any flow is wrong.
    """
    loaded = load_flows(cfg)
    count = publish_prompts(cfg, loaded)
    return record_versions(cfg, loaded, who, note), count


def restore_previous(cfg: LoadedConfig, flow: str) -> tuple[int, Path]:
    """Put the version before the last published one back in callflows/: (its number, the file).

    HotlineError if there is none; FlowError, file untouched, if it no longer fits config.yaml.
    """
    db = cfg.database()
    versions = flow_versions.versions(db, flow)
    if len(versions) < 2:
        raise HotlineError(f"{flow}: there is no earlier version to roll back to")
    previous = versions[-2]
    path = flows_dir(cfg) / f"{flow}.yaml"
    # An old version may no longer fit config.yaml: refuse it before the file changes.
    load_dir(flows_dir(cfg), known(cfg), drafts={flow: previous["source"]})
    write_atomically(path, previous["source"])
    return previous["version"], path


def notify_service(cfg: LoadedConfig) -> int | None:
    """SIGHUP the running service so it takes the flows on disk for new calls: its pid, or None."""
    pid_file = cfg.resolve(cfg.settings.storage.state_dir) / "ivr.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        return None
    return pid


def flows_to_serve(cfg: LoadedConfig) -> dict[str, Any]:
    """The flows on disk; if they are broken, the last published ones.

    An admin's half-finished edit must not keep the hotline from starting
    (callers would only hear the fallback prompt): the last version that
    passed `ivr flows publish` serves until the files are fixed.
    """
    try:
        return load_flows(cfg)
    except FlowError as exc:
        published = flow_versions.latest(cfg.database())
        if cfg.settings.hotline.flow not in published:
            raise
        k = dataclasses.replace(known(cfg), flows=frozenset(published))
        try:
            loaded = {
                name: load_text(row["source"], f"{name}.yaml (published v{row['version']})", k)
                for name, row in published.items()
            }
        except FlowError:
            raise exc from None
        log.error(
            "callflows/ has errors; serving the last published flows (%s) until they are fixed:\n%s",
            ", ".join(f"{n} v{r['version']}" for n, r in sorted(published.items())),
            "\n".join(exc.problems),
        )
        return loaded
