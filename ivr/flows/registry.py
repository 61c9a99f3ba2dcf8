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

# flow -> (prompt id, language) -> the sound name of its published recording
Recorded = Mapping[str, Mapping[tuple[str, str], str]]


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
        self._recorded: Recorded = {}

    def swap(self, loaded: dict[str, Loaded], recorded: Recorded | None = None) -> None:
        """New flows (and, if given, the studio's recordings) for calls that start from now."""
        if self.main not in loaded:
            raise FlowError([f"no flow {self.main!r}: the hotline number needs callflows/{self.main}.yaml"])
        if recorded is not None:
            self._recorded = recorded
        self._flows = {
            name: (item, PromptBook.of(item.flow, self._recorded.get(name))) for name, item in loaded.items()
        }

    def retake(self, recorded: Recorded) -> None:
        """The same flows with the prompt studio's recordings as published now. A call in
        progress keeps the book it started with, so it keeps hearing what it heard."""
        self.swap(self.loaded(), recorded)

    def loaded(self) -> dict[str, Loaded]:
        """The flows served now, by name."""
        return {name: item for name, (item, _) in self._flows.items()}

    def snapshot(self) -> dict[str, tuple[Loaded, PromptBook]]:
        """Every flow and its prompt book as served now, for one call to keep."""
        return dict(self._flows)

    def get(self, name: str) -> tuple[Loaded, PromptBook]:
        return self._flows[name]

    def current(self) -> tuple[Loaded, PromptBook]:
        return self._flows[self.main]

    def books(self) -> list[PromptBook]:
        return [book for _, book in self._flows.values()]
