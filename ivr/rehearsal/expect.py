"""What each rehearsal path should sound like, from the very engine calls run.

`flows/paths.py` plans a path from the flow's shape; the simulation then walks
it with the same engine and says what the record will hold (the IVR path) and
what the caller hears between their inputs. A plan the engine does not walk
the same way is a problem of its own, shown before any call is placed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ivr.admin.flows import simulate_loaded
from ivr.config import LoadedConfig
from ivr.flows.loader import Loaded
from ivr.flows.model import QueueNode
from ivr.flows.path_edges import Key
from ivr.flows.paths import RehearsalPath
from ivr.rehearsal.audio import COUNSELOR, HOLD


@dataclass(frozen=True)
class Expected:
    """One path as the simulation walked it."""

    path: RehearsalPath
    ivr_path: list[str]
    # Prompt ids heard before each input, and (last) to the end; HOLD and
    # COUNSELOR mark where music on hold begins and where a counselor answers.
    bursts: list[list[str]]
    inputs: list[Key]  # what the caller does after each burst but the last
    at: datetime

    @property
    def problem(self) -> str | None:
        if self.ivr_path == self.path.ivr_path:
            return None
        return f"the engine walks {' > '.join(self.ivr_path)}, the plan {' > '.join(self.path.ivr_path)}"

    @property
    def prompts(self) -> list[str]:
        return [p for burst in self.bursts for p in burst if p not in (HOLD, COUNSELOR)]


async def expect(
    cfg: LoadedConfig,
    loaded: Mapping[str, Loaded],
    main: str,
    path: RehearsalPath,
    caller: str,
    now: datetime,
) -> Expected:
    """Simulate `path` with its keys at its moment (or `now`)."""
    heard: list[tuple[str, str]] = []
    when = path.at or now
    facts = await simulate_loaded(
        cfg,
        dict(loaded),
        main,
        when,
        caller=caller,
        keys=list(path.keys),
        say=lambda _line: None,
        counselor=path.counselor,
        heard=heard,
    )
    bursts: list[list[str]] = [[]]
    inputs: list[Key] = []
    entry = _entry_prompts(loaded)
    for kind, value in heard:
        # A queue's entry prompt plays (on its own task) while a free counselor
        # already rings, and the answer cuts it (flows/nodes/line_sound.py). The
        # rehearsal counselor answers at once, so it is not heard; the
        # simulation has it just before or just after the answer.
        if kind == "prompt":
            if not (bursts[-1][-1:] == [COUNSELOR] and _sound_id(value) in entry):
                bursts[-1].append(value)
        elif kind in ("hold", "counselor"):
            if kind == "counselor" and bursts[-1] and _sound_id(bursts[-1][-1]) in entry:
                bursts[-1].pop()
            bursts[-1].append(HOLD if kind == "hold" else COUNSELOR)
        else:
            inputs.append(value or None)
            bursts.append([])
    return Expected(path, list(facts.ivr_path), bursts, inputs, when)


def _entry_prompts(loaded: Mapping[str, Loaded]) -> set[tuple[str, str]]:
    """(flow, prompt id) of every queue's entry prompt."""
    return {
        (name, node.prompt)
        for name, item in loaded.items()
        for node in item.flow.nodes.values()
        if isinstance(node, QueueNode) and node.prompt
    }


def _sound_id(sound: str) -> tuple[str, str]:
    """jeonju-flows/hotline.connecting.ko.61f5… -> (hotline, connecting)."""
    parts = sound.rsplit("/", 1)[-1].split(".")
    return (parts[0], parts[1]) if len(parts) >= 4 else ("", sound)
