"""The queue's figures: offered, answered, abandoned, service level, speed of answer.

Every formula is in docs/metrics.md. The two service levels are app_queue's
(apps/app_queue.c, `queue show`'s SL and SL2):

    servicelevelperf  = callscompletedinsl / callscompleted
    servicelevelperf2 = (callsabandonedinsl + callscompletedinsl) / (callsabandoned + callscompleted)

where "in SL" means waited ≤ T (app_queue: `(now - qe->start) <= servicelevel`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr.reports.visits import Conversation, Visit


@dataclass(frozen=True)
class Rules:
    """What the figures count against (config.yaml `reports`)."""

    short_abandon_seconds: float = 5.0
    service_level_seconds: float = 20.0
    service_level_target: float = 0.8
    repeat_days: int = 7


@dataclass(frozen=True)
class QueueFigures:
    """One group's figures. Seconds throughout; None where the denominator is zero."""

    offered: int
    answered: int
    abandoned: int  # after waiting at least the short-abandon threshold
    short_abandoned: int  # hung up within the threshold: reported apart
    left: int  # exit_timeout, exit_empty or exit_key: the flow took them elsewhere
    waiting: int  # no outcome yet (still in line, or the call's end was lost)
    service_level: float | None  # answered within T / answered
    service_level_with_abandons: (
        float | None
    )  # (answered within T + abandoned within T) / (answered + abandoned)
    abandon_rate: float | None  # abandoned / (offered - short abandoned)
    average_answer_seconds: float | None
    longest_wait_seconds: float | None
    handled: int  # conversations (callbacks included)
    average_handle_seconds: float | None  # (talk + hold + wrap-up) / handled
    average_talk_seconds: float | None
    average_hold_seconds: float | None
    average_wrap_up_seconds: float | None
    occupancy: float | None = None  # filled in where counselor time can be attributed


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom else None


def queue_figures(
    stays: Iterable[Visit], talks: Iterable[Conversation], rules: Rules, occupancy: float | None = None
) -> QueueFigures:
    """The figures of some visits to a line and the conversations that followed."""
    stays = list(stays)
    talks = list(talks)
    t = rules.service_level_seconds
    answered = [v for v in stays if v.outcome == "answered"]
    gone = [v for v in stays if v.outcome == "abandoned"]
    short = [v for v in gone if (v.waited or 0.0) < rules.short_abandon_seconds]
    waits = [v.waited or 0.0 for v in answered]
    in_sl = sum(1 for w in waits if w <= t)
    abandoned_in_sl = sum(1 for v in gone if (v.waited or 0.0) <= t)
    all_waits = [v.waited for v in stays if v.waited is not None]
    n = len(talks)
    return QueueFigures(
        offered=len(stays),
        answered=len(answered),
        abandoned=len(gone) - len(short),
        short_abandoned=len(short),
        left=sum(1 for v in stays if v.outcome.startswith("exit_")),
        waiting=sum(1 for v in stays if v.outcome == "waiting"),
        service_level=_ratio(in_sl, len(answered)),
        service_level_with_abandons=_ratio(in_sl + abandoned_in_sl, len(answered) + len(gone)),
        abandon_rate=_ratio(len(gone) - len(short), len(stays) - len(short)),
        average_answer_seconds=_ratio(sum(waits), len(waits)),
        longest_wait_seconds=max(all_waits) if all_waits else None,
        handled=n,
        average_handle_seconds=_ratio(sum(c.handle for c in talks), n),
        average_talk_seconds=_ratio(sum(c.talk for c in talks), n),
        average_hold_seconds=_ratio(sum(c.hold for c in talks), n),
        average_wrap_up_seconds=_ratio(sum(c.wrap_up for c in talks), n),
        occupancy=occupancy,
    )
