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
    for kind, value in heard:
        if kind == "prompt":
            bursts[-1].append(value)
        elif kind in ("hold", "counselor"):
            bursts[-1].append(HOLD if kind == "hold" else COUNSELOR)
        else:
            inputs.append(value or None)
            bursts.append([])
    return Expected(path, list(facts.ivr_path), bursts, inputs, when)
