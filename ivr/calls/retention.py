"""Which recordings retention lets go, and which it keeps: pure decisions.

A recording is kept while it is younger than its category's days (a call's
category, else its kind, else the default). A recording under legal hold, or
of a flagged call (abuse: the evidence a counselor may need), is never purged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetentionPolicy:
    """config.yaml's `retention`."""

    default_days: int = 90
    categories: Mapping[str, int] = field(default_factory=dict)

    def days_for(self, category: str | None, kind: str) -> tuple[int, str]:
        """How many days a recording is kept, and the rule that says so."""
        if category and category in self.categories:
            return self.categories[category], f"category {category}"
        if kind in self.categories:
            return self.categories[kind], f"category {kind}"
        return self.default_days, "default"


@dataclass(frozen=True)
class Kept:
    """What retention needs to know of one stored recording."""

    name: str
    call_id: str
    kind: str
    recorded_at: datetime
    category: str | None = None
    flagged: str | None = None  # calls.flagged, e.g. "abuse"
    legal_hold: bool = False
    hold_reason: str | None = None


@dataclass(frozen=True)
class Decision:
    purge: bool
    reason: str  # why it goes, or why it stays
    keep: str = ""  # held | flagged | young (when it stays)


def decide(recording: Kept, policy: RetentionPolicy, now: datetime) -> Decision:
    """Whether retention purges `recording` at `now`, and why."""
    if recording.legal_hold:
        return Decision(False, f"legal hold: {recording.hold_reason or 'no reason given'}", "held")
    if recording.flagged:
        return Decision(False, f"flagged call ({recording.flagged})", "flagged")
    days, rule = policy.days_for(recording.category, recording.kind)
    until = recording.recorded_at + timedelta(days=days)
    if now < until:
        return Decision(False, f"kept until {until:%Y-%m-%d %H:%M} ({days} days, {rule})", "young")
    return Decision(True, f"older than {days} days ({rule})")
