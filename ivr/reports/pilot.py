"""The pilot report: each day of a period against the targets in config.yaml (`pilot`).

Jeonju ran 222-1000 as a pilot quarter before normal operation; supervisors
follow it day by day. Per day: the service level, the abandon rate, the
average speed of answer (docs/metrics.md, as `ivr report --by day`), the
first-call resolution (calls that repeat no earlier call by the same caller on
the same topic within `reports.repeat_days`, over the day's calls with a
topic) and the satisfaction (mean of the day's answers to the survey question
`satisfaction`, 1-5). A day
misses a target when its figure is on the wrong side of it; a day without the
figure (nobody waited, nobody answered the survey) misses nothing. Below the
days: the targets, the trend across the period (least-squares change per
day), and how many days missed each target.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ivr.reports import topics
from ivr.reports.metrics import Rules, queue_figures
from ivr.reports.output import Table
from ivr.reports.report import measure
from ivr.reports.rows import ReportRows


@dataclass(frozen=True)
class Targets:
    """config.yaml `pilot`: None for a figure the pilot does not aim at."""

    service_level: float | None = 0.8  # at least
    abandon_rate: float | None = 0.05  # at most
    average_answer_seconds: float | None = 20.0  # at most
    first_call_resolution: float | None = 0.8  # at least
    satisfaction: float | None = 4.0  # at least (survey answers 1-5)


# (figure, True when higher is better)
FIGURES = (
    ("service_level", True),
    ("abandon_rate", False),
    ("average_answer_seconds", False),
    ("first_call_resolution", True),
    ("satisfaction", True),
)
SATISFACTION = "satisfaction"  # the survey question the satisfaction figure averages
COLUMNS = ("day", "calls", *(name for name, _ in FIGURES), "missed")


def _days(rows: ReportRows) -> list[date]:
    first = rows.period.start.date()
    return [first + timedelta(days=i) for i in range((rows.period.end - rows.period.start).days)]


def day_figures(rows: ReportRows, rules: Rules) -> list[dict[str, Any]]:
    """One row per day of the period, with the five figures (None where there is none)."""
    tz = rows.period.tz
    m = measure(rows)
    stays, talks, calls, answers = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for v in m.stays:
        stays[v.entered_at.astimezone(tz).date()].append(v)
    for c in m.talks:
        talks[c.connected_at.astimezone(tz).date()].append(c)
    for call in rows.calls:
        calls[call.started_at.astimezone(tz).date()].append(call)
    for a in rows.surveys:
        if a.question == SATISFACTION:
            answers[a.at.astimezone(tz).date()].append(a.answer)
    earlier = [*rows.earlier_calls, *rows.calls]
    out = []
    for day in _days(rows):
        q = queue_figures(stays[day], talks[day], rules)
        with_topic = [c for c in calls[day] if c.topic]
        repeated = topics.repeats(with_topic, earlier, rules.repeat_days)
        out.append(
            {
                "day": str(day),
                "calls": len(calls[day]),
                "service_level": q.service_level,
                "abandon_rate": q.abandon_rate,
                "average_answer_seconds": q.average_answer_seconds,
                "first_call_resolution": 1 - len(repeated) / len(with_topic) if with_topic else None,
                "satisfaction": sum(answers[day]) / len(answers[day]) if answers[day] else None,
            }
        )
    return out


def missed(row: dict[str, Any], targets: Targets) -> list[str]:
    """The figures of one day on the wrong side of their targets."""
    out = []
    for name, higher in FIGURES:
        value, target = row.get(name), getattr(targets, name)
        if value is None or target is None:
            continue
        if (value < target) if higher else (value > target):
            out.append(name)
    return out


def trend(values: list[float | None]) -> float | None:
    """The least-squares change per day over the days that have a value."""
    points = [(x, y) for x, y in enumerate(values) if y is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def pilot(rows: ReportRows, rules: Rules, targets: Targets) -> Table:
    """The days, then the rows `target`, `trend` (per day) and `days_missed`."""
    days = day_figures(rows, rules)
    for row in days:
        row["missed"] = ", ".join(missed(row, targets))
    names = [name for name, _ in FIGURES]
    target_row: dict[str, Any] = {"day": "target", "calls": None, "missed": ""}
    trend_row: dict[str, Any] = {
        "day": "trend",
        "calls": trend([float(d["calls"]) for d in days]),
        "missed": "",
    }
    count_row: dict[str, Any] = {"day": "days_missed", "calls": None}
    for name in names:
        target_row[name] = getattr(targets, name)
        trend_row[name] = trend([d[name] for d in days])
        count_row[name] = sum(1 for d in days if name in d["missed"].split(", "))
    count_row["missed"] = sum(1 for d in days if d["missed"])
    return Table("pilot", COLUMNS, [*days, target_row, trend_row, count_row])
