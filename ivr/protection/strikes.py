"""Strikes against callers' numbers: how long one counts, and what clearing needs.

A strike is added when a counselor ends a call for one of the four situations.
Flows branch on the count (the `caller` node's `strikes_at_least`); a strike
counts for `strike_expiry_days` (config.yaml `protection`), so a citizen is not
marked forever, and a supervisor may clear a number's strikes earlier, always
with a reason (the audit keeps who and why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

REASON_MAX = 500


def counting_since(now: datetime, expiry_days: int) -> datetime | None:
    """The oldest moment a strike still counts from; None: strikes never expire."""
    return now - timedelta(days=expiry_days) if expiry_days > 0 else None


def clear_problems(number: str, reason: str) -> list[str]:
    """Why a request to clear a number's strikes is refused (empty: it is fine)."""
    problems = []
    if not number.strip():
        problems.append("번호를 입력해 주십시오. · Give the caller's number.")
    if not reason.strip():
        problems.append("해제 사유를 입력해 주십시오. · Clearing strikes needs a reason.")
    elif len(reason) > REASON_MAX:
        problems.append(f"사유는 {REASON_MAX}자까지입니다. · A reason is at most {REASON_MAX} characters.")
    return problems
