"""A report of one period: the summary, or one table grouped `--by` something.

`build(rows, rules, by)` turns the rows of a period into a `Table` whose rows
are plain dicts (seconds as floats, shares as 0..1), which `ivr.reports.output`
prints as a table, CSV or JSON.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from ivr.reports import counselors as ctime
from ivr.reports import resolution, topics
from ivr.reports.metrics import QueueFigures, Rules, queue_figures
from ivr.reports.output import Table
from ivr.reports.rows import ReportRows
from ivr.reports.staffing import staffing_rows
from ivr.reports.visits import Conversation, Visit, attach_wrap_up, conversations, visits

GROUPS = (
    "hour",
    "day",
    "queue",
    "counselor",
    "topic",
    "option",
    "staffing",
    "resolution",
    "articles",
    "misses",
)


@dataclass(frozen=True)
class Measured:
    """The rows of a period turned into what the figures count."""

    stays: list[Visit]
    talks: list[Conversation]
    stretches: list[ctime.Stretch]
    call_topic: dict[str, str]


def measure(rows: ReportRows) -> Measured:
    """Visits, conversations (with wrap-up attached) and counselor stretches of the period."""
    period = rows.period
    stays = [v for v in visits(rows.queue_log) if v.entered_at in period]
    spans = ctime.stretches(rows.counselor_events, period, rows.now)
    talks = attach_wrap_up(
        [c for c in conversations(rows.queue_log, rows.call_events) if c.connected_at in period],
        ctime.wrap_ups(spans),
    )
    return Measured(stays, talks, spans, {c.call_id: c.topic or topics.NO_TOPIC for c in rows.calls})


QUEUE_COLUMNS = tuple(f for f in QueueFigures.__dataclass_fields__)


def _queue_row(key: dict[str, Any], figures: QueueFigures) -> dict[str, Any]:
    return {**key, **asdict(figures)}


def _grouped(
    m: Measured,
    rules: Rules,
    name: str,
    visit_key: Callable[[Visit], str],
    talk_key: Callable[[Conversation], str],
    occupancy_of: Callable[[str], float | None] | None = None,
) -> Table:
    stays: dict[str, list[Visit]] = defaultdict(list)
    talks: dict[str, list[Conversation]] = defaultdict(list)
    for v in m.stays:
        stays[visit_key(v)].append(v)
    for c in m.talks:
        talks[talk_key(c)].append(c)
    rows = [
        _queue_row(
            {name: k},
            queue_figures(
                stays.get(k, []), talks.get(k, []), rules, occupancy_of(k) if occupancy_of else None
            ),
        )
        for k in sorted(stays.keys() | talks.keys())
    ]
    return Table(f"by {name}", (name, *QUEUE_COLUMNS), rows)


def _bucket_occupancy(
    m: Measured, rows: ReportRows, size: timedelta, fmt: str
) -> Callable[[str], float | None]:
    """Occupancy per hour or day: each stretch is cut at the buckets' edges once."""
    tz = rows.period.tz
    working: dict[str, float] = defaultdict(float)
    busy: dict[str, float] = defaultdict(float)
    for s in m.stretches:
        at = s.start
        while at < s.end:
            local = at.astimezone(tz)
            first = local.replace(minute=0, second=0, microsecond=0)
            if size >= timedelta(days=1):
                first = first.replace(hour=0)
            key, edge = first.strftime(fmt), min(first + size, s.end)
            if s.state in ctime.WORKING:
                working[key] += (edge - at).total_seconds()
            if s.state in ctime.BUSY:
                busy[key] += (edge - at).total_seconds()
            at = edge

    def occupancy(key: str) -> float | None:
        return busy[key] / working[key] if working.get(key) else None

    return occupancy


_BUCKETS = {"hour": ("%Y-%m-%d %H:00", timedelta(hours=1)), "day": ("%Y-%m-%d", timedelta(days=1))}


def _by_time(m: Measured, rows: ReportRows, rules: Rules, name: str) -> Table:
    """Visits by when they entered, conversations by when they connected, occupancy clipped to each."""
    fmt, size = _BUCKETS[name]
    tz = rows.period.tz
    return _grouped(
        m,
        rules,
        name,
        lambda v: v.entered_at.astimezone(tz).strftime(fmt),
        lambda c: c.connected_at.astimezone(tz).strftime(fmt),
        _bucket_occupancy(m, rows, size, fmt),
    )


