"""The flows the service answers with, swapped whole on publish.

A call keeps the FlowRun it started with, so a publish never changes a call
in progress; only calls that start afterwards see the new version.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path

from ivr.flows.loader import FlowError, Known, Loaded, load_file, load_text
from ivr.flows.promptbook import PromptBook

log = logging.getLogger(__name__)


def flow_files(flows_dir: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(flows_dir.glob("*.yaml"))}


def load_dir(flows_dir: Path, known: Known, drafts: Mapping[str, str] | None = None) -> dict[str, Loaded]:
    """Every flow in the folder, or FlowError listing every problem of every file.

    drafts: flow name -> text to check in place of that file (an admin's edit
    not yet written), so it is judged with the folder as the service loads it.
    """
    files = flow_files(flows_dir)
    known = dataclasses.replace(known, flows=frozenset(files))
    loaded: dict[str, Loaded] = {}
    problems: list[str] = []
    for name, path in files.items():
        try:
            if drafts is not None and name in drafts:
                loaded[name] = load_text(drafts[name], str(path), known)
            else:
                loaded[name] = load_file(path, known)
        except FlowError as exc:
            problems.extend(exc.problems)
            continue
        if loaded[name].flow.flow != name:
            problems.append(f"{path}:1:1: flow: the name {loaded[name].flow.flow!r} must match the file name")
    if problems:
        raise FlowError(problems)
    return loaded


class FlowRegistry:
    """Holds the current flows and their prompt books."""

    def __init__(self, main: str) -> None:
        self.main = main
        self._flows: dict[str, tuple[Loaded, PromptBook]] = {}

    def swap(self, loaded: dict[str, Loaded]) -> None:
        if self.main not in loaded:
            raise FlowError([f"no flow {self.main!r}: the hotline number needs callflows/{self.main}.yaml"])
        self._flows = {name: (item, PromptBook.of(item.flow)) for name, item in loaded.items()}

    def get(self, name: str) -> tuple[Loaded, PromptBook]:
        return self._flows[name]

    def current(self) -> tuple[Loaded, PromptBook]:
        return self._flows[self.main]

    def books(self) -> list[PromptBook]:
        return [book for _, book in self._flows.values()]
