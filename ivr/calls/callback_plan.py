"""When to call a citizen back, and what one attempt's result means.

Pure rules (no I/O): a calling-hours window on weekdays that are not Korean
public holidays, a limited number of attempts with a pause between them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ivr.calls.followup_states import FollowupEvent
from ivr.flows.holidays import korean_holiday


class AttemptResult(enum.Enum):
    CONNECTED = "connected"
    COUNSELOR_MISSED = "counselor_missed"  # the counselor's phone first: not the citizen's fault
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"  # the carrier refused, or the dial string is wrong


@dataclass(frozen=True)
class CallbackRules:
    max_attempts: int = 3
    retry_after: timedelta = timedelta(minutes=10)
    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays_only: bool = True


def calling_allowed(at: datetime, rules: CallbackRules) -> bool:
    if rules.weekdays_only and (at.weekday() >= 5 or korean_holiday(at.date()) is not None):
        return False
    return rules.start <= at.time() < rules.end


def next_calling_time(at: datetime, rules: CallbackRules) -> datetime:
    """`at` itself when calling is allowed then, else the next window's opening."""
    if calling_allowed(at, rules):
        return at
    day = at.date() + timedelta(days=1 if at.time() >= rules.end else 0)
    for _ in range(400):  # the longest Korean holiday run is under two weeks
        opening = datetime.combine(day, rules.start, at.tzinfo)
        if calling_allowed(opening, rules):
            return max(opening, at)
        day += timedelta(days=1)
    raise ValueError("no calling window in the next 400 days: check callbacks.hours_*")


@dataclass(frozen=True)
class AfterAttempt:
    event: FollowupEvent  # what the attempt means for the request (calls/followup_states.py)
    retry_at: datetime | None = None
    counts: bool = True  # whether this attempt counts against max_attempts


def after_attempt(result: AttemptResult, attempts: int, at: datetime, rules: CallbackRules) -> AfterAttempt:
    """What happens to a callback after an attempt (`attempts` counted so far, this one included)."""
    if result is AttemptResult.CONNECTED:
        return AfterAttempt(FollowupEvent.CONNECTED)
    if result is AttemptResult.COUNSELOR_MISSED:
        # The counselor's phone rang first and nobody answered: the citizen was
        # never called. Keep the place; another counselor is tried at once.
        return AfterAttempt(FollowupEvent.RETRY_DUE, at, counts=False)
    if attempts >= rules.max_attempts:
        return AfterAttempt(FollowupEvent.GAVE_UP)
    return AfterAttempt(FollowupEvent.RETRY_DUE, next_calling_time(at + rules.retry_after, rules))
