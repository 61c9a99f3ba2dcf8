"""Every path a caller can take through the published flows, for `ivr rehearse`.

A path is what one synthetic call does: its keys (None: silence until the
node times out), the moment it calls (for schedule nodes), and what the
rehearsal counselor does in a queue. Paths cover every outcome of every node
reachable from the hotline's flow, subflows included, each by the cheapest
way there and the cheapest way to an end (waiting in silence costs its
seconds). An outcome keys alone cannot take is listed as not rehearsable,
with its node and the reason (flows/path_edges.py).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ivr.flows import model
from ivr.flows.loader import Loaded
from ivr.flows.path_edges import Edge, Key, edges, moment_for

Frames = tuple[tuple[str, str], ...]  # the subflow nodes (flow, node id) a call is inside


@dataclass(frozen=True, order=True)
class Place:
    """Where a call is: a node of a flow, inside these subflow nodes."""

    frames: Frames
    flow: str
    node: str

    @property
    def step(self) -> str:
        """The name the engine records in the call's IVR path."""
        return f"{self.flow}.{self.node}" if self.frames else self.node


@dataclass(frozen=True)
class Taken:
    place: Place
    edge: Edge
    choice: bool = False  # the node had other outcomes a call could take


@dataclass(frozen=True)
class RehearsalPath:
    """One synthetic call: its steps, keys, moment and counselor."""

    number: int
    steps: tuple[Taken, ...]
    end: Place  # the node that ends the call
    at: datetime | None = None

    @property
    def keys(self) -> list[Key]:
        return [k for t in self.steps for k in t.edge.keys]

    @property
    def counselor(self) -> str:
        parts = [t.edge.counselor for t in self.steps if t.edge.counselor]
        return parts[0] if parts else "answer"

    @property
    def ivr_path(self) -> list[str]:
        return [t.place.step for t in self.steps]

    @property
    def name(self) -> str:
        """The choices that make this path, as an admin reads them: "main_menu 1 › info_menu 2"."""
        chosen = [t for t in self.steps if t.choice or t.edge.schedule]
        return " › ".join(f"{t.place.step} {t.edge.outcome}" for t in chosen) or "(straight through)"

    def uses(self, prompt_ids: set[str], flows: Mapping[str, Loaded]) -> bool:
        """Whether a node on this path can play one of these prompts."""
        return any(set(flows[p.flow].flow.nodes[p.node].prompt_ids()) & prompt_ids for p in self.places())

    def places(self) -> Iterator[Place]:
        yield from (t.place for t in self.steps)


@dataclass(frozen=True)
class NotRehearsable:
    """An outcome no synthetic call can take, and why."""

    file: str
    node: str  # as the IVR path names it
    outcome: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}: nodes.{self.node.rpartition('.')[2]} ({self.node}) → {self.outcome}: {self.reason}"
        )


@dataclass
class Plan:
    paths: list[RehearsalPath] = field(default_factory=list)
    not_rehearsable: list[NotRehearsable] = field(default_factory=list)
    not_at_this_moment: list[str] = field(default_factory=list)  # "hours → closed" under --at