def build(rows: ReportRows, rules: Rules, by: str | None = None) -> Table:
    """The report of `rows.period`: a summary (metric, value), or one table `by` a group."""
    m = measure(rows)
    if by in ("hour", "day"):
        return _by_time(m, rows, rules, by)
    if by == "queue":
        return _grouped(m, rules, "queue", lambda v: v.queue, lambda c: c.queue)
    if by == "counselor":
        return _counselor_table(m)
    if by == "topic":
        return _topic_table(m, rows, rules)
    if by == "option":
        served = topics.self_served(rows.calls, rows.queue_log, rows.call_events)
        choices = topics.options(rows.calls, rows.call_events, served)
        return Table(
            "by option",
            ("option", "calls", "self_served", "self_service_rate"),
            _choice_rows("option", choices),
        )
    if by == "staffing":
        return staffing_rows(m.stays, m.talks, rows.period, rules)
    if by == "resolution":
        handled = [
            resolution.Handled(
                c.call_id, m.call_topic.get(c.call_id, topics.NO_TOPIC), c.queue, c.counselor_id
            )
            for c in m.talks
        ]
        return resolution.resolution_table(handled, rows.kb)
    if by == "articles":
        return resolution.articles_table(rows.kb)
    if by == "misses":
        return resolution.misses_table(rows.kb)
    if by is not None:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPS)}")
    return _summary(m, rows, rules)


def _counselor_table(m: Measured) -> Table:
    figures = ctime.per_counselor(m.stretches, m.talks)
    reasons = sorted({r for f in figures for r in f.pause})
    columns = (
        "counselor",
        "calls",
        "talk",
        "hold",
        "wrap_up",
        "logged_in",
        "occupancy",
        *(f"pause_{r}" for r in reasons),
    )
    rows = [
        {
            "counselor": f.counselor_id,
            "calls": f.calls,
            "talk": f.talk,
            "hold": f.hold,
            "wrap_up": f.wrap_up,
            "logged_in": f.logged_in,
            "occupancy": f.occupancy,
            **{f"pause_{r}": f.pause.get(r, 0.0) for r in reasons},
        }
        for f in figures
    ]
    return Table("by counselor", columns, rows)


def _choice_rows(
    name: str, choices: Iterable[topics.ChoiceFigures], with_repeats: bool = False
) -> list[dict[str, Any]]:
    out = []
    for c in choices:
        row: dict[str, Any] = {
            name: c.key,
            "calls": c.calls,
            "self_served": c.self_served,
            "self_service_rate": c.self_service_rate,
        }
        if with_repeats:
            row["repeat_calls"] = c.repeats
        out.append(row)
    return out


def _topic_table(m: Measured, rows: ReportRows, rules: Rules) -> Table:
    served = topics.self_served(rows.calls, rows.queue_log, rows.call_events)
    repeated = topics.repeats(rows.calls, rows.earlier_calls, rules.repeat_days)
    by_topic = {
        r["topic"]: r for r in _choice_rows("topic", topics.topics(rows.calls, served, repeated), True)
    }
    queued = _grouped(
        m,
        rules,
        "topic",
        lambda v: m.call_topic.get(v.call_id, topics.NO_TOPIC),
        lambda c: m.call_topic.get(c.call_id, topics.NO_TOPIC),
    )
    for r in queued.rows:
        by_topic.setdefault(
            r["topic"],
            {"topic": r["topic"], "calls": 0, "self_served": 0, "self_service_rate": None, "repeat_calls": 0},
        ).update(r)
    columns = ("topic", "calls", "self_served", "self_service_rate", "repeat_calls", *QUEUE_COLUMNS)
    nobody_queued = asdict(queue_figures([], [], rules))  # topics the menu served alone: zeros
    return Table("by topic", columns, [nobody_queued | by_topic[k] for k in sorted(by_topic)])


def _summary(m: Measured, rows: ReportRows, rules: Rules) -> Table:
    figures = queue_figures(m.stays, m.talks, rules, ctime.occupancy(m.stretches))
    served = topics.self_served(rows.calls, rows.queue_log, rows.call_events)
    repeated = topics.repeats(rows.calls, rows.earlier_calls, rules.repeat_days)
    cb = topics.callback_figures(rows.callbacks)
    values: dict[str, Any] = {
        "calls": len(rows.calls),
        **asdict(figures),
        "self_served": len(served),
        "self_service_rate": len(served) / len(rows.calls) if rows.calls else None,
        "repeat_calls": len(repeated),
        "callbacks_requested": cb.requested,
        "callbacks_done": cb.done,
        "callbacks_failed": cb.failed,
        "callbacks_open": cb.open,
        "callback_success_rate": cb.success_rate,
    }
    for question, (count, mean) in topics.survey_averages(rows.surveys).items():
        values[f"survey_{question}_answers"] = count
        values[f"survey_{question}_average"] = mean
    return Table("summary", ("metric", "value"), [{"metric": k, "value": v} for k, v in values.items()])
