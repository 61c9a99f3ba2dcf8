"""A filled-in scorecard as one number, and the refusals of a bad one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr.admin.problems import InvalidInput
from ivr.config import ScorecardSettings

FEEDBACK_MAX = 2000


def score(card: ScorecardSettings, points: Mapping[str, Any]) -> tuple[dict[str, int], float, list[str]]:
    """(points by criterion, weighted total 0–100, problems in Korean · English).

    Every criterion must be marked with a whole number from 0 to its top mark;
    the total weighs each mark by the criterion's weight.
    """
    given: dict[str, int] = {}
    problems: list[str] = []
    for criterion in card.criteria:
        value = points.get(criterion.id)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if value is None or value == "":
            problems.append(
                f"'{criterion.name}': 점수를 골라 주십시오. · '{criterion.name}' is not scored yet."
            )
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= criterion.max_points:
            problems.append(
                f"'{criterion.name}': 0–{criterion.max_points}점 중에서 골라 주십시오. "
                f"· Give 0–{criterion.max_points} points."
            )
            continue
        given[criterion.id] = value
    unknown = sorted(set(points) - {c.id for c in card.criteria})
    if unknown:
        problems.append(f"평가표에 없는 항목입니다: {', '.join(unknown)[:100]} · Not on this scorecard.")
    if problems:
        return given, 0.0, problems
    weights = sum(c.weight for c in card.criteria)
    total = sum(given[c.id] / c.max_points * c.weight for c in card.criteria) / weights * 100
    return given, round(total, 1), []


def checked(
    card: ScorecardSettings | None, body: Mapping[str, Any], unknown_card: str
) -> tuple[dict[str, int], float, str]:
    """(points, total, feedback) of a request's body for `card`; InvalidInput naming every
    problem (`unknown_card` when there is no such card)."""
    points = body.get("points")
    feedback = str(body.get("feedback") or "").strip()
    if card is None:
        raise InvalidInput([unknown_card])
    if not isinstance(points, dict):
        raise InvalidInput(["항목별 점수가 없습니다. · 'points' must map each criterion to its points."])
    given, total, problems = score(card, points)
    if len(feedback) > FEEDBACK_MAX:
        problems.append(
            f"의견은 {FEEDBACK_MAX}자까지입니다. · Feedback is at most {FEEDBACK_MAX} characters."
        )
    if problems:
        raise InvalidInput(problems)
    return given, total, feedback
