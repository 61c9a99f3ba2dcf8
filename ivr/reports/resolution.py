"""First-call resolution and the knowledge base's use: what counselors marked on their calls.

first-call resolution  calls marked 해결 (resolved) / calls marked at all
                       (resolved + 후속 조치 필요), per topic, queue and counselor;
                       answered calls left unmarked are counted beside it
most used articles     marks "answered with this article", per article
searches that found nothing  the same question counted, most frequent first

Pure: the store hands the marks (ivr/store/kb_report_rows.py) beside the
period's conversations.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ivr.reports.output import Table

DIMENSIONS = ("topic", "queue", "counselor")
TOP = 20


@dataclass(frozen=True)
class ResolutionRow:
    call_id: str
    outcome: str  # resolved | follow_up


@dataclass(frozen=True)
class ArticleUseRow:
    call_id: str
    slug: str
    title: str


@dataclass(frozen=True)
class KbRows:
    """The period's marks: each call's outcome, the articles used, the searches that found nothing."""

    resolutions: tuple[ResolutionRow, ...] = ()
    uses: tuple[ArticleUseRow, ...] = ()
    misses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Handled:
    """One answered call as first-call resolution counts it."""

    call_id: str
    topic: str
    queue: str
    counselor: str


@dataclass
class _Tally:
    answered: int = 0
    resolved: int = 0
    follow_up: int = 0
    calls: set[str] = field(default_factory=set)


def resolution_table(handled: Iterable[Handled], kb: KbRows) -> Table:
    """First-call resolution by topic, queue and counselor (a call counts once per key)."""
    outcome = {r.call_id: r.outcome for r in kb.resolutions}
    keys: dict[str, Callable[[Handled], str]] = {
        "topic": lambda h: h.topic,
        "queue": lambda h: h.queue,
        "counselor": lambda h: h.counselor,
    }
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for h in handled:
        for dimension, key_of in keys.items():
            t = tallies[(dimension, key_of(h))]
            if h.call_id in t.calls:
                continue  # a transfer: the call's second conversation in the same group
            t.calls.add(h.call_id)
            t.answered += 1
            t.resolved += outcome.get(h.call_id) == "resolved"
            t.follow_up += outcome.get(h.call_id) == "follow_up"
    rows: list[dict[str, Any]] = []
    for (dimension, key), t in sorted(tallies.items(), key=lambda kv: (DIMENSIONS.index(kv[0][0]), kv[0][1])):
        marked = t.resolved + t.follow_up
        rows.append(
            {
                "by": dimension,
                "key": key,
                "answered": t.answered,
                "resolved": t.resolved,
                "follow_up": t.follow_up,
                "unmarked": t.answered - marked,
                "first_call_resolution": t.resolved / marked if marked else None,
            }
        )
    columns = ("by", "key", "answered", "resolved", "follow_up", "unmarked", "first_call_resolution")
    return Table("first-call resolution", columns, rows)


def articles_table(kb: KbRows, limit: int = TOP) -> Table:
    """The articles counselors answered with most often: uses and the calls they were used on."""
    uses = Counter(u.slug for u in kb.uses)
    calls: dict[str, set[str]] = defaultdict(set)
    titles = {}
    for u in kb.uses:
        calls[u.slug].add(u.call_id)
        titles[u.slug] = u.title
    rows = [
        {"article": slug, "title": titles[slug], "uses": n, "calls": len(calls[slug])}
        for slug, n in sorted(uses.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    ]
    return Table("most used articles", ("article", "title", "uses", "calls"), rows)


def misses_table(kb: KbRows, limit: int = TOP) -> Table:
    """The searches that found nothing, most frequent first (spacing tidied, as searched)."""
    counted = Counter(" ".join(q.split()) for q in kb.misses)
    rows = [
        {"search": q, "times": n} for q, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    ]
    return Table("searches that found nothing", ("search", "times"), rows)
