"""해피콜 results per department and topic: was it solved, how satisfied, what needs a person.

Pure: the store hands one row per 해피콜 task of the period (store/case_out.py,
`happy_rows`); this counts them. A call that reached nobody counts as tried,
not as an answer; a question left unanswered counts in neither share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ivr.reports.output import Table

COLUMNS = (
    "department",
    "topic",
    "planned",
    "reached",
    "not_reached",
    "solved",
    "not_solved",
    "solved_rate",
    "satisfaction_avg",
    "low_scores",
)


@dataclass(frozen=True)
class HappyRow:
    department: str
    topic: str
    status: str  # due | done | left_for_person
    solved: int | None  # 1 해결, 2 미해결
    score: int | None  # 1-5


def happy_table(rows: Iterable[HappyRow], departments: Mapping[str, str] | None = None) -> Table:
    """One line per department and topic, then 전체 (all)."""
    names = departments or {}
    groups: dict[tuple[str, str], list[HappyRow]] = defaultdict(list)
    every: list[HappyRow] = []
    for row in rows:
        groups[(row.department, row.topic or "-")].append(row)
        every.append(row)
    lines = [_line(names.get(d, d), t, rs) for (d, t), rs in sorted(groups.items())]
    if every:
        lines.append(_line("전체", "", every))
    return Table("해피콜: 해결 여부와 만족도", COLUMNS, lines)


def _line(department: str, topic: str, rows: list[HappyRow]) -> dict[str, object]:
    reached = [r for r in rows if r.status == "done"]
    solved = sum(r.solved == 1 for r in reached)
    not_solved = sum(r.solved == 2 for r in reached)
    scores = [r.score for r in reached if r.score is not None]
    return {
        "department": department,
        "topic": topic,
        "planned": len(rows),
        "reached": len(reached),
        "not_reached": sum(r.status == "left_for_person" for r in rows),
        "solved": solved,
        "not_solved": not_solved,
        "solved_rate": solved / (solved + not_solved) if solved + not_solved else None,
        "satisfaction_avg": round(sum(scores) / len(scores), 2) if scores else None,
        "low_scores": sum(s <= 2 for s in scores),
    }