class _Walk:
    def __init__(self, flows: Mapping[str, Loaded], main: str, at: datetime | None, bookable: bool) -> None:
        self.flows = flows
        self.main = main
        self.at = at
        self.bookable = bookable
        self.plan = Plan()
        self._reported: set[tuple[str, str, str]] = set()

    def moves(self, place: Place) -> list[tuple[Edge, Place | None]]:
        """Rehearsable edges out of `place` and where each leads (None: the call ends)."""
        loaded = self.flows[place.flow]
        node = loaded.flow.nodes[place.node]
        if isinstance(node, model.SubflowNode):
            inner = self.flows[node.flow].flow
            return [(Edge("enter"), Place((*place.frames, (place.flow, place.node)), node.flow, inner.start))]
        if isinstance(node, model.ReturnNode):
            return [(Edge("return"), self._back(place.frames))]
        if node.terminal:
            return [(Edge("end"), None)]
        out: list[tuple[Edge, Place | None]] = []
        for edge in edges(place.node, node, loaded.schedules, bookable=self.bookable):
            if edge.not_rehearsable:
                self.not_rehearsable(place, edge.outcome, edge.not_rehearsable)
                continue
            if edge.schedule and self.at is not None:
                if loaded.schedules[place.node].decide(self.at).outcome != edge.schedule:
                    note = f"{place.step} → {edge.outcome}"
                    if note not in self.plan.not_at_this_moment:
                        self.plan.not_at_this_moment.append(note)
                    continue
            target = node.targets().get(edge.outcome)
            out.append((edge, Place(place.frames, place.flow, target) if target else None))
        return out

    def _back(self, frames: Frames) -> Place | None:
        if not frames:
            return None
        flow, node_id = frames[-1]
        target = self.flows[flow].flow.nodes[node_id].targets().get("done")
        return Place(frames[:-1], flow, target) if target else None

    def not_rehearsable(self, place: Place, outcome: str, reason: str) -> None:
        key = (place.flow, place.node, outcome)
        if key not in self._reported:
            self._reported.add(key)
            loaded = self.flows[place.flow]
            lines = loaded.source.splitlines()
            line = next((i for i, t in enumerate(lines, 1) if t.startswith(f"  {place.node}:")), 0)
            file = f"{loaded.path}:{line}" if line else loaded.path
            self.plan.not_rehearsable.append(NotRehearsable(file, place.step, outcome, reason))

    def cheapest(self, start: Place) -> dict[Place, tuple[float, list[Taken]]]:
        """Every place reachable from `start`: its cost and the steps there (Dijkstra)."""
        best: dict[Place, tuple[float, list[Taken]]] = {start: (0.0, [])}
        tie = itertools.count()
        todo: list[tuple[float, int, Place]] = [(0.0, next(tie), start)]
        while todo:
            cost, _, place = heapq.heappop(todo)
            if cost > best[place][0]:
                continue
            moves = self.moves(place)
            for edge, nxt in moves:
                if nxt is None:
                    continue
                c = cost + 1 + edge.seconds
                if nxt not in best or c < best[nxt][0]:
                    best[nxt] = (c, [*best[place][1], Taken(place, edge, len(moves) > 1)])
                    heapq.heappush(todo, (c, next(tie), nxt))
        return best

    def finish(self, start: Place) -> tuple[list[Taken], Place] | None:
        """The cheapest steps from `start` to a node that ends the call."""
        ends: list[tuple[float, list[Taken], Place]] = []
        for place, (cost, steps) in self.cheapest(start).items():
            moves = self.moves(place)
            for edge, nxt in moves:
                if nxt is None:
                    ends.append((cost + edge.seconds, [*steps, Taken(place, edge, len(moves) > 1)], place))
        if not ends:
            return None
        _, steps, last = min(ends, key=lambda e: (e[0], len(e[1])))
        return steps, last


def plan_paths(
    flows: Mapping[str, Loaded],
    main: str,
    *,
    at: datetime | None = None,
    base: datetime | None = None,
    bookable: bool = True,
) -> Plan:
    """The paths that take every rehearsable outcome of `main` and its subflows at least once.

    With `at`, every call rehearses at that moment (schedule outcomes of other
    moments are listed in `not_at_this_moment`); without it, each path calls
    at the first moment after `base` its schedule outcomes need. `bookable` as
    the service: whether 예약 상담 has hours (admin.flows.bookings_of).
    """
    walk = _Walk(flows, main, at, bookable)
    start = Place((), main, flows[main].flow.start)
    reached = walk.cheapest(start)
    covered: set[tuple[str, str, str]] = set()
    for place in sorted(reached, key=lambda p: (reached[p][0], p)):
        moves = walk.moves(place)
        for edge, nxt in moves:
            if (place.flow, place.node, edge.outcome) in covered:
                continue
            head = [*reached[place][1], Taken(place, edge, len(moves) > 1)]
            tail = walk.finish(nxt) if nxt is not None else ([], place)
            if tail is None:
                walk.not_rehearsable(place, edge.outcome, "no end of the call is reachable by keys from here")
                continue
            steps = head + tail[0] if nxt is not None else head
            _add(walk, steps, tail[1], at, base, covered, flows)
    return walk.plan


def _add(
    walk: _Walk,
    steps: list[Taken],
    end: Place,
    at: datetime | None,
    base: datetime | None,
    covered: set[tuple[str, str, str]],
    flows: Mapping[str, Loaded],
) -> None:
    needs = [(flows[t.place.flow].schedules[t.place.node], t.edge.schedule) for t in steps if t.edge.schedule]
    when = at
    if at is None and needs:
        when = moment_for(needs, base or datetime.now())
        if when is None:
            last = next(t for t in reversed(steps) if t.edge.schedule)
            walk.not_rehearsable(
                last.place, last.edge.outcome, "no moment within a year gives these outcomes"
            )
            return
    for t in steps:
        covered.add((t.place.flow, t.place.node, t.edge.outcome))
    n = len(walk.plan.paths) + 1
    walk.plan.paths.append(RehearsalPath(n, tuple(steps), end, when))
