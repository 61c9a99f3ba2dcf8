"""One flow's text from an admin's editor to the service: check, publish, roll back, compare, draw.

The web desk's flow pages use these. Every step is the CLI's own (admin/flows.py):
the same loader with its file:line errors, the same versions store, diff and
drawing. A draft is judged together with the folder's other flows as they are
on disk, so what passes here is what the service will load; only a draft that
passes is written to the folder, and atomically.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.admin.flows import (
    database,
    draw,
    flows_dir,
    known,
    record_versions,
    simulate_loaded,
    version_diff,
    write_atomically,
)
from ivr.calls.simulate import parse_keys
from ivr.config import LoadedConfig
from ivr.flows.graph import to_dot
from ivr.flows.loader import Loaded, load_file
from ivr.flows.registry import flow_files, load_dir
from ivr.store import flow_versions

SIMULATION_SECONDS = 10.0  # a simulated call is instant; this only stops a runaway one


@dataclass(frozen=True)
class FlowStatus:
    """A flow file and its last publish: `differs` when the file is not the published text."""

    name: str
    version: int | None
    published_by: str | None
    published_at: str | None
    note: str | None
    differs: bool


@dataclass(frozen=True)
class Published:
    """What a publish kept: (flow, version) of every flow whose text changed, and the warnings."""

    changed: list[tuple[str, int]]
    warnings: list[str]

    def version_of(self, name: str) -> int | None:
        return next((v for flow, v in self.changed if flow == name), None)


@dataclass(frozen=True)
class Simulation:
    """What the caller would hear and do, line by line, and the path through the flow."""

    lines: list[str]
    path: list[str]
    ended: str
    topic: str | None


def names(cfg: LoadedConfig) -> list[str]:
    """The flows in the folder: the only names the desk accepts."""
    return sorted(flow_files(flows_dir(cfg)))


def path_of(cfg: LoadedConfig, name: str) -> Path:
    return flows_dir(cfg) / f"{name}.yaml"


def source(cfg: LoadedConfig, name: str) -> str:
    """The flow file's text (bytes that are not UTF-8 shown as �, for the admin to fix)."""
    return path_of(cfg, name).read_text(encoding="utf-8", errors="replace")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def statuses(cfg: LoadedConfig) -> list[FlowStatus]:
    latest = flow_versions.latest(database(cfg))
    found = []
    for name, path in flow_files(flows_dir(cfg)).items():
        row = latest.get(name)
        text = path.read_text(encoding="utf-8", errors="replace")
        found.append(
            FlowStatus(
                name,
                row["version"] if row else None,
                row["published_by"] if row else None,
                row["published_at"] if row else None,
                row["note"] if row else None,
                row is None or digest(text) != row["sha256"],
            )
        )
    return found


def versions(cfg: LoadedConfig, name: str) -> list[dict[str, Any]]:
    """Every published version of a flow, oldest first."""
    return flow_versions.versions(database(cfg), name)


def check_draft(cfg: LoadedConfig, name: str, text: str) -> dict[str, Loaded]:
    """Every flow of the folder with `text` in place of `name`'s file; FlowError if any is wrong."""
    return load_dir(flows_dir(cfg), known(cfg), drafts={name: text})


def publish_draft(cfg: LoadedConfig, name: str, text: str, who: str, note: str) -> Published:
    """Check the draft with the folder, write it, keep a version (FlowError, file untouched, if wrong).

    Like `ivr flows publish`, every flow whose text changed since its last
    publish gets a version: the service reloads the whole folder.
    """
    loaded = check_draft(cfg, name, text)
    write_atomically(path_of(cfg, name), text)
    return Published(record_versions(cfg, loaded, who, note), loaded[name].warnings)


def diff(cfg: LoadedConfig, name: str, before: int, after: int) -> list[str] | None:
    """Unified diff between two published versions (0 = empty); None if either does not exist."""
    texts = {v["version"]: v["source"] for v in versions(cfg, name)}
    texts[0] = ""
    if before not in texts or after not in texts:
        return None
    return version_diff(name, (before, texts[before]), (after, texts[after]))


def file_diff(cfg: LoadedConfig, name: str) -> tuple[int, list[str]] | None:
    """(latest version, diff from it to the file on disk); None if the flow was never published."""
    published = versions(cfg, name)
    if not published:
        return None
    latest = published[-1]
    return latest["version"], version_diff(
        name, (latest["version"], latest["source"]), ("file", source(cfg, name))
    )


def diagram_svg(cfg: LoadedConfig, name: str) -> bytes:
    """The flow file as Graphviz draws it (FlowError if the file does not load)."""
    return draw(to_dot(load_file(path_of(cfg, name), known(cfg)).flow), "svg")


async def simulate_draft(
    cfg: LoadedConfig, name: str, text: str, when: datetime, caller: str, digits: str
) -> Simulation:
    """One simulated call of the draft (FlowError if it is wrong, ValueError for bad digits)."""
    keys = parse_keys(digits)
    loaded = await asyncio.to_thread(check_draft, cfg, name, text)
    lines: list[str] = []
    # wait_for may stay (a desk request, no call): a cancel landing with the
    # result (gh-86296) only answers a browser that has gone.
    facts = await asyncio.wait_for(
        simulate_loaded(cfg, loaded, name, when, caller=caller, keys=keys, say=lines.append),
        SIMULATION_SECONDS,
    )
    return Simulation(lines, list(facts.ivr_path), facts.disposition or "", facts.topic)


def shown(cfg: LoadedConfig, problems: list[str]) -> list[str]:
    """Problem lines with the folder left out: 'hotline.yaml:12:5: ...' (the server's paths stay private)."""
    prefix = f"{flows_dir(cfg)}/"
    return [line.removeprefix(prefix) for line in problems]
